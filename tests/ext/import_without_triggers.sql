-- import_otel on a connection with triggers off (tracelm serve's) keeps
-- `traces`, facts_dirty and the stored prices itself, once a trace of a
-- document (common/trace_runs.c): the same rows the spans triggers make.
.read helpers.sql
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok)
  VALUES ('test-model', 'test', 1, 2);
-- Trace 1 was partly stored before; trace 2 is interleaved with trace 1;
-- trace 3 comes in two lines (two documents); a priced call, a recorded
-- cost, an error, an unfinished span, two services.
CREATE TEMP TABLE docs(n INTEGER PRIMARY KEY, doc TEXT);
-- JSON Lines: each document on one line, the newlines inside one removed.
INSERT INTO docs VALUES (1, replace('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[
 {"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"llm","startTimeUnixNano":"120","endTimeUnixNano":"150","attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"test-model"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"1000000"}},{"key":"gen_ai.usage.output_tokens","value":{"intValue":"1000000"}}]},
 {"traceId":"00000000000000000000000000000002","spanId":"0000000000000001","name":"job","startTimeUnixNano":"50","endTimeUnixNano":"500","status":{"code":2}},
 {"traceId":"00000000000000000000000000000001","spanId":"0000000000000003","parentSpanId":"0000000000000001","name":"tool","startTimeUnixNano":"160","endTimeUnixNano":"900","attributes":[{"key":"tracelm.cost","value":{"doubleValue":0.25}}]},
 {"traceId":"00000000000000000000000000000002","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"open","startTimeUnixNano":"600"}]}]},
 {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"worker"}}]},"scopeSpans":[{"spans":[
 {"traceId":"00000000000000000000000000000003","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"step","startTimeUnixNano":"20","endTimeUnixNano":"30","status":{"code":2}}]}]}]}', char(10), '')
 || char(10) || replace('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"worker"}}]},"scopeSpans":[{"spans":[
 {"traceId":"00000000000000000000000000000003","spanId":"0000000000000001","name":"batch","startTimeUnixNano":"10","endTimeUnixNano":"40","attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"7"}}]}]}]}]}', char(10), ''));
.mode list

-- Each way: the root of trace 1 stored first, then the documents, then
-- the same documents again with skip_duplicates (all rejected, nothing added).
CREATE TEMP VIEW state AS
  SELECT 'traces', trace_id, start_ns, end_ns, root_span_id, root_name, service, span_count,
         tokens_in, tokens_out, cost, errors FROM traces
  UNION ALL SELECT 'dirty', trace_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM facts_dirty
  UNION ALL SELECT 'priced', span_id, priced_cost, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM spans WHERE priced_cost IS NOT NULL;
CREATE TEMP TABLE with_triggers AS SELECT * FROM state WHERE 0;

INSERT INTO spans(trace_id, span_id, name, start_ns, end_ns, service)
  VALUES (printf('%032x', 1), printf('%016x', 1), 'request', 100, 200, 'api');
DELETE FROM facts_dirty;
SELECT 'on', import_otel(doc), import_otel(doc, 'skip_duplicates') FROM docs;
INSERT INTO with_triggers SELECT * FROM state;

DELETE FROM spans;
DELETE FROM traces;
INSERT INTO spans(trace_id, span_id, name, start_ns, end_ns, service)
  VALUES (printf('%032x', 1), printf('%016x', 1), 'request', 100, 200, 'api');
DELETE FROM facts_dirty;
.dbconfig enable_trigger off
SELECT 'off', import_otel(doc), import_otel(doc, 'skip_duplicates') FROM docs;
.dbconfig enable_trigger on

SELECT * FROM state ORDER BY 1, 2;
SELECT 'only with triggers', * FROM (SELECT * FROM with_triggers EXCEPT SELECT * FROM state);
SELECT 'only without', * FROM (SELECT * FROM state EXCEPT SELECT * FROM with_triggers);

-- A failing document keeps nothing, its runs included.
.dbconfig enable_trigger off
SELECT import_otel('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000009","spanId":"0000000000000001","name":"a","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}'
  || char(10) || '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000009","spanId":"0000000000000002","name":"b","startTimeUnixNano":"x"}]}]}]}');
.dbconfig enable_trigger on
SELECT 'after the failure', count(*) FROM traces WHERE trace_id = printf('%032x', 9);
