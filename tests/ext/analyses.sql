-- span_stats, span_histogram, trace_anomalies, trace_compare, trace_summary
-- on two runs of one small pipeline.  Times are in ms * 1e6 = ns.
.read helpers.sql

.read two_runs.sql

.headers on
SELECT * FROM span_stats(printf('%032x', 10));
-- NULL: over every trace.
SELECT name, count, total_ns, min_ns, p50_ns, p90_ns, max_ns, critical_ns, errors
  FROM span_stats(NULL);
SELECT * FROM span_histogram(printf('%032x', 10));
SELECT label, count FROM span_histogram(printf('%032x', 10), '[15, 30.5]');
SELECT * FROM trace_anomalies(printf('%032x', 10));
SELECT * FROM trace_compare(printf('%032x', 10), printf('%032x', 11));
.headers off
SELECT trace_summary(printf('%032x', 10));
SELECT json_extract(trace_summary('latest'), '$.trace_id') = latest_trace();
SELECT resolve_trace('0000000000000000000000000000000b'), resolve_trace('latest');
