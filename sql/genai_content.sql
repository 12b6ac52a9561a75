-- What LLM calls said, and how they were judged (schema version 7), as
-- the OpenTelemetry GenAI conventions write them; docs/genai.md lists the
-- names read.  Plain views over spans and span_events: a filter on
-- trace_id and span_id reaches each part's index (no window function or
-- aggregate stands in the way).
DROP VIEW IF EXISTS span_messages;
DROP VIEW IF EXISTS span_scores;

-- One row per part of a message of one span, in order (source, message,
-- part): source 'system' (gen_ai.system_instructions), 'input'
-- (gen_ai.input.messages), 'output' (gen_ai.output.messages), each the
-- conventions' JSON of roles and parts; or 'event' for the older
-- per-message events (gen_ai.system.message, gen_ai.user.message,
-- gen_ai.assistant.message, gen_ai.tool.message: attribute content;
-- gen_ai.choice: message.content, as a nested object or as the flat
-- attribute SDKs send), one part each, message = event seq.
-- kind: the part's type (text, tool_call, tool_call_response, ...); text:
-- its content (a tool response's response); tool_name, tool_call_id,
-- arguments (JSON text) for tool calls.  System instructions that are
-- plain text, not JSON, are one text part.
CREATE VIEW span_messages AS
SELECT s.trace_id, s.span_id, 'system' AS source, 0 AS message, CAST(p.key AS INTEGER) AS part,
       'system' AS role, iif(p.type = 'object', coalesce(json_extract(p.value, '$.type'), 'text'), 'text') AS kind,
       iif(p.type = 'object', json_extract(p.value, '$.content'), p.value) AS text,
       NULL AS tool_name, NULL AS tool_call_id, NULL AS arguments, NULL AS finish_reason
  FROM spans s,
       json_each(CASE WHEN json_valid(json_extract(s.attrs, '$."gen_ai.system_instructions"'))
                       AND json_type(json_extract(s.attrs, '$."gen_ai.system_instructions"')) = 'array'
                      THEN json_extract(s.attrs, '$."gen_ai.system_instructions"')
                      ELSE json_array(json_extract(s.attrs, '$."gen_ai.system_instructions"')) END) p
 WHERE s.attrs IS NOT NULL AND json_extract(s.attrs, '$."gen_ai.system_instructions"') IS NOT NULL
UNION ALL
SELECT s.trace_id, s.span_id, k.source, CAST(m.key AS INTEGER), CAST(p.key AS INTEGER),
       json_extract(m.value, '$.role'), coalesce(json_extract(p.value, '$.type'), 'text'),
       coalesce(json_extract(p.value, '$.content'), json_extract(p.value, '$.response')),
       json_extract(p.value, '$.name'), json_extract(p.value, '$.id'),
       json_extract(p.value, '$.arguments'),
       json_extract(m.value, '$.finish_reason')
  FROM spans s,
       (SELECT 'input' AS source, '$."gen_ai.input.messages"' AS path
        UNION ALL SELECT 'output', '$."gen_ai.output.messages"') k,
       json_each(iif(json_valid(json_extract(s.attrs, k.path)), json_extract(s.attrs, k.path), '[]')) m,
       json_each(iif(m.type = 'object', m.value, '{}'), '$.parts') p
 WHERE s.attrs IS NOT NULL AND json_extract(s.attrs, k.path) IS NOT NULL AND m.type = 'object'
   AND p.type = 'object'
UNION ALL
SELECT e.trace_id, e.span_id, 'event', e.seq, 0,
       CASE e.name WHEN 'gen_ai.choice' THEN coalesce(json_extract(e.attrs, '$.message.role'),
                                                      json_extract(e.attrs, '$."message.role"'), 'assistant')
                   ELSE coalesce(json_extract(e.attrs, '$.role'), substr(e.name, 8, length(e.name) - 15)) END,
       'text',
       coalesce(json_extract(e.attrs, '$.content'), json_extract(e.attrs, '$.message.content'),
                json_extract(e.attrs, '$."message.content"')),
       NULL, json_extract(e.attrs, '$.id'), NULL, json_extract(e.attrs, '$.finish_reason')
  FROM span_events e
 WHERE e.name IN ('gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.assistant.message',
                  'gen_ai.tool.message', 'gen_ai.choice');

-- One row per evaluation result (an event gen_ai.evaluation.result):
-- trace_id, span_id: the span it evaluates: the span with the event's
-- gen_ai.response.id in the same trace where the event names one, else the
-- span that carries the event; event_span_id: that carrier; name, value,
-- label, explanation: gen_ai.evaluation.name, .score.value, .score.label,
-- .explanation.
CREATE VIEW span_scores AS
SELECT e.trace_id,
       coalesce((SELECT r.span_id FROM spans r
                  WHERE r.trace_id = e.trace_id AND r.attrs IS NOT NULL
                    AND json_extract(r.attrs, '$."gen_ai.response.id"') = json_extract(e.attrs, '$."gen_ai.response.id"')
                  LIMIT 1), e.span_id) AS span_id,
       e.span_id AS event_span_id, e.time_ns,
       json_extract(e.attrs, '$."gen_ai.evaluation.name"') AS name,
       json_extract(e.attrs, '$."gen_ai.evaluation.score.value"') AS value,
       json_extract(e.attrs, '$."gen_ai.evaluation.score.label"') AS label,
       json_extract(e.attrs, '$."gen_ai.evaluation.explanation"') AS explanation,
       json_extract(e.attrs, '$."gen_ai.response.id"') AS response_id
  FROM span_events e
 WHERE e.name = 'gen_ai.evaluation.result';
