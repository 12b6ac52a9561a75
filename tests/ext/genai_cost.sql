-- The GenAI conventions' token buckets, each priced at its own rate
-- (sql/cost_views.sql, docs/genai.md): gen_ai.usage.input_tokens includes
-- cache reads and cache writes, output_tokens includes reasoning.  Each
-- value is worked out by hand in the comment above its span, with the
-- default price list's rates (USD per million tokens).
.mode list
SELECT tracelm_init();
-- A reasoning model with a reasoning rate of its own, for the last case.
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok, reasoning_per_mtok)
  VALUES ('thinker-1', 'acme', 1, 2, 8);
-- Every span on 2025-04-01 (1743465600 s), so the default list is in force.
CREATE TEMP VIEW add_call(id, name, model, tokens_in, tokens_out, status, attrs) AS SELECT 1,1,1,1,1,1,1;
CREATE TEMP TRIGGER add_call_insert INSTEAD OF INSERT ON add_call BEGIN
  INSERT INTO spans(trace_id, span_id, name, start_ns, end_ns, model, tokens_in, tokens_out, status, attrs)
  VALUES (printf('%032x', 40), printf('%016x', NEW.id), NEW.name, 1743465600000000000 + NEW.id,
          1743465600100000000, NEW.model, NEW.tokens_in, NEW.tokens_out, NEW.status, NEW.attrs);
END;
INSERT INTO add_call VALUES
 -- OpenAI-style, cached inside input: gpt-4o-mini 0.15 in, 0.075 cache read, 0.60 out;
 -- 1000 in of which 400 read from the cache, 200 out:
 -- (600 * 0.15 + 400 * 0.075 + 200 * 0.60) / 1e6 = (90 + 30 + 120) / 1e6 = 0.00024
 (1, 'openai_cached', 'gpt-4o-mini', 1000, 200, 'ok', '{"gen_ai.usage.cache_read.input_tokens":400}'),
 -- Anthropic-style, a cache write and a read: claude-3-5-sonnet 3.00 in, 0.30 read,
 -- 3.75 write, 15.00 out; 3000 in = 500 plain + 1000 read + 1500 written, 100 out:
 -- (500 * 3 + 1000 * 0.30 + 1500 * 3.75 + 100 * 15) / 1e6 = (1500 + 300 + 5625 + 1500) / 1e6 = 0.008925
 (2, 'anthropic_cache', 'claude-3-5-sonnet-20241022', 3000, 100, 'ok',
  '{"gen_ai.usage.cache_read.input_tokens":1000,"gen_ai.usage.cache_creation.input_tokens":1500}'),
 -- A reasoning model priced as output: o3-mini 1.10 in, 4.40 out, no reasoning rate;
 -- 500 in, 2000 out of which 1500 reasoning: (500 * 1.10 + 2000 * 4.40) / 1e6 = 0.00935
 (3, 'reasoning_as_output', 'o3-mini', 500, 2000, 'ok', '{"gen_ai.usage.reasoning.output_tokens":1500}'),
 -- A reasoning rate of its own: 1 in, 2 out, 8 reasoning; 100 in, 1000 out of which 600 reasoning:
 -- (100 * 1 + 400 * 2 + 600 * 8) / 1e6 = (100 + 800 + 4800) / 1e6 = 0.0057
 (4, 'reasoning_rate', 'thinker-1', 100, 1000, 'ok', '{"gen_ai.usage.reasoning.output_tokens":600}'),
 -- Older names still read: TraceLM's own before version 6 (gpt-4o 2.50 in, 1.25 cached, 10 out):
 -- (600 * 2.50 + 400 * 1.25 + 10 * 10) / 1e6 = (1500 + 500 + 100) / 1e6 = 0.0021
 (5, 'old_names', 'gpt-4o', 1000, 10, 'ok', '{"gen_ai.usage.cached_input_tokens":400}'),
 -- ... and OpenInference's: claude-3-5-haiku 0.80 in, 0.08 read, 1.00 write, 4.00 out;
 -- 2000 in = 1000 plain + 500 read + 500 written, 50 out:
 -- (1000 * 0.80 + 500 * 0.08 + 500 * 1.00 + 50 * 4) / 1e6 = (800 + 40 + 500 + 200) / 1e6 = 0.00154
 (6, 'openinference', 'claude-3-5-haiku-20241022', 2000, 50, 'ok',
  '{"llm.token_count.prompt_details.cache_read":500,"llm.token_count.prompt_details.cache_write":500}'),
 -- The conventions' name wins over an older one given too: 400 read, not 900.
 -- (600 * 0.15 + 400 * 0.075) / 1e6 = (90 + 30) / 1e6 = 0.00012
 (7, 'both_names', 'gpt-4o-mini', 1000, 0, 'ok',
  '{"gen_ai.usage.cache_read.input_tokens":400,"gen_ai.usage.cached_input_tokens":900}'),
 -- A failed call that produced nothing costs its input: 1200 * 0.15 / 1e6 = 0.00018
 (8, 'failed_call', 'gpt-4o-mini', 1200, 0, 'error', NULL);
SELECT name, cached_tokens, cache_creation_tokens, reasoning_tokens, printf('%.8f', cost), cost_source
  FROM span_cost ORDER BY span_id;
-- The stored facts carry the same buckets and costs.
SELECT 'facts', count(*) FROM span_stats(NULL);
SELECT 'fact', f.seq, f.cache_read_tokens, f.cache_creation_tokens, f.reasoning_tokens, printf('%.8f', f.cost)
  FROM span_facts f JOIN spans s ON s.rowid = f.span_rowid ORDER BY s.span_id;
-- What `tracelm prices list` shows of the cache rates.
SELECT model_pattern, cached_input_per_mtok, cache_write_per_mtok FROM model_prices
 WHERE provider = 'anthropic' ORDER BY model_pattern;
