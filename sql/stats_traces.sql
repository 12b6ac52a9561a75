-- tracelm stats --traces: trace_summary() over many traces, a row for
-- all of them, then one per root span name (most traces first).  ?1 the
-- set ('' for every trace, else a run label or a read-only query of trace
-- ids), ?2 since and ?3 until as in stats.sql, ?5 the most root rows
-- (-1: all).
WITH s(j) AS MATERIALIZED (
  SELECT trace_summary(nullif(?1, ''),
                       iif(?2 <> '' AND ?2 NOT GLOB '*[^0-9]*', CAST(?2 AS INTEGER), nullif(?2, '')),
                       iif(?3 <> '' AND ?3 NOT GLOB '*[^0-9]*', CAST(?3 AS INTEGER), nullif(?3, '')))),
rows(o, root, traces, p50, p90, p99, max, spans, cost, error_traces) AS (
  SELECT 0, '(all)', j ->> 'traces', j ->> 'p50_ns', j ->> 'p90_ns', j ->> 'p99_ns', j ->> 'max_ns',
         j ->> 'spans', j ->> 'cost', j ->> 'error_traces' FROM s
  UNION ALL
  SELECT 1 + r.key, coalesce(r.value ->> 'root', '-'), r.value ->> 'traces', r.value ->> 'p50_ns',
         r.value ->> 'p90_ns', r.value ->> 'p99_ns', r.value ->> 'max_ns', r.value ->> 'spans',
         r.value ->> 'cost', r.value ->> 'error_traces'
    FROM s, json_each(s.j, '$.roots') r
   WHERE ?5 < 0 OR r.key < ?5)
SELECT root AS "root", traces AS "traces", format_duration(p50) AS "p50", format_duration(p90) AS "p90",
       format_duration(p99) AS "p99", format_duration(max) AS "max", spans AS "spans",
       printf('$%.4f', cost) AS "cost", error_traces AS "with errors"
  FROM rows ORDER BY o;
