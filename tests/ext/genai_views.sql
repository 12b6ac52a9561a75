-- llm_calls, tool_calls and conversations (sql/genai_views.sql) on an
-- agent's two turns of one conversation and a third trace of another:
-- each value below is the fixture's, worked out in the comments.
.mode list
SELECT tracelm_init();
CREATE TEMP VIEW add_genai(t, id, parent, name, start_ms, end_ms, status, model, tokens_in, tokens_out, attrs)
  AS SELECT 1,1,1,1,1,1,1,1,1,1,1;
CREATE TEMP TRIGGER add_insert INSTEAD OF INSERT ON add_genai BEGIN
  INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, status, model, tokens_in,
                    tokens_out, attrs)
  VALUES (printf('%032x', NEW.t), printf('%016x', NEW.id), iif(NEW.parent IS NULL, NULL, printf('%016x', NEW.parent)),
          NEW.name, 1743465600000000000 + NEW.start_ms * 1000000, 1743465600000000000 + NEW.end_ms * 1000000,
          NEW.status, NEW.model, NEW.tokens_in, NEW.tokens_out, NEW.attrs);
END;
INSERT INTO add_genai VALUES
 -- Turn 1 of conversation c-1 (1000 ms): a streamed chat (ttft 0.2 s, 300 out
 -- over the 800 ms after it: 375 tokens/s), a tool, a second chat.
 (1, 1, NULL, 'invoke_agent helper', 0, 1000, 'ok', NULL, 0, 0,
  '{"gen_ai.operation.name":"invoke_agent","gen_ai.agent.name":"helper","gen_ai.conversation.id":"c-1"}'),
 (1, 2, 1, 'chat gpt-4o-mini', 0, 1000, 'ok', 'gpt-4o-mini', 1000, 300,
  '{"gen_ai.operation.name":"chat","gen_ai.provider.name":"openai","gen_ai.response.time_to_first_chunk":0.2,"gen_ai.response.finish_reasons":["tool_calls"]}'),
 (1, 3, 1, 'execute_tool search', 100, 150, 'ok', NULL, 0, 0,
  '{"gen_ai.operation.name":"execute_tool","gen_ai.tool.name":"search","gen_ai.tool.call.id":"call_1"}'),
 -- No ttft: 100 out over the whole 500 ms, 200 tokens/s; the provider from the price row.
 (1, 4, 1, 'chat', 200, 700, 'ok', 'claude-3-5-haiku-20241022', 200, 100, '{"gen_ai.operation.name":"chat"}'),
 -- Turn 2 of c-1 (400 ms): a failed chat, then the tool twice, one failing.
 (2, 1, NULL, 'invoke_agent helper', 2000, 2400, 'ok', NULL, 0, 0, '{"gen_ai.conversation.id":"c-1"}'),
 (2, 2, 1, 'chat', 2000, 2100, 'error', 'gpt-4o-mini', 500, 0, '{"gen_ai.system":"openai"}'),
 (2, 3, 1, 'execute_tool search', 2100, 2130, 'ok', NULL, 0, 0, '{"gen_ai.operation.name":"execute_tool"}'),
 (2, 4, 1, 'execute_tool search', 2130, 2200, 'error', NULL, 0, 0, '{"gen_ai.operation.name":"execute_tool"}'),
 -- Another conversation, by OpenInference's session.id (200 ms), and an embedding.
 (3, 1, NULL, 'rag', 5000, 5200, 'ok', NULL, 0, 0, '{"session.id":"s-9"}'),
 (3, 2, 1, 'embed', 5000, 5050, 'ok', 'text-embedding-3-small', 40, 0, '{"gen_ai.operation.name":"embeddings"}'),
 (3, 3, 1, 'calculator', 5100, 5110, 'ok', NULL, 0, 0, '{"gen_ai.tool.name":"calculator"}');

-- Costs: gpt-4o-mini (1000 * 0.15 + 300 * 0.60) / 1e6 = 0.00033; haiku (200 * 0.80 + 100 * 4) / 1e6
-- = 0.00056; the failed call its input, 500 * 0.15 / 1e6 = 0.000075; the embedding 40 * 0.02 / 1e6 = 0.0000008.
SELECT trace_id = printf('%032x', 1) AS t1, name, model, provider, operation, duration_ns, ttft_ns,
       tokens_in, tokens_out, round(tokens_per_s, 1), finish_reasons, printf('%.7f', cost), status
  FROM llm_calls ORDER BY span_rowid;

