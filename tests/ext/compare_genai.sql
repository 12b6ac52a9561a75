-- compare_runs on LLM pipelines: the time to first chunk of their calls
-- and the scores their answers got (gen_ai.evaluation.result events).
--
-- Ten runs a side, each an agent with one streamed chat and one
-- relevance score on it:
--   ttft   fast: 100 110 ... 190 ms     slow: 300 310 ... 390 ms
--          every fast sample below every slow one: U(fast) = 0;
--          n1 = n2 = 10, mean 50, no ties: variance = 100 * 21 / 12 = 175,
--          z = (50 - 0.5) / 13.2288 = 3.7418, p = erfc(z / sqrt 2) = 0.000183.
--          p50 = the 5th: 140 and 340 ms (+142.9 %).
--   score  fast: 0.9 every time          slow: 0.5 every time
--          U(fast) = 100 (fast higher in every pair), above its mean 50:
--          the slow side is worse.  Two runs of 10 tied values:
--          ties = 2 * (1000 - 10) = 1980, variance = 100 / 12 *
--          (21 - 1980 / (20 * 19)) = 131.579, z = 49.5 / 11.4708 = 4.3153,
--          p = 1.59e-05.
--   The judge also scored 'tone' on the fast side only: 'removed'.
.mode list
.headers on
SELECT tracelm_init() AS version;
.headers off
WITH RECURSIVE run(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM run WHERE i < 9),
side(label, prefix, ttft_ms, score) AS (SELECT 'fast', 'a', 100, 0.9 UNION ALL SELECT 'slow', 'b', 300, 0.5)
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, status, model, tokens_in, tokens_out, attrs)
SELECT printf('%s%031x', prefix, i), '0000000000000001', NULL, 'invoke_agent', i * 1000000000,
       i * 1000000000 + 900000000, 'ok', NULL, 0, 0, '{"gen_ai.operation.name":"invoke_agent"}' FROM run, side
UNION ALL
SELECT printf('%s%031x', prefix, i), '0000000000000002', '0000000000000001', 'chat', i * 1000000000,
       i * 1000000000 + 800000000, 'ok', 'gpt-4o-mini', 100, 50,
       json_object('gen_ai.operation.name', 'chat',
                   'gen_ai.response.time_to_first_chunk', (ttft_ms + 10 * i) / 1000.0,
                   'gen_ai.response.id', 'r' || prefix || i) FROM run, side;
UPDATE traces SET label = iif(substr(trace_id, 1, 1) = 'a', 'fast', 'slow');
WITH RECURSIVE run(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM run WHERE i < 9)
INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs)
SELECT printf('%s%031x', prefix, i), '0000000000000001', k, i * 1000000000 + 900000000,
       'gen_ai.evaluation.result',
       json_object('gen_ai.evaluation.name', what, 'gen_ai.evaluation.score.value', score,
                   'gen_ai.response.id', 'r' || prefix || i)
  FROM run, (SELECT 'a' AS prefix, 0.9 AS score, 0 AS k, 'relevance' AS what UNION ALL
             SELECT 'b', 0.5, 0, 'relevance' UNION ALL SELECT 'a', 1, 1, 'tone');

.headers on
SELECT path, kind, n_a, n_b, ttft_p50_a, ttft_p50_b, round(ttft_change_pct, 1) AS ttft_change_pct,
       iif(ttft_p_value IS NULL, NULL, printf('%.3g', ttft_p_value)) AS ttft_p_value, change
  FROM compare_runs('fast', 'slow') WHERE kind <> 'score';
SELECT path, kind, n_a, n_b, p50_a, p50_b, p90_b, round(p50_change_pct, 1) AS p50_change_pct, per_trace_a,
       u, printf('%.3g', p_value) AS p_value, significant, change, ttft_p50_a, tokens_in_a
  FROM compare_runs('fast', 'slow') WHERE kind = 'score';
.headers off
-- The same the other way round: the fast side is better.
SELECT path, change, u FROM compare_runs('slow', 'fast') WHERE kind = 'score';
-- A score of another trace, outside both sets, changes nothing.
INSERT INTO spans(trace_id, span_id, name, start_ns, end_ns) VALUES (printf('c%031x', 1), '0000000000000001', 'x', 0, 1);
INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs)
VALUES (printf('c%031x', 1), '0000000000000001', 0, 0, 'gen_ai.evaluation.result',
        '{"gen_ai.evaluation.name":"relevance","gen_ai.evaluation.score.value":0.0}');
SELECT path, n_a, n_b FROM compare_runs('fast', 'slow') WHERE kind = 'score';
-- A time window keeps the scores of the traces in it: runs 0 to 4 start before 5 s.
SELECT path, n_a, n_b FROM compare_runs('fast', 'slow', NULL, NULL, 5000000000) WHERE kind = 'score';
