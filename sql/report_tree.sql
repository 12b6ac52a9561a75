-- tracelm analyze / latest: the "Execution Tree" section.
-- ?1 trace, ?2 'unicode' or 'ascii', ?3 the deepest depth shown (the
-- root is 0; '' for all), ?4 the most lines shown ('' or '0' for all).
-- A cut tree ends with a line saying how many lines were left out.
WITH opts(max_depth, max_lines) AS (
  SELECT CAST(nullif(?3, '') AS INTEGER), nullif(CAST(nullif(?4, '') AS INTEGER), 0)
),
tree(n, text) AS (
  SELECT row_number() OVER (),
         line
         || iif(tokens_in + tokens_out > 0, printf('  tokens %d/%d', tokens_in, tokens_out), '')
         || iif(cost > 0, printf('  $%.8f', cost), '')
    FROM trace_tree(?1, ?2), opts
   WHERE max_depth IS NULL OR depth <= max_depth
)
SELECT text FROM tree, opts WHERE max_lines IS NULL OR n <= max_lines
UNION ALL
SELECT printf('%s %d more lines not shown (--limit 0 shows all)',
              iif(?2 = 'ascii', '...', '…'), count(*) - max_lines)
  FROM tree, opts
 WHERE max_lines IS NOT NULL
HAVING count(*) > max_lines;
