-- What LLM calls said and how they were judged (sql/genai_content.sql):
-- span_messages from the conventions' attributes (system instructions,
-- input and output messages with tool calls) and from the older
-- per-message events; span_scores from gen_ai.evaluation.result events, on
-- the span itself or pointing at it by gen_ai.response.id; and both from an
-- OTLP document, as serve and import store it.  Markup stays text.
.mode list
SELECT tracelm_init();
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, model, attrs) VALUES
 (printf('%032x', 50), printf('%016x', 1), NULL, 'agent', 0, 100, NULL, NULL),
 -- New names: system instructions as JSON parts, a question with markup, an
 -- answer with text and a tool call (arguments an object), a response id.
 (printf('%032x', 50), printf('%016x', 2), printf('%016x', 1), 'chat gpt-4o-mini', 10, 60, 'gpt-4o-mini', json_object(
   'gen_ai.system_instructions', '[{"type":"text","content":"Be brief."}]',
   'gen_ai.input.messages', '[{"role":"user","parts":[{"type":"text","content":"<script>alert(1)</script> 2+2?"}]}]',
   'gen_ai.output.messages', '[{"role":"assistant","finish_reason":"tool_call","parts":[{"type":"text","content":"Let me add."},{"type":"tool_call","id":"call_1","name":"add","arguments":{"a":2,"b":2}}]}]',
   'gen_ai.response.id', 'resp-7')),
 -- A tool answer as input to the next call; plain-text system
 -- instructions; output messages that are not JSON (no rows, no error).
 (printf('%032x', 50), printf('%016x', 3), printf('%016x', 1), 'chat gpt-4o-mini', 60, 90, 'gpt-4o-mini', json_object(
   'gen_ai.system_instructions', 'You add numbers.',
   'gen_ai.input.messages', '[{"role":"tool","parts":[{"type":"tool_call_response","id":"call_1","response":"4"}]}]',
   'gen_ai.output.messages', 'not json')),
 -- Older names: one event per message.
 (printf('%032x', 50), printf('%016x', 4), printf('%016x', 1), 'chat old', 90, 99, 'gpt-4o-mini', NULL),
 -- An evaluator span: its event names the call it judged by response id.
 (printf('%032x', 50), printf('%016x', 5), printf('%016x', 1), 'judge', 99, 100, NULL, NULL);
INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs) VALUES
 (printf('%032x', 50), printf('%016x', 4), 0, 91, 'gen_ai.system.message', '{"content":"Be old."}'),
 (printf('%032x', 50), printf('%016x', 4), 1, 92, 'gen_ai.user.message', '{"content":"hi <img src=x onerror=alert(1)>"}'),
 (printf('%032x', 50), printf('%016x', 4), 2, 98, 'gen_ai.choice', '{"index":0,"finish_reason":"stop","message":{"content":"hello"}}'),
 (printf('%032x', 50), printf('%016x', 4), 3, 98, 'not.a.message', '{"content":"ignored"}'),
 (printf('%032x', 50), printf('%016x', 3), 0, 90, 'gen_ai.evaluation.result',
  '{"gen_ai.evaluation.name":"correct","gen_ai.evaluation.score.value":1,"gen_ai.evaluation.score.label":"pass"}'),
 (printf('%032x', 50), printf('%016x', 5), 0, 100, 'gen_ai.evaluation.result',
  '{"gen_ai.evaluation.name":"relevance","gen_ai.evaluation.score.value":0.25,"gen_ai.evaluation.score.label":"poor","gen_ai.evaluation.explanation":"off topic","gen_ai.response.id":"resp-7"}');

SELECT '-- the messages, in order';
SELECT substr(span_id, 16), source, message, part, role, kind, coalesce(text, '-'), coalesce(tool_name, '-'),
       coalesce(tool_call_id, '-'), coalesce(arguments, '-'), coalesce(finish_reason, '-')
  FROM span_messages WHERE trace_id = printf('%032x', 50)
 ORDER BY span_id, source = 'event', source = 'output', source = 'input', message, part;
SELECT '-- one span''s, by its ids (the index)';
SELECT count(*) FROM span_messages WHERE trace_id = printf('%032x', 50) AND span_id = printf('%016x', 2);
SELECT '-- the scores: the judge''s points at the call by response id';
SELECT substr(span_id, 16), substr(event_span_id, 16), name, value, coalesce(label, '-'), coalesce(explanation, '-'),
       coalesce(response_id, '-')
  FROM span_scores ORDER BY span_id, name;

SELECT '-- from OTLP: events and a JSON-array attribute, as serve stores them';
SELECT import_otel('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"00000000000000000000000000000051",
  "spanId":"0000000000000001","name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"9",
  "attributes":[{"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"ping\"}]}]"}}],
  "events":[{"timeUnixNano":"5","name":"gen_ai.evaluation.result","attributes":[
    {"key":"gen_ai.evaluation.name","value":{"stringValue":"tone"}},
    {"key":"gen_ai.evaluation.score.value","value":{"doubleValue":0.5}}]}]}]}]}]}');
SELECT source, role, text FROM span_messages WHERE trace_id = '00000000000000000000000000000051';
SELECT name, value, span_id = event_span_id FROM span_scores WHERE trace_id = '00000000000000000000000000000051';

SELECT '-- gen_ai.choice as SDKs send it: message.content and message.role as flat attributes';
INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs)
VALUES ('00000000000000000000000000000051', '0000000000000001', 1, 6, 'gen_ai.choice',
        '{"index":0,"finish_reason":"stop","message.content":"pong","message.role":"assistant"}');
SELECT source, role, text, finish_reason FROM span_messages
 WHERE trace_id = '00000000000000000000000000000051' AND source = 'event';
