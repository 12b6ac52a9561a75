-- tracelm stats: span_stats() over many traces.  ?1 the set ('' for every
-- trace, else a run label or a read-only query of trace ids), ?2 since
-- and ?3 until ('' for open; ns, a date, or a modifier of now such as
-- '-7 days'), ?4 the grouping ('name', 'model,day', ...), ?5 the most
-- rows (-1: all).  The command puts the grouping's own columns (day,
-- model, ...) first, in --by's order, and orders by day where it groups
-- by day: the two words in capitals below.
SELECT GROUP_COLUMNS
       count AS "spans", format_duration(p50_ns) AS "p50", format_duration(p90_ns) AS "p90",
       format_duration(p99_ns) AS "p99", format_duration(total_ns) AS "total",
       format_duration(critical_ns) AS "critical path",
       tokens_in AS "tokens in", tokens_out AS "tokens out", printf('$%.4f', cost) AS "cost",
       errors
  FROM span_stats(nullif(?1, ''),
                  iif(?2 <> '' AND ?2 NOT GLOB '*[^0-9]*', CAST(?2 AS INTEGER), nullif(?2, '')),
                  iif(?3 <> '' AND ?3 NOT GLOB '*[^0-9]*', CAST(?3 AS INTEGER), nullif(?3, '')), ?4)
 ORDER BY GROUP_ORDER total_ns DESC
 LIMIT CAST(?5 AS INTEGER);
