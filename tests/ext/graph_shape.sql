-- Analyses that need only a trace's shape (critical_path, span_histogram,
-- trace_validate, trace_tree without its token and cost columns) load half
-- the columns; a later call that needs the rest gives that cached graph
-- its detail in place.  Every output must be the same whichever way the
-- graph was loaded.
.read helpers.sql
CREATE TEMP TABLE bump(n);

-- Two services, two threads, a priced model (cost 0 recorded: the price
-- table's), a recorded cost, an error with a message, attributes.
INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status,
                  status_message, tokens_in, tokens_out, cost, model, service, thread_id, attrs)
VALUES
 (printf('%032x', 90), printf('%016x', 1), NULL, 'pipeline', 'server', 1743465600000000000,
  1743465601000000000, 'ok', NULL, 0, 0, 0, NULL, 'gateway', 7, '{"route":"/ask"}'),
 (printf('%032x', 90), printf('%016x', 2), printf('%016x', 1), 'retrieve', 'client',
  1743465600100000000, 1743465600400000000, 'unset', NULL, 0, 0, 0, NULL, 'retriever', 8, NULL),
 (printf('%032x', 90), printf('%016x', 3), printf('%016x', 1), 'llm_call', 'client',
  1743465600300000000, 1743465600900000000, 'unset', NULL, 1000, 100, 0, 'gpt-4o-mini',
  'gateway', 7, '{"gen_ai.system":"openai"}'),
 (printf('%032x', 90), printf('%016x', 4), printf('%016x', 3), 'llm_call', 'internal',
  1743465600350000000, 1743465600500000000, 'error', 'rate limited', 10, 0, 0.25, 'mystery-9',
  'gateway', 7, NULL),
 (printf('%032x', 90), printf('%016x', 5), printf('%016x', 2), 'search', 'internal',
  1743465600150000000, NULL, 'unset', NULL, 0, 0, 0, NULL, 'retriever', 9, NULL);

-- Each output from a graph loaded whole: every statement below follows a
-- change, so each loads the trace afresh.
CREATE TEMP TABLE whole_tree AS SELECT * FROM trace_tree(printf('%032x', 90));
CREATE TEMP TABLE whole_stats AS SELECT * FROM span_stats(printf('%032x', 90));
CREATE TEMP TABLE whole_anomalies AS SELECT * FROM trace_anomalies(printf('%032x', 90));
CREATE TEMP TABLE whole_docs AS SELECT trace_summary(printf('%032x', 90)) AS summary;
ALTER TABLE whole_docs ADD COLUMN chrome;
UPDATE whole_docs SET chrome = export_chrome(printf('%032x', 90));
ALTER TABLE whole_docs ADD COLUMN otel;
UPDATE whole_docs SET otel = export_otel(printf('%032x', 90));
SELECT 'whole', json_extract(summary, '$.cost'), json_extract(summary, '$.unpriced_models'),
       length(chrome) > 0, length(otel) > 0 FROM whole_docs;
SELECT 'whole tree', name, tokens_in, tokens_out, printf('%.6f', cost) FROM whole_tree;

-- The same outputs, each asked right after a shape-only load of the trace.
INSERT INTO bump VALUES (1);
SELECT 'path', count(*) FROM critical_path(printf('%032x', 90));
SELECT 'tree lines', count(*) FROM (SELECT line FROM trace_tree(printf('%032x', 90))
  EXCEPT SELECT line FROM whole_tree);
SELECT 'tree', count(*) FROM (SELECT * FROM trace_tree(printf('%032x', 90))
  EXCEPT SELECT * FROM whole_tree);
INSERT INTO bump VALUES (2);
SELECT 'histogram', sum(count) FROM span_histogram(printf('%032x', 90));
SELECT 'stats', count(*) FROM (SELECT * FROM span_stats(printf('%032x', 90))
  EXCEPT SELECT * FROM whole_stats);
INSERT INTO bump VALUES (3);
SELECT 'validate', trace_validate(printf('%032x', 90));
SELECT 'anomalies', count(*) FROM (SELECT * FROM trace_anomalies(printf('%032x', 90))
  EXCEPT SELECT * FROM whole_anomalies);
INSERT INTO bump VALUES (4);
SELECT 'path', count(*) FROM critical_path(printf('%032x', 90));
SELECT 'summary', trace_summary(printf('%032x', 90)) = summary FROM whole_docs;
INSERT INTO bump VALUES (5);
SELECT 'path', count(*) FROM critical_path(printf('%032x', 90));
SELECT 'chrome', export_chrome(printf('%032x', 90)) = chrome FROM whole_docs;
INSERT INTO bump VALUES (6);
SELECT 'path', count(*) FROM critical_path(printf('%032x', 90));
SELECT 'otel', export_otel(printf('%032x', 90)) = otel FROM whole_docs;

-- Within one statement: the tree's lines read from a shape-only graph
-- while a full analysis of the same trace widens it.
INSERT INTO bump VALUES (7);
SELECT 'one statement', count(*), sum(t.tokens_in) FROM trace_tree(printf('%032x', 90)) l
  JOIN (SELECT * FROM trace_tree(printf('%032x', 90))) t ON t.span_id = l.span_id;
