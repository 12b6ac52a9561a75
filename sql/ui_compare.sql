-- The trace browser's runs page (GET /api/compare?a=&b=), and the HTML of
-- `tracelm compare --format html`: compare_runs of two sets (run labels or
-- read-only queries of trace ids, ?1 and ?2), significant regressions
-- first, as sql/compare_runs.sql orders them.  examples_a/_b: up to three
-- of each side's newest traces that have the row's path (for label sets;
-- NULL for query sets; none for a score row), from the facts compare_runs
-- has just built.
WITH RECURSIVE paths(path_id, path) AS (
  SELECT path_id, name FROM span_paths WHERE coalesce(parent_path_id, 0) = 0
  UNION ALL
  SELECT c.path_id, p.path || '/' || c.name FROM span_paths c JOIN paths p ON c.parent_path_id = p.path_id),
rows AS (SELECT * FROM compare_runs(?1, ?2))
SELECT r.path, r.n_a, r.n_b, r.p50_a, r.p50_b, r.p90_a, r.p90_b, r.p50_change_pct, r.self_change_pct,
       r.tokens_change_pct, r.cost_change_pct, r.cost_a, r.cost_b, r.error_rate_a, r.error_rate_b,
       r.p_value, r.significant, r.change, r.kind, r.ttft_p50_a, r.ttft_p50_b, r.ttft_change_pct,
       (SELECT json_group_array(trace_id) FROM (
          SELECT t.trace_id FROM traces t JOIN trace_facts f ON f.trace_id = t.trace_id
           WHERE t.label = ?1 AND r.kind <> 'score' AND (r.path = '*' OR EXISTS (SELECT 1 FROM span_facts s
                                    WHERE s.trace_key = f.trace_key AND s.path_id = p.path_id))
           ORDER BY t.start_ns DESC LIMIT 3)) AS examples_a,
       (SELECT json_group_array(trace_id) FROM (
          SELECT t.trace_id FROM traces t JOIN trace_facts f ON f.trace_id = t.trace_id
           WHERE t.label = ?2 AND r.kind <> 'score' AND (r.path = '*' OR EXISTS (SELECT 1 FROM span_facts s
                                    WHERE s.trace_key = f.trace_key AND s.path_id = p.path_id))
           ORDER BY t.start_ns DESC LIMIT 3)) AS examples_b
  FROM rows r LEFT JOIN paths p ON p.path = r.path AND r.kind <> 'score'
 ORDER BY r.change IN ('slower', 'worse') AND r.significant DESC, r.change IN ('slower', 'worse') DESC,
          r.change IN ('faster', 'better', 'added', 'removed') DESC, coalesce(r.p_value, 1), r.path = '*' DESC,
          r.kind = 'score', r.path;
