-- tracelm compare --baseline A --candidate B --format json: every column
-- of compare_runs() as one JSON array, for scripts.  ?1, ?2, ?3 as in
-- compare_runs.sql.
SELECT json_group_array(json_object(
         'path', path, 'n_a', n_a, 'n_b', n_b, 'p50_a', p50_a, 'p50_b', p50_b,
         'p90_a', p90_a, 'p90_b', p90_b, 'p99_a', p99_a, 'p99_b', p99_b,
         'p50_change_pct', p50_change_pct, 'self_p50_a', self_p50_a, 'self_p50_b', self_p50_b,
         'self_change_pct', self_change_pct, 'tokens_in_a', tokens_in_a, 'tokens_in_b', tokens_in_b,
         'tokens_out_a', tokens_out_a, 'tokens_out_b', tokens_out_b,
         'tokens_change_pct', tokens_change_pct, 'cost_a', cost_a, 'cost_b', cost_b,
         'cost_change_pct', cost_change_pct, 'per_trace_a', per_trace_a, 'per_trace_b', per_trace_b,
         'error_rate_a', error_rate_a, 'error_rate_b', error_rate_b, 'u', u, 'p_value', p_value,
         'significant', json(iif(significant, 'true', 'false')), 'change', change,
         'ttft_p50_a', ttft_p50_a, 'ttft_p50_b', ttft_p50_b, 'ttft_change_pct', ttft_change_pct,
         'ttft_p_value', ttft_p_value, 'kind', kind))
  FROM compare_runs(?1, ?2, nullif(CAST(?3 AS REAL), 0));
