-- Round trips: export then import gives back the same rows, for OTLP/JSON
-- and for CSV.  Then bad input: nothing is imported, and the error says
-- where and what.
.read helpers.sql
INSERT INTO add_span VALUES (1, 1, NULL, 'gateway', 0, 10000, 'server'),
  (1, 2, 1, 'llm "call"', 1000, 6000, 'client'),
  (1, 3, 1, 'open', 2000, NULL, 'producer');
UPDATE spans SET service = 'gw', thread_id = 7 WHERE span_id = printf('%016x', 1);
UPDATE spans SET service = 'rag', thread_id = 8, model = 'gpt', tokens_in = 812,
                 tokens_out = 96, cost = 0.000179, status = 'ok',
                 attrs = '{"prompt":"say, \"hi\"\nplease","n":3,"t":0.5,"ok":false,"tags":["a",1],"o":{"k":null}}'
 WHERE span_id = printf('%016x', 2);
UPDATE spans SET status = 'error', status_message = 'timed out' WHERE span_id = printf('%016x', 3);
-- W3C trace flags (sampled) plus OTLP's has-remote-parent bits, and a tracestate.
UPDATE spans SET flags = 769, trace_state = 'vendor=a,other=b "x"' WHERE span_id = printf('%016x', 2);
CREATE TEMP TABLE original AS SELECT * FROM spans;

CREATE TEMP TABLE otlp AS SELECT export_otel('latest') AS doc;
SELECT 'otel flags, traceState', json_extract(doc, '$.resourceSpans[1].scopeSpans[0].spans[0].flags'),
       json_extract(doc, '$.resourceSpans[1].scopeSpans[0].spans[0].traceState') FROM otlp;
DELETE FROM spans;
SELECT 'otel imported', import_otel(doc) FROM otlp;
-- Every column but where the spans came from: the recorder's rows have no
-- resource or scope row, the imported ones reference the export's.
CREATE TEMP VIEW original_values AS SELECT trace_id, span_id, parent_id, name, kind, start_ns,
  end_ns, status, status_message, tokens_in, tokens_out, cost, model, service, thread_id, attrs,
  flags, trace_state, dropped_attributes_count, dropped_events_count, dropped_links_count FROM original;
CREATE TEMP VIEW span_values AS SELECT trace_id, span_id, parent_id, name, kind, start_ns,
  end_ns, status, status_message, tokens_in, tokens_out, cost, model, service, thread_id, attrs,
  flags, trace_state, dropped_attributes_count, dropped_events_count, dropped_links_count FROM spans;
SELECT 'otel differences', count(*) FROM (
  SELECT * FROM original_values EXCEPT SELECT * FROM span_values
  UNION ALL SELECT * FROM span_values EXCEPT SELECT * FROM original_values);
SELECT 'otel resources', resource_id, attrs FROM resources ORDER BY resource_id;
SELECT 'otel scopes', scope_id, name, version FROM scopes;
SELECT 'otel spans by resource', resource_id, scope_id, count(*) FROM spans GROUP BY 2, 3 ORDER BY 2;
-- The imported trace exported again: the first call reads the OTLP columns
-- in the graph's own load, the second (graph cached) in a scan of its own;
-- the two documents are the same, resources and flags included.
SELECT 'otel again, loaded then cached', a = b, json_array_length(a, '$.resourceSpans'),
       json_extract(a, '$.resourceSpans[1].scopeSpans[0].spans[0].flags')
  FROM (SELECT export_otel('latest') AS a, export_otel('latest') AS b);

CREATE TEMP TABLE before_csv AS SELECT * FROM spans;
CREATE TEMP TABLE csv AS SELECT export_csv('latest') AS text;
SELECT text FROM csv;
DELETE FROM spans;
SELECT 'csv imported', import_csv(text) FROM csv;
SELECT 'csv differences', count(*) FROM (
  SELECT * FROM before_csv EXCEPT SELECT * FROM spans
  UNION ALL SELECT * FROM spans EXCEPT SELECT * FROM before_csv);

-- JSON Lines: one request per line; an error names the line.
SELECT 'jsonl', import_otel(
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","spanId":"BBBBBBBBBBBBBBBB","name":"up","startTimeUnixNano":"5","endTimeUnixNano":9,"kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_OK"}}]}]}]}'
  || char(10) || char(10) ||
  '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","spanId":"cccccccccccccccc","parentSpanId":"bbbbbbbbbbbbbbbb","name":"child","startTimeUnixNano":"6","endTimeUnixNano":"8"}]}]}]}');
SELECT name, kind, status, parent_id FROM spans WHERE trace_id = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
SELECT count(*) FROM spans;
SELECT import_otel('{"resourceSpans":[]}' || char(10) || '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"12","spanId":"BBBBBBBBBBBBBBBB","startTimeUnixNano":"1"}]}]}]}');
SELECT import_otel('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"dddddddddddddddddddddddddddddddd","spanId":"1111111111111111","name":"kept?","startTimeUnixNano":"1"},{"traceId":"dddddddddddddddddddddddddddddddd","spanId":"1111111111111111","name":"twin","startTimeUnixNano":"2"}]}]}]}');
SELECT import_otel('{"resourceSpans":[' || char(10) || '{"oops"}]}');
SELECT import_otel('{"traces":[]}');
SELECT import_otel('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"dddddddddddddddddddddddddddddddd","spanId":"2222222222222222","name":"x","startTimeUnixNano":"soon"}]}]}]}');
SELECT import_csv('trace_id,span_id,name,start_ns' || char(10) || 'dddddddddddddddddddddddddddddddd,3333333333333333,ok,1' || char(10) || 'dddddddddddddddddddddddddddddddd,4444444444444444,bad,12x');
SELECT import_csv('trace_id,span_id,name,colour' || char(10));
SELECT import_csv('trace_id,span_id,name' || char(10));
-- Empty input, as text and as a zero-length blob (found by fuzz_import_csv).
SELECT import_csv('');
SELECT import_csv(x'');
SELECT import_csv('trace_id,span_id,name,start_ns' || char(10) || 'dddddddddddddddddddddddddddddddd,5555555555555555,short');
SELECT import_csv('trace_id,span_id,name,start_ns,kind' || char(10) || 'dddddddddddddddddddddddddddddddd,6666666666666666,k,1,sideways');
SELECT 'after the errors, still', count(*) FROM spans;

-- Token and model names of the GenAI conventions and of OpenInference.
SELECT import_otel('{"resourceSpans":[{"scopeSpans":[{"spans":[
 {"traceId":"abababababababababababababababab","spanId":"0000000000000001","name":"openinference","startTimeUnixNano":"1","endTimeUnixNano":"2",
  "attributes":[{"key":"llm.token_count.prompt","value":{"intValue":"30"}},{"key":"llm.token_count.completion","value":{"intValue":4}},{"key":"llm.model_name","value":{"stringValue":"claude-3-5-haiku-20241022"}}]},
 {"traceId":"abababababababababababababababab","spanId":"0000000000000002","name":"response_model_only","startTimeUnixNano":"1","endTimeUnixNano":"2",
  "attributes":[{"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-mini-2024-07-18"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"10"}}]},
 {"traceId":"abababababababababababababababab","spanId":"0000000000000003","name":"both_models","startTimeUnixNano":"1","endTimeUnixNano":"2",
  "attributes":[{"key":"gen_ai.response.model","value":{"stringValue":"gpt-4o-2024-08-06"}},{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}]}]}]}]}');
SELECT name, tokens_in, tokens_out, model FROM spans WHERE trace_id = 'abababababababababababababababab' ORDER BY span_id;
