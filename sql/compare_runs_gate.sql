-- tracelm compare ... --fail-on-regression PCT: the regressions that fail
-- a CI job.  ?1, ?2, ?3 as in compare_runs.sql, ?4 PCT.  A regression is a
-- significant latency rise (p50) of more than PCT percent, or tokens or
-- cost per run up by more than PCT percent (counts, not samples: any rise
-- past PCT is real), or a significant fall in an evaluation's scores.
SELECT path || ': ' || group_concat(what, ', ')
  FROM (SELECT path, printf('p50 %+.1f%% (p = %.3g)', p50_change_pct, p_value) AS what
          FROM compare_runs(?1, ?2, nullif(CAST(?3 AS REAL), 0))
         WHERE significant AND p50_change_pct > CAST(?4 AS REAL) AND kind <> 'score'
        UNION ALL
        SELECT 'score: ' || path, printf('scores fell, p50 %.3g -> %.3g (p = %.3g)', p50_a, p50_b, p_value)
          FROM compare_runs(?1, ?2, nullif(CAST(?3 AS REAL), 0))
         WHERE kind = 'score' AND significant AND change = 'worse'
        UNION ALL
        SELECT path, printf('tokens/run %+.1f%%', tokens_change_pct)
          FROM compare_runs(?1, ?2, nullif(CAST(?3 AS REAL), 0))
         WHERE tokens_change_pct > CAST(?4 AS REAL)
        UNION ALL
        SELECT path, printf('cost/run %+.1f%%', cost_change_pct)
          FROM compare_runs(?1, ?2, nullif(CAST(?3 AS REAL), 0))
         WHERE cost_change_pct > CAST(?4 AS REAL))
 GROUP BY path ORDER BY path;
