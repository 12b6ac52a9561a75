-- tracelm stats --traces --format json: trace_summary() over many traces
-- as it returns it.  ?1 .. ?3 as in stats_traces.sql.
SELECT trace_summary(nullif(?1, ''),
                     iif(?2 <> '' AND ?2 NOT GLOB '*[^0-9]*', CAST(?2 AS INTEGER), nullif(?2, '')),
                     iif(?3 <> '' AND ?3 NOT GLOB '*[^0-9]*', CAST(?3 AS INTEGER), nullif(?3, '')));