-- search: 3 calls in 2 traces (50, 30, 70 ms: p50 50, p90 70), one failed; calculator once.
SELECT * FROM tool_calls ORDER BY tool;

-- c-1: 2 traces, 3 turns (chats), 0 to 2400 ms, tokens 1700 in / 400 out,
-- cost 0.00033 + 0.00056 + 0.000075 = 0.000965; durations 400, 1000 ms:
-- p50 400, p90 1000; errors: the failed chat and tool.  s-9: one trace, no chat.
SELECT conversation_id, traces, turns, first_ns - 1743465600000000000, last_ns - 1743465600000000000,
       tokens_in, tokens_out, printf('%.7f', cost), p50_ns, p90_ns, errors
  FROM conversations ORDER BY conversation_id;

-- trace_anomalies on an agent in trouble: two failed LLM calls and a
-- retry that worked (a retry storm), and one search asked the same thing
-- four times, another once (an agent loop from the third call on).
INSERT INTO add_genai VALUES
 (4, 1, NULL, 'invoke_agent stuck', 9000, 9900, 'ok', NULL, 0, 0, '{"gen_ai.operation.name":"invoke_agent"}'),
 (4, 2, 1, 'chat', 9000, 9050, 'error', 'gpt-4o-mini', 100, 0, NULL),
 (4, 3, 1, 'chat', 9060, 9110, 'error', 'gpt-4o-mini', 100, 0, NULL),
 (4, 4, 1, 'chat', 9120, 9300, 'ok', 'gpt-4o-mini', 100, 20, NULL),
 (4, 5, 1, 'execute_tool search', 9310, 9320, 'ok', NULL, 0, 0,
  '{"gen_ai.tool.name":"search","gen_ai.tool.call.arguments":"{\"q\":\"weather\"}"}'),
 (4, 6, 1, 'execute_tool search', 9330, 9340, 'ok', NULL, 0, 0,
  '{"gen_ai.tool.name":"search","gen_ai.tool.call.arguments":"{\"q\":\"weather\"}"}'),
 (4, 7, 1, 'execute_tool search', 9350, 9360, 'ok', NULL, 0, 0,
  '{"gen_ai.tool.name":"search","gen_ai.tool.call.arguments":"{\"q\":\"news\"}"}'),
 (4, 8, 1, 'execute_tool search', 9370, 9380, 'ok', NULL, 0, 0,
  '{"gen_ai.tool.name":"search","gen_ai.tool.call.arguments":"{\"q\":\"weather\"}"}'),
 (4, 9, 1, 'execute_tool search', 9390, 9400, 'ok', NULL, 0, 0,
  '{"gen_ai.tool.name":"search","gen_ai.tool.call.arguments":"{\"q\":\"weather\"}"}');
SELECT span_id, name, kind, detail FROM trace_anomalies(printf('%032x', 4))
 WHERE kind IN ('retry_storm', 'agent_loop');
-- Turn 1 of c-1 above: a retry storm needs two failures, and no search repeats.
SELECT count(*) FROM trace_anomalies(printf('%032x', 2)) WHERE kind IN ('retry_storm', 'agent_loop');

-- The one GenAI mapping (span_genai): the conventions' names, and the
-- older and OpenInference names where the newer are absent.
INSERT INTO add_genai VALUES
 -- new names: an agent, a chat answered by a dated model, a function tool
 (6, 1, NULL, 'invoke_agent planner', 0, 100, 'ok', NULL, 0, 0,
  '{"gen_ai.operation.name":"invoke_agent","gen_ai.agent.name":"planner","gen_ai.agent.id":"agent-7","gen_ai.conversation.id":"c-2"}'),
 (6, 2, 1, 'chat gpt-4o', 0, 50, 'ok', 'gpt-4o', 10, 5,
  '{"gen_ai.operation.name":"chat","gen_ai.provider.name":"openai","gen_ai.system":"old","gen_ai.response.model":"gpt-4o-2024-08-06","gen_ai.response.id":"resp-1","gen_ai.response.finish_reasons":["stop"],"gen_ai.response.time_to_first_token":0.025}'),
 (6, 3, 1, 'execute_tool lookup', 50, 60, 'ok', NULL, 0, 0,
  '{"gen_ai.operation.name":"execute_tool","gen_ai.tool.name":"lookup","gen_ai.tool.call.id":"call_9","gen_ai.tool.type":"function","gen_ai.tool.call.arguments":"{\"id\":3}"}'),
 -- OpenInference: span kinds, llm.provider, session.id, tool.name
 (6, 4, 1, 'ChatCompletion', 60, 90, 'ok', NULL, 0, 0,
  '{"openinference.span.kind":"LLM","llm.provider":"anthropic","session.id":"s-old"}'),
 (6, 5, 1, 'lookup_tool', 90, 95, 'ok', NULL, 0, 0, '{"openinference.span.kind":"TOOL","tool.name":"lookup"}'),
 -- the older gen_ai.system, and a tool known only by its span's name
 (6, 6, 1, 'chat', 95, 99, 'ok', 'mistral-small', 1, 1, '{"gen_ai.system":"mistral_ai"}'),
 (6, 7, 1, 'execute_tool fetch', 99, 100, 'ok', NULL, 0, 0, NULL);
