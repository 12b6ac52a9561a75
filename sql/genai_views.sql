-- LLM calls, tools and conversations (schema version 6), as the
-- OpenTelemetry GenAI conventions name them; docs/genai.md lists the
-- attributes read.  Plain views over spans and span_cost: a filter on
-- trace_id uses the spans index.
DROP VIEW IF EXISTS llm_calls;
DROP VIEW IF EXISTS tool_calls;
DROP VIEW IF EXISTS conversations;

-- One row per LLM call: a span with a model, or whose gen_ai.operation.name
-- is one of a model's (chat, text_completion, generate_content,
-- embeddings).  provider: gen_ai.provider.name, else the older
-- gen_ai.system, else the price row's.  ttft_ns: time to the first
-- streamed chunk, gen_ai.response.time_to_first_chunk (seconds; also
-- ..._first_token).  tokens_per_s: output tokens over the time after the
-- first chunk (the whole call where there is no ttft).
CREATE VIEW llm_calls AS
SELECT span_rowid, span_id, trace_id, name, model, provider, operation, duration_ns,
       CAST(round(1e9 * ttft_s) AS INTEGER) AS ttft_ns,
       tokens_in, tokens_out, cache_read_tokens, cache_creation_tokens, reasoning_tokens,
       iif(tokens_out > 0 AND duration_ns - coalesce(1e9 * ttft_s, 0) > 0,
           tokens_out * 1e9 / (duration_ns - coalesce(1e9 * ttft_s, 0)), NULL) AS tokens_per_s,
       finish_reasons, cost, status
  FROM (SELECT c.span_rowid, c.span_id, c.trace_id, c.name, c.model,
               coalesce(json_extract(s.attrs, '$."gen_ai.provider.name"'),
                        json_extract(s.attrs, '$."gen_ai.system"'),
                        (SELECT p.provider FROM model_prices p
                          WHERE p.model_pattern = c.price_pattern AND p.valid_from = c.price_from)) AS provider,
               json_extract(s.attrs, '$."gen_ai.operation.name"') AS operation,
               s.end_ns - s.start_ns AS duration_ns,
               coalesce(json_extract(s.attrs, '$."gen_ai.response.time_to_first_chunk"'),
                        json_extract(s.attrs, '$."gen_ai.response.time_to_first_token"')) AS ttft_s,
               c.tokens_in, c.tokens_out, c.cached_tokens AS cache_read_tokens, c.cache_creation_tokens,
               c.reasoning_tokens,
               json_extract(s.attrs, '$."gen_ai.response.finish_reasons"') AS finish_reasons,
               c.cost, s.status
          FROM span_cost c JOIN spans s ON s.rowid = c.span_rowid
         WHERE s.model IS NOT NULL
            OR json_extract(s.attrs, '$."gen_ai.operation.name"')
               IN ('chat', 'text_completion', 'generate_content', 'embeddings'));

-- One row per tool: the spans that executed it (gen_ai.operation.name
-- 'execute_tool', or a gen_ai.tool.name), named by gen_ai.tool.name, else
-- the span's name less its 'execute_tool ' prefix.  p50/p90 by nearest
-- rank, as span_stats.
CREATE VIEW tool_calls AS
WITH tool_spans AS (
  SELECT coalesce(json_extract(attrs, '$."gen_ai.tool.name"'),
                  iif(name LIKE 'execute_tool %', substr(name, 14), name)) AS tool,
         trace_id, end_ns - start_ns AS duration_ns, status = 'error' AS failed
    FROM spans
   WHERE attrs IS NOT NULL AND (json_extract(attrs, '$."gen_ai.operation.name"') = 'execute_tool'
                                OR json_extract(attrs, '$."gen_ai.tool.name"') IS NOT NULL)),
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
-- gen_ai.conversation.id (or OpenInference's session.id).  turns: its LLM
-- calls; p50/p90 of its traces' durations, by nearest rank; errors: spans
-- with status 'error'.
CREATE VIEW conversations AS
WITH trace_conversation AS (
  SELECT trace_id, max(coalesce(json_extract(attrs, '$."gen_ai.conversation.id"'),
                                json_extract(attrs, '$."session.id"'))) AS conversation_id
    FROM spans WHERE attrs IS NOT NULL GROUP BY trace_id),
conversation_traces AS (
  SELECT tc.conversation_id, t.trace_id, t.start_ns, t.end_ns, t.end_ns - t.start_ns AS duration_ns,
         t.tokens_in, t.tokens_out, t.errors,
         (SELECT total(c.cost) FROM span_cost c WHERE c.trace_id = t.trace_id) AS cost,
         (SELECT count(*) FROM llm_calls l WHERE l.trace_id = t.trace_id
             AND coalesce(l.operation, 'chat') <> 'embeddings') AS turns,
         row_number() OVER (PARTITION BY tc.conversation_id ORDER BY t.end_ns - t.start_ns) AS r,
         count(*) OVER (PARTITION BY tc.conversation_id) AS n
    FROM trace_conversation tc JOIN traces t USING (trace_id)
   WHERE tc.conversation_id IS NOT NULL)
SELECT conversation_id, count(*) AS traces, sum(turns) AS turns, min(start_ns) AS first_ns,
       max(end_ns) AS last_ns, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out,
       sum(cost) AS cost,
       max(iif(r = (n * 50 + 99) / 100, duration_ns, NULL)) AS p50_ns,
       max(iif(r = (n * 90 + 99) / 100, duration_ns, NULL)) AS p90_ns,
       sum(errors) AS errors
  FROM conversation_traces GROUP BY conversation_id;
