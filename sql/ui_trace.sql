-- The trace browser's trace page (GET /api/trace?id=): five statements,
-- run in this order on the full id ?1, each answer one part of the page.
-- 1. summary: trace_summary's JSON, and the list's own columns.
SELECT trace_summary(?1) AS summary, t.label, t.service, t.start_ns, t.span_count AS spans, t.errors
  FROM traces t WHERE t.trace_id = ?1;
-- 2. tree: the spans depth-first (the first 5,000; the timeline has all).
SELECT span_id, parent_id, depth, name, offset_ns, duration_ns, self_ns, tokens_in, tokens_out, cost,
       status, problem
  FROM trace_tree(?1) LIMIT 5000;
-- 3. critical path: the segments that gated the end, from the trace's start.
SELECT c.span_id, c.name, c.depth, c.seg_start_ns - t.start_ns AS from_ns, c.seg_end_ns - t.start_ns AS to_ns,
       c.self_ns
  FROM critical_path(?1) c, traces t WHERE t.trace_id = ?1;
-- 4. neighbours in the list (newest first): the newer and the older trace.
SELECT 'newer' AS side, (SELECT trace_id FROM traces WHERE span_count > 0 AND (start_ns, trace_id) > (t.start_ns, t.trace_id)
                          ORDER BY start_ns, trace_id LIMIT 1) AS trace_id FROM traces t WHERE t.trace_id = ?1
UNION ALL
SELECT 'older', (SELECT trace_id FROM traces WHERE span_count > 0 AND (start_ns, trace_id) < (t.start_ns, t.trace_id)
                  ORDER BY start_ns DESC, trace_id DESC LIMIT 1) FROM traces t WHERE t.trace_id = ?1;
-- 5. other runs of the same root name, newest first.
SELECT o.trace_id, o.start_ns, o.end_ns - o.start_ns AS duration_ns, o.label, o.errors
  FROM traces t JOIN traces o ON o.root_name = t.root_name AND o.trace_id <> t.trace_id
 WHERE t.trace_id = ?1 AND o.span_count > 0
 ORDER BY o.start_ns DESC LIMIT 20;
