-- Per-span facts (sql/facts.sql, ext/core/facts.c): built once per trace by
-- the first question over many traces, and never read stale — every way a
-- trace or a price can change marks it, and a reader that cannot write
-- computes the marked traces itself.
.read helpers.sql
-- Trace 1: a root with a child and two parallel grandchildren; trace 2:
-- a root and one child.
INSERT INTO add_span VALUES (1, 1, NULL, 'pipeline', 0, 100, NULL),
  (1, 2, 1, 'retrieve', 10, 60, NULL), (1, 3, 2, 'search', 10, 40, NULL),
  (1, 4, 2, 'search', 15, 55, NULL), (2, 11, NULL, 'pipeline', 1000, 1050, NULL),
  (2, 12, 11, 'retrieve', 1010, 1030, NULL);
SELECT 'marked', count(*) FROM facts_dirty;

-- The first question builds both traces' facts and clears the marks.
SELECT name, count, total_ns, self_ns, min_ns, p50_ns, max_ns, critical_ns
  FROM span_stats(NULL);
SELECT 'marked', count(*) FROM facts_dirty;
SELECT 'built', count(*), sum(spans) FROM trace_facts;
-- Paths are stored once each: pipeline, pipeline/retrieve, pipeline/retrieve/search.
SELECT 'paths', path_id, coalesce(parent_path_id, '-'), name, depth FROM span_paths ORDER BY path_id;
-- Each span's facts, depth-first (seq): the two searches overlap, so
-- retrieve's self time is 50 - (55 - 10) = 5; the later search is on the
-- critical path (15..55, clipped by retrieve to 55), the earlier not.
SELECT 'fact', trace_key, seq, path_id, duration_ns, self_ns, critical_ns
  FROM span_facts ORDER BY trace_key, seq;

-- A late child (as over OTLP, after the facts were built) marks its trace.
INSERT INTO add_span VALUES (2, 13, 11, 'llm_call', 1030, 1049, NULL);
SELECT 'marked', count(*) FROM facts_dirty;
SELECT name, count, total_ns FROM span_stats(NULL) WHERE name = 'llm_call';
SELECT 'marked', count(*) FROM facts_dirty;

-- A user's UPDATE marks it too.
UPDATE spans SET end_ns = 1040 WHERE span_id = printf('%016x', 12);
SELECT name, count, total_ns, max_ns FROM span_stats(NULL) WHERE name = 'retrieve';

-- A reader that cannot write: the marked trace is computed, not skipped,
-- and its mark stays for a writer.
INSERT INTO add_span VALUES (2, 14, 11, 'llm_call', 1000, 1001, NULL);
PRAGMA query_only = 1;
SELECT 'read-only', name, count, total_ns FROM span_stats(NULL) WHERE name = 'llm_call';
SELECT 'read-only marked', count(*) FROM facts_dirty;
PRAGMA query_only = 0;
SELECT 'writable', name, count, total_ns FROM span_stats(NULL) WHERE name = 'llm_call';
SELECT 'writable marked', count(*) FROM facts_dirty;

-- Deleting a trace's spans removes its facts.
DELETE FROM spans WHERE trace_id = printf('%032x', 2);
SELECT name, count FROM span_stats(NULL);
SELECT 'built', count(*), (SELECT count(*) FROM span_facts) FROM trace_facts;

-- Prices: a span with tokens and a model but no cost is priced by
-- model_prices; a price change re-prices it.  1M in at 1 + 1M out at 2 = $3.
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok)
  VALUES ('test-model', 'test', 1, 2);
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, model, tokens_in, tokens_out)
  VALUES (printf('%032x', 3), printf('%016x', 21), NULL, 'llm_call', 5000, 5100, 'test-model', 1000000, 1000000);
SELECT 'priced', name, printf('%.2f', cost), tokens_in FROM span_stats(NULL) WHERE name = 'llm_call';
-- 1M in at 1 + 1M out at 4 = $5
UPDATE model_prices SET output_per_mtok = 4 WHERE model_pattern = 'test-model';
SELECT 'repriced', name, printf('%.2f', cost) FROM span_stats(NULL) WHERE name = 'llm_call';
-- The stored cost and its kind are span_cost's, which prices each span now.
SELECT 'facts = span_cost', count(*), sum(f.cost = c.cost AND c.cost_source =
         CASE f.cost_kind WHEN 1 THEN 'recorded' WHEN 2 THEN 'price_table'
                          WHEN 3 THEN 'unknown_model' ELSE 'none' END)
  FROM span_facts f JOIN span_cost c ON c.span_rowid = f.span_rowid;
DELETE FROM model_prices WHERE model_pattern = 'test-model';
SELECT 'unpriced', name, printf('%.2f', cost) FROM span_stats(NULL) WHERE name = 'llm_call';

