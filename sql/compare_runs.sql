-- tracelm compare --baseline A --candidate B: run sets against each other.
-- ?1 baseline, ?2 candidate (each a run label or a read-only SQL query of
-- trace ids), ?3 alpha ('' for 0.05).  Significant regressions first (the
-- smallest p-value first), then the other changes, then what stayed the same.
-- A score row (kind 'score') is named 'score: NAME' and shows its values.
SELECT iif(kind = 'score', 'score: ' || path, path) AS path,
       n_a || ' / ' || n_b AS "n",
       coalesce(iif(kind = 'score', printf('%.3g', p50_a), format_duration(p50_a)), '-') AS "p50 base",
       coalesce(iif(kind = 'score', printf('%.3g', p50_b), format_duration(p50_b)), '-') AS "p50 cand",
       iif(p50_change_pct IS NULL, '', printf('%+.1f%%', p50_change_pct)) AS "p50",
       coalesce(iif(kind = 'score', printf('%.3g', p90_b), format_duration(p90_b)), '-') AS "p90 cand",
       iif(p_value IS NULL, '', printf('%.3g', p_value)) AS "p",
       iif(tokens_change_pct IS NULL, '', printf('%+.1f%%', tokens_change_pct)) AS "tokens/run",
       iif(cost_change_pct IS NULL, '', printf('%+.1f%%', cost_change_pct)) AS "cost/run",
       iif(ttft_change_pct IS NULL, '', printf('%+.1f%%', ttft_change_pct)
           || iif(ttft_p_value < coalesce(nullif(CAST(?3 AS REAL), 0), 0.05), ' *', '')) AS "ttft",
       iif(error_rate_b > coalesce(error_rate_a, 0), printf('%.0f%% -> %.0f%%', 100 * coalesce(error_rate_a, 0), 100 * error_rate_b), '') AS "errors",
       change
  FROM compare_runs(?1, ?2, nullif(CAST(?3 AS REAL), 0))
 ORDER BY change IN ('slower', 'worse') DESC, change IN ('faster', 'better', 'added', 'removed') DESC,
          coalesce(p_value, 1), path = '*' DESC, kind = 'score', path;
