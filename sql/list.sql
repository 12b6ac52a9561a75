-- tracelm list: the newest traces first.  ?1 how many.
SELECT trace_id AS "trace",
       strftime('%Y-%m-%d %H:%M:%S', start_ns / 1e9, 'unixepoch', 'localtime') AS "started",
       format_duration(end_ns - start_ns) AS "duration",
       span_count AS "spans",
       coalesce(root_name, '(no root)') AS "root",
       tokens_in + tokens_out AS "tokens",
       printf('$%.4f', cost) AS "cost",
       errors AS "errors"
  FROM traces
 WHERE span_count > 0
 ORDER BY start_ns DESC
 LIMIT ?1;
