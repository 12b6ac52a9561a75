-- The trace browser's conversations page (GET /api/conversations): two
-- statements over the conversations view (sql/genai_views.sql).  ?1 since,
-- ?2 until (ns: conversations whose first trace starts in [since, until)),
-- ?3 one conversation's id (NULL: none chosen), ?4 a label and ?5 a
-- service one of its traces has (NULL: any).
-- 1. the conversations, the latest active first, at most 500.
SELECT conversation_id, traces, turns, first_ns, last_ns - first_ns AS span_ns, tokens_in, tokens_out,
       cost, p50_ns, p90_ns, errors
  FROM conversations
 WHERE (?1 IS NULL OR first_ns >= ?1) AND (?2 IS NULL OR first_ns < ?2)
   AND (?4 IS NULL AND ?5 IS NULL OR conversation_id IN (
         SELECT coalesce(json_extract(s.attrs, '$."gen_ai.conversation.id"'), json_extract(s.attrs, '$."session.id"'))
           FROM traces t JOIN spans s ON s.trace_id = t.trace_id
          WHERE (?4 IS NULL OR t.label = ?4) AND (?5 IS NULL OR t.service = ?5) AND s.attrs IS NOT NULL))
 ORDER BY last_ns DESC LIMIT 500;
-- 2. the chosen conversation's traces, in time order.
SELECT t.trace_id, t.start_ns, t.end_ns - t.start_ns AS duration_ns, coalesce(t.root_name, '(no root)') AS root,
       t.tokens_in + t.tokens_out AS tokens, t.errors
  FROM traces t
 WHERE ?3 IS NOT NULL AND t.trace_id IN (
         SELECT trace_id FROM spans
          WHERE attrs IS NOT NULL AND coalesce(json_extract(attrs, '$."gen_ai.conversation.id"'),
                                               json_extract(attrs, '$."session.id"')) = ?3)
 ORDER BY t.start_ns;