.headers on
SELECT span_id, operation, provider, request_model, response_model, response_id, finish_reasons,
       conversation_id, ttft_ns, tool_name, tool_call_id, tool_type, tool_arguments, agent_name, agent_id,
       is_llm, is_tool
  FROM span_genai WHERE trace_id = printf('%032x', 6) ORDER BY span_id;
-- llm_calls carries the response model and id and the conversation.
SELECT span_id, model, response_model, response_id, conversation_id, ttft_ns FROM llm_calls
 WHERE trace_id = printf('%032x', 6) ORDER BY span_id;
.headers off

-- slow_first_token: ten more streamed gpt-4o-mini calls, first chunks
-- after 0.1 s to 1.0 s, make 11 in the database with trace 1's 0.2 s:
-- sorted 100, 200, 200, 300, ..., 1000 ms; the p90 by nearest rank is the
-- ceil(11 * 0.9) = 10th, 900 ms.  Only the 1.0 s call is past it; trace
-- 1's 0.2 s call is not.
INSERT INTO add_genai
WITH k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 10)
SELECT 5, 1, NULL, 'stream', 0, 20000, 'ok', NULL, 0, 0, NULL
UNION ALL
SELECT 5, 1 + i, 1, 'chat', i * 1500, i * 1500 + 1200, 'ok', 'gpt-4o-mini', 10, 10,
       json_object('gen_ai.response.time_to_first_chunk', i / 10.0) FROM k;
SELECT span_id, kind, detail FROM trace_anomalies(printf('%032x', 5)) WHERE kind = 'slow_first_token';
SELECT count(*) FROM trace_anomalies(printf('%032x', 1)) WHERE kind = 'slow_first_token';
-- The p90 is read from the facts, by model, through their index.
SELECT count(*), min(ttft_ns), max(ttft_ns) FROM span_facts WHERE model = 'gpt-4o-mini' AND ttft_ns IS NOT NULL;
EXPLAIN QUERY PLAN SELECT ttft_ns FROM span_facts WHERE model = 'gpt-4o-mini' AND ttft_ns IS NOT NULL
 ORDER BY ttft_ns LIMIT 1 OFFSET 9;

-- conversations reads a trace's cost from its facts where they are current,
-- else from span_cost: the same numbers before and after the facts are built
-- (trace 6 has two ids: the greater, s-old, is its conversation), and never stale: a
-- change to a built trace (its mark) or to a price (a price mark) is seen.
SELECT conversation_id, printf('%.7f', cost) FROM conversations ORDER BY conversation_id;
SELECT facts_update() >= 0, (SELECT count(*) FROM facts_dirty), (SELECT count(*) FROM trace_facts) > 0;
SELECT conversation_id, printf('%.7f', cost) FROM conversations ORDER BY conversation_id;
UPDATE spans SET tokens_out = 1300 WHERE trace_id = printf('%032x', 1) AND span_id = printf('%016x', 2);
-- 1000 x 0.15 + 1300 x 0.60 = 930 -> 0.00093; c-1: 0.000965 - 0.00033 + 0.00093 = 0.001565
SELECT conversation_id, printf('%.7f', cost) FROM conversations WHERE conversation_id = 'c-1';
SELECT facts_update();
UPDATE model_prices SET output_per_mtok = 1.20 WHERE model_pattern = 'gpt-4o-mini*';
-- 1000 x 0.15 + 1300 x 1.20 = 1710 -> 0.00171; c-1: 0.001565 - 0.00093 + 0.00171 = 0.002345
SELECT conversation_id, printf('%.7f', cost) FROM conversations WHERE conversation_id = 'c-1';
