-- LLM calls, tools and conversations (schema version 6; 8 reads them all
-- from the one GenAI mapping, span_genai in sql/genai_mapping.sql).
-- Plain views over span_genai and span_cost: a filter on trace_id uses
-- the spans index.
DROP VIEW IF EXISTS llm_calls;
DROP VIEW IF EXISTS tool_calls;
DROP VIEW IF EXISTS conversations;

-- One row per LLM call (span_genai.is_llm): a span with a model, or whose
-- operation is a model's (chat, text_completion, generate_content,
-- embeddings).  provider: span_genai's, else the price row's.
-- tokens_per_s: output tokens over the time after the first chunk (the
-- whole call where there is no ttft).
CREATE VIEW llm_calls AS
SELECT c.span_rowid, c.span_id, c.trace_id, c.name, c.model,
       coalesce(g.provider, (SELECT p.provider FROM model_prices p
                              WHERE p.model_pattern = c.price_pattern AND p.valid_from = c.price_from)) AS provider,
       g.operation, g.end_ns - g.start_ns AS duration_ns, g.ttft_ns,
       c.tokens_in, c.tokens_out, c.cached_tokens AS cache_read_tokens, c.cache_creation_tokens,
       c.reasoning_tokens,
       iif(c.tokens_out > 0 AND g.end_ns - g.start_ns - coalesce(g.ttft_ns, 0) > 0,
           c.tokens_out * 1e9 / (g.end_ns - g.start_ns - coalesce(g.ttft_ns, 0)), NULL) AS tokens_per_s,
       g.finish_reasons, c.cost, g.status, g.response_model, g.response_id, g.conversation_id,
       g.start_ns
  FROM span_genai g JOIN span_cost c ON c.span_rowid = g.span_rowid
 WHERE g.is_llm;

-- One row per tool (span_genai.is_tool): the spans that executed it,
-- named by span_genai.tool_name (else the span's name).  p50/p90 by
-- nearest rank, as span_stats.
CREATE VIEW tool_calls AS
WITH tool_spans AS (
  SELECT coalesce(tool_name, name) AS tool, trace_id, end_ns - start_ns AS duration_ns,
         status = 'error' AS failed
    FROM span_genai WHERE is_tool),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY tool ORDER BY duration_ns) AS r,
         count(*) OVER (PARTITION BY tool) AS n FROM tool_spans)
SELECT tool, count(*) AS calls, sum(failed) AS errors, count(DISTINCT trace_id) AS traces,
       round(count(*) * 1.0 / count(DISTINCT trace_id), 3) AS calls_per_trace,
       max(iif(r = (n * 50 + 99) / 100, duration_ns, NULL)) AS p50_ns,
       max(iif(r = (n * 90 + 99) / 100, duration_ns, NULL)) AS p90_ns,
       sum(duration_ns) AS total_ns
  FROM ranked GROUP BY tool;

-- One row per conversation: the traces any of whose spans carries
-- gen_ai.conversation.id (or OpenInference's session.id), found in one
-- pass over span_genai.  turns: its LLM calls but embeddings; p50/p90 of
-- its traces' durations, by nearest rank; errors: spans with status
-- 'error'.  A trace's cost is its facts' (trace_facts) where they are
-- current (the trace not marked, no price change pending), else summed
-- from span_cost: the same number, without pricing every span again.
CREATE VIEW conversations AS
WITH trace_conversation AS (
  SELECT trace_id, max(conversation_id) AS conversation_id,
         sum(is_llm AND coalesce(operation, 'chat') <> 'embeddings') AS turns
    FROM span_genai GROUP BY trace_id HAVING max(conversation_id) IS NOT NULL),
conversation_traces AS (
  SELECT tc.conversation_id, t.trace_id, t.start_ns, t.end_ns, t.end_ns - t.start_ns AS duration_ns,
         t.tokens_in, t.tokens_out, t.errors, tc.turns,
         coalesce((SELECT f.cost FROM trace_facts f
                    WHERE f.trace_id = t.trace_id
                      AND NOT EXISTS (SELECT 1 FROM facts_dirty d WHERE d.trace_id = t.trace_id)
                      AND NOT EXISTS (SELECT 1 FROM facts_dirty_prices)),
                  (SELECT total(c.cost) FROM span_cost c WHERE c.trace_id = t.trace_id)) AS cost,
         row_number() OVER (PARTITION BY tc.conversation_id ORDER BY t.end_ns - t.start_ns) AS r,
         count(*) OVER (PARTITION BY tc.conversation_id) AS n
    FROM trace_conversation tc JOIN traces t USING (trace_id))
SELECT conversation_id, count(*) AS traces, sum(turns) AS turns, min(start_ns) AS first_ns,
       max(end_ns) AS last_ns, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out,
       sum(cost) AS cost,
       max(iif(r = (n * 50 + 99) / 100, duration_ns, NULL)) AS p50_ns,
       max(iif(r = (n * 90 + 99) / 100, duration_ns, NULL)) AS p90_ns,
       sum(errors) AS errors
  FROM conversation_traces GROUP BY conversation_id;
