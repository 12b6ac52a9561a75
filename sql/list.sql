-- tracelm list: the newest traces first.  ?1 how many.
SELECT trace_id AS "trace",
       strftime('%Y-%m-%d %H:%M:%S', start_ns / 1e9, 'unixepoch', 'localtime') AS "started",
       format_duration(end_ns - start_ns) AS "duration",
       span_count AS "spans",
       -- A trace that continues a remote parent has no parentless span:
       -- its root is the earliest span whose parent is not in it, as the
       -- graph (and so `analyze`) chooses.
       coalesce(root_name,
                (SELECT s.name FROM spans s
                  WHERE s.trace_id = traces.trace_id
                    AND NOT EXISTS (SELECT 1 FROM spans p
                                     WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_id)
                  ORDER BY s.start_ns, s.end_ns DESC, s.rowid LIMIT 1),
                '(no root)') AS "root",
       tokens_in + tokens_out AS "tokens",
       -- Recorded costs, and prices for what was recorded without one.
       printf('$%.4f', (SELECT total(cost) FROM span_cost c WHERE c.trace_id = traces.trace_id)) AS "cost",
       errors AS "errors"
  FROM traces
 WHERE span_count > 0
 ORDER BY start_ns DESC
 LIMIT ?1;
