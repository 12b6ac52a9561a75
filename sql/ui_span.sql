-- The trace browser's span detail (GET /api/span?trace=&span=): three
-- statements on ?1 trace id, ?2 span id.
-- 1. the span's columns, attributes, events and links, the attributes as
--    stored (JSON).
SELECT s.span_id, s.parent_id, s.name, s.kind, s.start_ns, s.end_ns, s.end_ns - s.start_ns AS duration_ns,
       s.status, s.status_message, s.tokens_in, s.tokens_out, c.cost, c.cost_source, s.model, s.service,
       s.thread_id, s.attrs,
       (SELECT json_group_array(json_object('time_ns', e.time_ns, 'name', e.name, 'attrs', json(e.attrs)))
          FROM span_events e WHERE e.trace_id = s.trace_id AND e.span_id = s.span_id) AS events,
       (SELECT json_group_array(json_object('trace_id', l.linked_trace_id, 'span_id', l.linked_span_id))
          FROM span_links l WHERE l.trace_id = s.trace_id AND l.span_id = s.span_id) AS links
  FROM spans s, (SELECT cost, cost_source FROM span_cost WHERE trace_id = ?1 AND span_id = ?2) c
 WHERE s.trace_id = ?1 AND s.span_id = ?2;
-- 2. what the call said: its messages (sql/genai_content.sql).
SELECT source, message, part, role, kind, text, tool_name, tool_call_id, arguments, finish_reason
  FROM span_messages WHERE trace_id = ?1 AND span_id = ?2
 ORDER BY source = 'event', source = 'output', source = 'input', message, part;
-- 3. how it was judged: its evaluation results.
SELECT name, value, label, explanation FROM span_scores WHERE trace_id = ?1 AND span_id = ?2 ORDER BY time_ns, name;
