-- tracelm compare A B: latency, tokens and cost per span path.
-- ?1 trace A, ?2 trace B (each 'latest', an id or a unique prefix).
SELECT path,
       count_a || ' / ' || count_b AS "count a/b",
       format_duration(total_ns_a) AS "time a",
       format_duration(total_ns_b) AS "time b",
       iif(delta_pct IS NULL, '', printf('%+.1f%%', delta_pct)) AS "delta",
       printf('%+d', tokens_in_delta + tokens_out_delta) AS "tokens",
       printf('%+.6f', cost_delta) AS "cost",
       change
  FROM trace_compare(?1, ?2);
