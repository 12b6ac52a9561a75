-- The trace browser's LLM page (GET /api/llm): two statements.  ?1 since,
-- ?2 until (ns, a call's trace starting in [since, until)), ?3 model, ?4
-- the trace's label, ?5 its service, each NULL for any.
-- 1. per model: calls, errors, tokens, cost, p50 latency and p50 time to
--    first token (nearest rank, over the calls that report one).
WITH calls AS (
  SELECT l.* FROM llm_calls l JOIN traces t ON t.trace_id = l.trace_id
   WHERE (?1 IS NULL OR t.start_ns >= ?1) AND (?2 IS NULL OR t.start_ns < ?2)
     AND (?3 IS NULL OR l.model = ?3) AND (?4 IS NULL OR t.label = ?4) AND (?5 IS NULL OR t.service = ?5)),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY model ORDER BY duration_ns) AS r,
         count(*) OVER (PARTITION BY model) AS n,
         row_number() OVER (PARTITION BY model ORDER BY ttft_ns IS NULL, ttft_ns) AS rt,
         count(ttft_ns) OVER (PARTITION BY model) AS nt
    FROM calls)
SELECT model, count(*) AS calls, sum(status = 'error') AS errors, sum(tokens_in) AS tokens_in,
       sum(tokens_out) AS tokens_out, sum(cache_read_tokens) AS cache_read_tokens, total(cost) AS cost,
       max(iif(r = (n * 50 + 99) / 100, duration_ns, NULL)) AS p50_ns,
       max(iif(rt = (nt * 50 + 99) / 100, ttft_ns, NULL)) AS ttft_p50_ns
  FROM ranked GROUP BY model
 ORDER BY cost DESC, calls DESC, model;
-- 2. the newest calls themselves, at most 200.
SELECT l.trace_id, l.span_id, l.name, l.model, l.provider, l.duration_ns, l.ttft_ns, l.tokens_in,
       l.tokens_out, l.cost, l.status
  FROM llm_calls l JOIN traces t ON t.trace_id = l.trace_id
 WHERE (?1 IS NULL OR t.start_ns >= ?1) AND (?2 IS NULL OR t.start_ns < ?2)
   AND (?3 IS NULL OR l.model = ?3) AND (?4 IS NULL OR t.label = ?4) AND (?5 IS NULL OR t.service = ?5)
 ORDER BY t.start_ns DESC, l.span_rowid LIMIT 200;
