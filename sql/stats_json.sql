-- tracelm stats --format json: every column of span_stats() as one JSON
-- array, for scripts; grouping columns not asked for are null.  ?1 .. ?5
-- as in stats.sql.
SELECT json_group_array(json_object(
         'name', name, 'path', path, 'model', model, 'service', service, 'label', label, 'day', day,
         'count', count, 'total_ns', total_ns, 'self_ns', self_ns, 'min_ns', min_ns,
         'p50_ns', p50_ns, 'p90_ns', p90_ns, 'p99_ns', p99_ns, 'max_ns', max_ns,
         'critical_ns', critical_ns, 'tokens_in', tokens_in, 'tokens_out', tokens_out,
         'cost', cost, 'errors', errors))
  FROM (SELECT * FROM span_stats(nullif(?1, ''),
                  iif(?2 <> '' AND ?2 NOT GLOB '*[^0-9]*', CAST(?2 AS INTEGER), nullif(?2, '')),
                  iif(?3 <> '' AND ?3 NOT GLOB '*[^0-9]*', CAST(?3 AS INTEGER), nullif(?3, '')), ?4)
        ORDER BY total_ns DESC LIMIT CAST(?5 AS INTEGER));
