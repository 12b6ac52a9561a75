-- tracelm analyze / latest: one line per anomaly, under the summary.
-- ?1 trace.
SELECT name, kind, detail FROM trace_anomalies(?1);
