-- The trace browser's trace list (cli/ui_api.c, GET /api/traces): one page
-- of traces with what the list shows.  Every filter is a named parameter,
-- NULL for "any": :since, :until (ns, the start in [since, until)),
-- :label, :service, :root, :model, :status ('error' or 'ok': with or
-- without a failed span), :min_ns (duration), :min_cost, :q (text in a
-- span's name or attribute values, case-insensitive).  The C code appends
-- ORDER BY (one of these columns, from its own list) and LIMIT/OFFSET.
-- cost is the priced one (trace_facts, built before the list is read;
-- span_cost where a trace's facts are not there).
SELECT trace_id, start_ns, duration_ns, service, root, label, spans, tokens, cost, errors
  FROM (SELECT t.trace_id, t.start_ns, t.end_ns - t.start_ns AS duration_ns, t.service,
               coalesce(t.root_name, '(no root)') AS root, t.label, t.span_count AS spans,
               t.tokens_in + t.tokens_out AS tokens,
               coalesce(f.cost, (SELECT total(c.cost) FROM span_cost c WHERE c.trace_id = t.trace_id)) AS cost,
               t.errors
          FROM traces t LEFT JOIN trace_facts f ON f.trace_id = t.trace_id
         WHERE t.span_count > 0
           AND (:since IS NULL OR t.start_ns >= :since)
           AND (:until IS NULL OR t.start_ns < :until)
           AND (:label IS NULL OR t.label = :label)
           AND (:service IS NULL OR t.service = :service)
           AND (:root IS NULL OR t.root_name = :root)
           AND (:status IS NULL OR (t.errors > 0) = (:status = 'error'))
           AND (:min_ns IS NULL OR t.end_ns - t.start_ns >= :min_ns)
           AND (:model IS NULL OR EXISTS (SELECT 1 FROM spans s
                                           WHERE s.trace_id = t.trace_id AND s.model = :model))
           AND (:q IS NULL OR EXISTS (
                 SELECT 1 FROM spans s
                  WHERE s.trace_id = t.trace_id
                    AND (s.name LIKE '%' || replace(replace(replace(:q, '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\'
                         OR EXISTS (SELECT 1 FROM json_tree(s.attrs) a
                                     WHERE a.atom IS NOT NULL
                                       AND CAST(a.atom AS TEXT) LIKE '%' || replace(replace(replace(:q, '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\')))))
 WHERE (:min_cost IS NULL OR cost >= :min_cost)
