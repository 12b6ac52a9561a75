-- tracelm analyze / latest: the "Execution Tree" section.
-- ?1 trace, ?2 'unicode' or 'ascii'.
SELECT line
       || iif(tokens_in + tokens_out > 0, printf('  tokens %d/%d', tokens_in, tokens_out), '')
       || iif(cost > 0, printf('  $%.8f', cost), '')
  FROM trace_tree(?1, ?2);
