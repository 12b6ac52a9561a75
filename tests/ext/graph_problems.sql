-- Corrupt span graphs: every span is still reported once, the problem is
-- named, and nothing crashes or hangs.
.read helpers.sql

-- A cycle: b -> c -> b, hanging off nothing.  The walk cuts it at one
-- span, which becomes a top with problem 'cycle'.
INSERT INTO add_span VALUES (1, 1, NULL, 'root', 0, 100, NULL),
  (1, 2, 3, 'b', 10, 20, NULL), (1, 3, 2, 'c', 12, 18, NULL);
SELECT depth, name, coalesce(problem, '-') FROM trace_tree(printf('%032x', 1));
SELECT trace_validate(printf('%032x', 1));

-- A span that is its own parent.
INSERT INTO add_span VALUES (2, 1, NULL, 'root', 0, 100, NULL), (2, 2, 2, 'self', 5, 6, NULL);
SELECT depth, name, coalesce(problem, '-') FROM trace_tree(printf('%032x', 2));

-- Two roots: the earlier is the root, the other an extra_root.
INSERT INTO add_span VALUES (3, 1, NULL, 'first', 0, 100, NULL), (3, 2, NULL, 'second', 50, 60, NULL);
SELECT depth, name, coalesce(problem, '-') FROM trace_tree(printf('%032x', 3));

-- end_ns before start_ns: zero length, flagged.
INSERT INTO add_span VALUES (4, 1, NULL, 'root', 0, 100, NULL), (4, 2, 1, 'backwards', 50, 40, NULL);
SELECT name, duration_ns, coalesce(problem, '-') FROM trace_tree(printf('%032x', 4));

-- Every kind of problem, as trace_anomalies lists them.
SELECT t.trace_id = printf('%032x', 1), a.name, a.kind, a.detail
  FROM traces t, trace_anomalies(t.trace_id) a ORDER BY t.trace_id;

-- A trace's rows read as a run of rowids, not through the index, when few
-- rows of other traces lie among them: here one of nine.  That row is not
-- the trace's, however the run is read; nor is a row just past the run.
-- (On the schema's own table: a table without spans_by_trace, as below,
-- is always read through whatever index it has.)
INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status,
                  tokens_in, tokens_out, cost)
SELECT printf('%032x', iif(value = 5, 80, 8)), printf('%016x', value),
       iif(value = 1, NULL, printf('%016x', 1)), 'span' || value, 'internal',
       value, 100, 'unset', 0, 0, 0
  FROM generate_series(1, 9);
INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status,
                  tokens_in, tokens_out, cost)
VALUES (printf('%032x', 80), printf('%016x', 10), printf('%016x', 1), 'after', 'internal', 0, 1, 'unset', 0, 0, 0);
SELECT count(*), group_concat(name, ' ') FROM trace_tree(printf('%032x', 8));
-- The same, with traces counting far fewer spans than there are (a stale
-- count): the rowids then look sparse and the index reads them, alike.
UPDATE traces SET span_count = 2 WHERE trace_id = printf('%032x', 8);
SELECT count(*), group_concat(name, ' ') FROM trace_tree(printf('%032x', 8));

-- Duplicate span ids cannot enter the spans table (its primary key)...
INSERT INTO add_span VALUES (5, 1, NULL, 'root', 0, 100, NULL);
INSERT INTO add_span VALUES (5, 1, NULL, 'again', 0, 100, NULL);
-- ...but a table made by another tool may hold them.  The first keeps the
-- id; the second is flagged.
CREATE TABLE other AS SELECT * FROM spans WHERE 0;
ALTER TABLE spans RENAME TO spans_kept;
ALTER TABLE other RENAME TO spans;
INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status,
                  tokens_in, tokens_out, cost)
VALUES (printf('%032x', 5), printf('%016x', 1), NULL, 'root', 'internal', 0, 100, 'unset', 0, 0, 0),
       (printf('%032x', 5), printf('%016x', 2), printf('%016x', 1), 'twin', 'internal', 10, 20, 'unset', 0, 0, 0),
       (printf('%032x', 5), printf('%016x', 2), printf('%016x', 1), 'twin', 'internal', 30, 40, 'unset', 0, 0, 0);
SELECT name, offset_ns, coalesce(problem, '-') FROM trace_tree(printf('%032x', 5));
SELECT trace_validate(printf('%032x', 5));

-- A table whose only index on trace_id orders by span id (made by another
-- tool): SQLite reads the trace in span-id order, the graph still holds it
-- in write order.  'first' and 'second' start and end together, so only
-- write order puts 'first' ahead; the exporters' second scan still finds
-- each span's attributes.  Without spans_by_trace the rows are read
-- through the table's own index; rows of trace 60 written in between
-- would keep them from being read as a run anyway.
CREATE INDEX other_by_span ON spans(trace_id, span_id);
EXPLAIN QUERY PLAN SELECT name FROM spans WHERE trace_id = printf('%032x', 6);
INSERT INTO traces(trace_id, span_count) VALUES (printf('%032x', 6), 3);
INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status,
                  tokens_in, tokens_out, cost, attrs)
VALUES (printf('%032x', 6), printf('%016x', 9), NULL, 'root', 'internal', 0, 100, 'unset', 0, 0, 0, NULL),
       (printf('%032x', 60), printf('%016x', 1), NULL, 'other', 'internal', 0, 100, 'unset', 0, 0, 0, NULL),
       (printf('%032x', 6), printf('%016x', 8), printf('%016x', 9), 'first', 'internal', 10, 20, 'unset', 0, 0, 0, '{"n":1}'),
       (printf('%032x', 60), printf('%016x', 2), NULL, 'other', 'internal', 0, 100, 'unset', 0, 0, 0, NULL),
       (printf('%032x', 6), printf('%016x', 7), printf('%016x', 9), 'second', 'internal', 10, 20, 'unset', 0, 0, 0, '{"n":2}');
SELECT depth, name, span_id FROM trace_tree(printf('%032x', 6));
SELECT json_extract(e.value, '$.name'), json_extract(e.value, '$.args.attrs.n')
  FROM json_each(export_chrome(printf('%032x', 6)), '$.traceEvents') e
 WHERE json_extract(e.value, '$.ph') = 'X';
SELECT json_extract(s.value, '$.name'), json_extract(s.value, '$.attributes[0].value.intValue')
  FROM json_each(export_otel(printf('%032x', 6)), '$.resourceSpans[0].scopeSpans[0].spans') s;

-- Start times nearly 2^63 ns apart (a clock gone wrong, or a hand-made
-- row): still ordered by start, children and all.
INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status,
                  tokens_in, tokens_out, cost)
VALUES (printf('%032x', 7), printf('%016x', 1), NULL, 'root', 'internal', 0, 9000000000000000000, 'unset', 0, 0, 0),
       (printf('%032x', 7), printf('%016x', 2), printf('%016x', 1), 'late', 'internal', 8000000000000000000, 8000000000000000001, 'unset', 0, 0, 0),
       (printf('%032x', 7), printf('%016x', 3), printf('%016x', 1), 'early', 'internal', 1, 2, 'unset', 0, 0, 0);
INSERT INTO traces(trace_id, span_count) VALUES (printf('%032x', 7), 3);
SELECT depth, name, offset_ns FROM trace_tree(printf('%032x', 7));

