-- compare_runs(set_a, set_b): two sets of five runs, built by hand.
--
-- Each run: rag (the root) with retrieve and llm under it.
--   retrieve  main: 10 11 12 13 14 ms     branch: 20 21 22 23 24 ms
--             Every main sample is below every branch one: U(main) = 0.
--             n1 = n2 = 5, mean n1 n2 / 2 = 12.5, no ties:
--             variance = n1 n2 (n1 + n2 + 1) / 12 = 25 * 11 / 12 = 22.9167,
--             z = (|0 - 12.5| - 0.5) / sqrt(22.9167) = 12 / 4.7871 = 2.5067,
--             p = erfc(z / sqrt 2) = 0.01219 < 0.05: significant, slower.
--             p50 by nearest rank = the ceil(0.5 * 5) = 3rd value: 12 and
--             22 ms (+83.3 %); p90 and p99 = the 5th: 14 and 24 ms.
--   llm       main: 10 12 14 16 18 ms     branch: 11 13 15 17 19 ms
--             Pairs where main is larger: 12>11, 14>11,13, 16>11,13,15,
--             18>four = 1 + 2 + 3 + 4 = 10 = U;
--             z = (|10 - 12.5| - 0.5) / 4.7871 = 0.4178, p = 0.6761: same.
--             Tokens 100 in / 10 out on main, 120 / 10 on branch: per run
--             110 -> 130 (+18.2 %); cost 0.001 -> 0.0012 (+20 %).
--   rag       100 101 102 103 104 ms on both sides: U = 12.5, p = 1, same.
-- One branch retrieve failed (error rate 1 of 5 = 0.2), and one branch run
-- has a rerank span main never had: 'added', 0.2 per trace.
.mode list
.headers on
SELECT tracelm_init() AS version;
.headers off
WITH RECURSIVE run(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM run WHERE i < 4),
side(label, prefix, retrieve_ms, llm_ms, tokens_in, cost) AS (
  SELECT 'main', 'a', 10, 10, 100, 0.001 UNION ALL SELECT 'branch', 'b', 20, 11, 120, 0.0012)
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, status, tokens_in, tokens_out, cost)
SELECT printf('%s%031x', prefix, i), '0000000000000001', NULL, 'rag',
       i * 1000000000, i * 1000000000 + (100 + i) * 1000000, 'ok', 0, 0, 0 FROM run, side
UNION ALL
SELECT printf('%s%031x', prefix, i), '0000000000000002', '0000000000000001', 'retrieve',
       i * 1000000000, i * 1000000000 + (retrieve_ms + i) * 1000000,
       iif(prefix = 'b' AND i = 3, 'error', 'ok'), 0, 0, 0 FROM run, side
UNION ALL
SELECT printf('%s%031x', prefix, i), '0000000000000003', '0000000000000001', 'llm',
       i * 1000000000 + 30000000, i * 1000000000 + 30000000 + (llm_ms + 2 * i) * 1000000, 'ok',
       tokens_in, 10, cost FROM run, side;
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns)
  VALUES (printf('b%031x', 2), '0000000000000004', '0000000000000001', 'rerank', 2000000000 + 26000000, 2000000000 + 28000000);
UPDATE traces SET label = iif(trace_id GLOB 'a*', 'main', 'branch');

.headers on
SELECT path, n_a, n_b, p50_a / 1000000 AS p50_a_ms, p50_b / 1000000 AS p50_b_ms,
       p90_a / 1000000 AS p90_a_ms, p90_b / 1000000 AS p90_b_ms, p99_b / 1000000 AS p99_b_ms,
       round(p50_change_pct, 1) AS p50_change, u, round(p_value, 5) AS p, significant, change
  FROM compare_runs('main', 'branch');
SELECT path, tokens_in_a, tokens_in_b, round(tokens_change_pct, 1) AS tokens_change,
       cost_a, cost_b, round(cost_change_pct, 1) AS cost_change,
       per_trace_a, per_trace_b, error_rate_a, error_rate_b
  FROM compare_runs('main', 'branch');
.headers off

-- Sets by SQL: the same as by label; a stricter alpha flags nothing.
SELECT 'by SQL', path, u, round(p_value, 5)
  FROM compare_runs('SELECT trace_id FROM traces WHERE trace_id GLOB ''a*''', 'branch')
 WHERE path = 'rag/retrieve';
SELECT 'alpha 0.01', count(*) FROM compare_runs('main', 'branch', 0.01) WHERE significant;
-- A set against itself: nothing changed.
SELECT 'itself', group_concat(DISTINCT change) FROM compare_runs('main', 'main');

-- Errors name the function and the argument.
SELECT * FROM compare_runs('main', 'nightly');
SELECT * FROM compare_runs('DELETE FROM spans', 'main');
SELECT * FROM compare_runs('WITH doomed AS (SELECT 1) DELETE FROM spans', 'main');
SELECT * FROM compare_runs('SELECT 42', 'main');
SELECT * FROM compare_runs(NULL, 'main');
SELECT * FROM compare_runs('main', 'branch', 2);
SELECT * FROM compare_runs('main');
SELECT 'spans still there', count(*) FROM spans;
