-- tracelm conversations: the conversations view (sql/genai_views.sql),
-- costliest first.  ?1 the most rows (-1: all).
SELECT conversation_id AS "conversation", traces, turns,
       strftime('%Y-%m-%d %H:%M:%S', first_ns / 1000000000, 'unixepoch') AS "first",
       format_duration(last_ns - first_ns) AS "span",
       tokens_in AS "tokens in", tokens_out AS "tokens out", printf('$%.4f', cost) AS "cost",
       format_duration(p50_ns) AS "p50", format_duration(p90_ns) AS "p90", errors
  FROM conversations
 ORDER BY cost DESC, last_ns DESC
 LIMIT CAST(?1 AS INTEGER);
