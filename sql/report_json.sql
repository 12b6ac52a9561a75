-- tracelm analyze --json / latest --json: the summary and the tree.
-- ?1 trace.
SELECT json_object(
  'summary', json(trace_summary(?1)),
  'tree', (SELECT json_group_array(json_object(
             'span_id', span_id, 'parent_id', parent_id, 'depth', depth, 'name', name,
             'start_ns', start_ns, 'end_ns', end_ns, 'offset_ns', offset_ns,
             'duration_ns', duration_ns, 'self_ns', self_ns, 'tokens_in', tokens_in,
             'tokens_out', tokens_out, 'cost', cost, 'status', status, 'problem', problem))
           FROM trace_tree(?1)));
