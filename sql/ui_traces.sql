-- The trace browser's trace list (cli/ui_api.c, GET /api/traces): one page
-- of traces with what the list shows.  Every filter is a named parameter,
-- NULL for "any": :since, :until (ns, the start in [since, until)),
-- :label, :service, :root, :model, :status ('error' or 'ok': with or
-- without a failed span), :min_ns (duration), :min_cost, :q (text in a
-- span's name or attribute values, case-insensitive).  :by_cost is 1 when
-- the page is sorted by cost or filtered by it.  The C code fills three
-- comments: FROM (the traces t, or, to sort by cost when every trace's
-- facts are built, trace_facts f walked by its cost index joined to them),
-- PAGE_ORDER and ORDER (ORDER BY a column from its own list).
-- The page is chosen from traces alone; its cost (the priced one:
-- trace_facts, built before the list is read; span_cost where a trace's
-- facts are not there) is looked up for all traces only when the page
-- needs it, else for its rows: a sort by duration reads one table.
WITH page AS (
  SELECT t.trace_id, t.start_ns, t.end_ns - t.start_ns AS duration_ns, t.span_count AS spans,
         t.tokens_in + t.tokens_out AS tokens, t.errors,
         iif(:by_cost, coalesce((SELECT f.cost FROM trace_facts f WHERE f.trace_id = t.trace_id),
                                (SELECT total(c.cost) FROM span_cost c WHERE c.trace_id = t.trace_id)), NULL) AS page_cost
    FROM /*FROM*/
   WHERE t.span_count > 0
     AND (:since IS NULL OR t.start_ns >= :since)
     AND (:until IS NULL OR t.start_ns < :until)
     AND (:label IS NULL OR t.label = :label)
     AND (:service IS NULL OR t.service = :service)
     AND (:root IS NULL OR t.root_name = :root)
     AND (:status IS NULL OR (t.errors > 0) = (:status = 'error'))
     AND (:min_ns IS NULL OR t.end_ns - t.start_ns >= :min_ns)
     AND (:model IS NULL OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.model = :model))
     AND (:q IS NULL OR EXISTS (
           SELECT 1 FROM spans s
            WHERE s.trace_id = t.trace_id
              AND (s.name LIKE '%' || replace(replace(replace(:q, '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\'
                   OR EXISTS (SELECT 1 FROM json_tree(s.attrs) a
                               WHERE a.atom IS NOT NULL
                                 AND CAST(a.atom AS TEXT) LIKE '%' || replace(replace(replace(:q, '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\'))))
     AND (:min_cost IS NULL OR page_cost >= :min_cost)
  /*PAGE_ORDER*/ LIMIT :limit OFFSET :offset)
SELECT p.trace_id AS trace_id, p.start_ns AS start_ns, p.duration_ns AS duration_ns, t.service AS service,
       coalesce(t.root_name, '(no root)') AS root, t.label AS label, p.spans AS spans, p.tokens AS tokens,
       coalesce(p.page_cost, (SELECT f.cost FROM trace_facts f WHERE f.trace_id = p.trace_id),
                (SELECT total(c.cost) FROM span_cost c WHERE c.trace_id = p.trace_id)) AS cost,
       p.errors AS errors
  FROM page p JOIN traces t ON t.trace_id = p.trace_id
/*ORDER*/;