-- Facts built by one process are the same ones a rebuild makes: mark
-- every trace and compare.
CREATE TEMP TABLE before AS SELECT * FROM span_facts;
INSERT INTO facts_dirty SELECT trace_id FROM traces;
SELECT count(*) FROM span_stats(NULL);
SELECT 'rebuilt same', count(*) FROM (SELECT * FROM before EXCEPT SELECT * FROM span_facts);
SELECT 'rebuilt rows', (SELECT count(*) FROM before), (SELECT count(*) FROM span_facts);

-- Windows and groupings.  Four traces on two days (2026-11-30 and
-- 2026-12-01, 12:00 UTC), two labels, two models.
DELETE FROM spans;
CREATE TEMP VIEW add_call(t, day, label, model, ms, cost) AS SELECT 1,1,1,1,1,1;
CREATE TEMP TRIGGER add_call_insert INSTEAD OF INSERT ON add_call BEGIN
  INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, service)
  VALUES (printf('%032x', NEW.t), printf('%016x', NEW.t * 10 + 1), NULL, 'chat',
          (unixepoch(NEW.day || ' 12:00:00')) * 1000000000,
          (unixepoch(NEW.day || ' 12:00:00')) * 1000000000 + 2 * NEW.ms * 1000000, 'api');
  INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, model, tokens_in, tokens_out, cost, service)
  VALUES (printf('%032x', NEW.t), printf('%016x', NEW.t * 10 + 2), printf('%016x', NEW.t * 10 + 1),
          'llm_call', (unixepoch(NEW.day || ' 12:00:00')) * 1000000000,
          (unixepoch(NEW.day || ' 12:00:00')) * 1000000000 + NEW.ms * 1000000, NEW.model, 100, 10,
          NEW.cost, 'llm');
  UPDATE traces SET label = NEW.label WHERE trace_id = printf('%032x', NEW.t);
END;
INSERT INTO add_call VALUES (31, '2026-11-30', 'base', 'gpt-4o', 10, 0.25),
  (32, '2026-11-30', 'base', 'claude-3-5-haiku', 30, 0.5),
  (33, '2026-12-01', 'cand', 'gpt-4o', 20, 1),
  (34, '2026-12-01', 'cand', 'gpt-4o', 40, 2);
SELECT 'by model,day', day, model, count, p50_ns, cost FROM span_stats(NULL, NULL, NULL, 'model,day')
 WHERE model IS NOT NULL ORDER BY day, model;
SELECT 'by service', service, count FROM span_stats(NULL, NULL, NULL, 'service') ORDER BY service;
SELECT 'by label', label, name, count, max_ns FROM span_stats(NULL, NULL, NULL, 'label, name') ORDER BY label, name;
SELECT 'by path', path, name, count FROM span_stats(NULL, NULL, NULL, 'path') ORDER BY path;
-- A window on each trace's start: dates, ns, or a modifier of now.
SELECT 'window date', name, count, p99_ns FROM span_stats(NULL, '2026-12-01', NULL) WHERE name = 'llm_call';
SELECT 'window ns', name, count FROM span_stats(NULL, NULL, unixepoch('2026-12-01') * 1000000000) WHERE name = 'llm_call';
SELECT 'window empty', count(*) FROM span_stats(NULL, '2026-11-01', '2026-11-02');
SELECT 'window now', count(*) FROM span_stats(NULL, '-1 days');
-- A run label or a query of trace ids as the set.
SELECT 'label', name, count, total_ns FROM span_stats('cand') ORDER BY name;
SELECT 'query', name, count FROM span_stats('SELECT trace_id FROM traces WHERE label = ''base''') ORDER BY name;
SELECT 'label+window', count(*) FROM span_stats('cand', '2026-12-02');
-- compare_runs over the facts, with a window too.
SELECT 'compare', path, n_a, n_b, p50_a, p50_b FROM compare_runs('base', 'cand');
SELECT 'compare window', path, n_a, n_b FROM compare_runs('SELECT trace_id FROM traces', 'cand', NULL, '2026-12-01');

-- Bad arguments: one line naming the function and the argument.
SELECT * FROM span_stats(NULL, '2026-12-02', '2026-12-01');
SELECT * FROM span_stats(NULL, 'last tuesday');
SELECT * FROM span_stats(NULL, x'00');
SELECT * FROM span_stats(NULL, NULL, NULL, 'model,colour');
SELECT * FROM span_stats(NULL, NULL, NULL, 7);
SELECT * FROM span_stats('no-such-label');
SELECT * FROM span_stats('SELECT 1');
SELECT * FROM span_stats('DELETE FROM spans');
SELECT * FROM compare_runs('base', 'cand', NULL, '2027-01-01');
