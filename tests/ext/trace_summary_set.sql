-- trace_summary over many traces (ext/functions/trace_summary_set.c): a
-- run label, a query, a window or every trace, from trace_facts, with the
-- same figures trace_summary() gives trace by trace.
.read helpers.sql
-- Five traces on two days: 'rag' runs of 100, 200, 300 ms (base, the last
-- with an error span) and 400 ms (cand), and one 'chat' of 50 ms (cand).
-- Each costs its trace number in dollars, on its llm span.
CREATE TEMP VIEW add_trace(t, day, label, root, ms, error) AS SELECT 1,1,1,1,1,1;
CREATE TEMP TRIGGER add_trace_insert INSTEAD OF INSERT ON add_trace BEGIN
  INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns)
  VALUES (printf('%032x', NEW.t), printf('%016x', NEW.t * 10 + 1), NULL, NEW.root,
          unixepoch(NEW.day || ' 12:00:00') * 1000000000,
          unixepoch(NEW.day || ' 12:00:00') * 1000000000 + NEW.ms * 1000000);
  INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, tokens_in, tokens_out, cost, status)
  VALUES (printf('%032x', NEW.t), printf('%016x', NEW.t * 10 + 2), printf('%016x', NEW.t * 10 + 1),
          'llm', unixepoch(NEW.day || ' 12:00:00') * 1000000000,
          unixepoch(NEW.day || ' 12:00:00') * 1000000000 + NEW.ms * 500000, 100, 10, NEW.t,
          iif(NEW.error, 'error', 'unset'));
  UPDATE traces SET label = NEW.label WHERE trace_id = printf('%032x', NEW.t);
END;
INSERT INTO add_trace VALUES (1, '2026-11-30', 'base', 'rag', 100, 0),
  (2, '2026-11-30', 'base', 'rag', 200, 0), (3, '2026-11-30', 'base', 'rag', 300, 1),
  (4, '2026-12-01', 'cand', 'rag', 400, 0), (5, '2026-12-01', 'cand', 'chat', 50, 0);

-- Every trace.  p50 of 50, 100, 200, 300, 400 ms is the 3rd: 200 ms.
SELECT key, value FROM json_each(trace_summary(NULL));
SELECT 'marked after', count(*) FROM facts_dirty;

-- A run label; a query of trace ids; a window (dates, or ns).
SELECT 'base', s ->> 'traces', s ->> 'p50_ns', s ->> 'max_ns', s ->> 'cost', s ->> 'error_traces',
       s ->> 'costliest[0].trace_id'
  FROM (SELECT trace_summary('base') AS s);
SELECT 'query', s ->> 'traces', s ->> 'spans', s ->> 'roots[0].root'
  FROM (SELECT trace_summary('SELECT trace_id FROM traces WHERE root_name = ''chat''') AS s);
SELECT 'window', s ->> 'traces', s ->> 'min_ns', s ->> 'cost'
  FROM (SELECT trace_summary(NULL, '2026-12-01') AS s);
SELECT 'label+window', s ->> 'traces', s ->> 'p50_ns'
  FROM (SELECT trace_summary('cand', NULL, unixepoch('2026-12-01 12:00:00') * 1000000000 + 1) AS s);
SELECT 'empty window', s ->> 'traces', s ->> 'p50_ns', s ->> 'cost', json_array_length(s, '$.slowest')
  FROM (SELECT trace_summary(NULL, '2026-11-01', '2026-11-02') AS s);

-- One trace is still trace_summary()'s own report.
SELECT 'one trace', trace_summary(printf('%032x', 4)) ->> 'span_count';

-- A late child: the set's figures follow, on a reader that cannot write
-- too (computed from the graph, the mark kept).
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns)
  VALUES (printf('%032x', 5), printf('%016x', 59), printf('%016x', 51), 'tool',
          unixepoch('2026-12-01 12:00:00') * 1000000000,
          unixepoch('2026-12-01 12:00:00') * 1000000000 + 900000000);
PRAGMA query_only = 1;
SELECT 'read-only', s ->> 'spans', s ->> 'max_ns', s ->> 'slowest[0].root'
  FROM (SELECT trace_summary('cand') AS s);
SELECT 'read-only marked', count(*) FROM facts_dirty;
PRAGMA query_only = 0;
SELECT 'writable', s ->> 'spans', s ->> 'max_ns' FROM (SELECT trace_summary('cand') AS s);
SELECT 'writable marked', count(*) FROM facts_dirty;

-- Bad arguments: one line naming the function.
SELECT trace_summary(NULL, '2026-12-02', '2026-12-01');
SELECT trace_summary(NULL, 'last tuesday');
SELECT trace_summary('no-such-label', '-7 days');
SELECT trace_summary(7, NULL);
SELECT trace_summary('SELECT 1');
SELECT trace_summary('DELETE FROM spans');
SELECT trace_summary('no-such-label');
