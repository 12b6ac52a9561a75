-- trace_tree(trace_id [, style]): one row per span, depth-first, children
-- by start time, with self time and a drawn tree line.
.read helpers.sql

-- root [0,1000000]: a [100000,400000] and b [200000,600000] overlap, so
-- the root's self time is 1000000 - |[100000,600000]| = 500000, not
-- 1000000 - 300000 - 400000.  a has a child a1 [150000,250000].
INSERT INTO add_span VALUES (1, 1, NULL, 'root', 0, 1000000, NULL),
  (1, 2, 1, 'a', 100000, 400000, NULL), (1, 3, 1, 'b', 200000, 600000, NULL),
  (1, 4, 2, 'a1', 150000, 250000, NULL), (1, 5, 1, 'c', 700000, 701500, NULL);
UPDATE spans SET tokens_in = 812, tokens_out = 96, cost = 0.25, status = 'error'
 WHERE span_id = printf('%016x', 3);

.headers on
SELECT span_id, parent_id, depth, name, offset_ns, duration_ns, self_ns,
       tokens_in, tokens_out, cost, status, problem
  FROM trace_tree(printf('%032x', 1));
.headers off
SELECT line FROM trace_tree(printf('%032x', 1));
SELECT line FROM trace_tree(printf('%032x', 1), 'ascii');

-- A prefix, 'latest' and uppercase all name the same trace.
SELECT count(*) FROM trace_tree('0000000000000000000000000000000');
SELECT count(*) FROM trace_tree('latest');
SELECT count(*) FROM trace_tree('00000000000000000000000000000001');

-- Orphans and unfinished spans show as such, after the root's tree.
INSERT INTO add_span VALUES (2, 1, NULL, 'root', 0, 2000, NULL),
  (2, 2, 1, 'open', 100, NULL, NULL), (2, 3, 77, 'lost', 500, 900, NULL);
SELECT line, coalesce(problem, '-') FROM trace_tree(printf('%032x', 2));

-- Durations are printed in ns, µs, ms and s.
SELECT format_duration(999), format_duration(1500), format_duration(2500000),
       format_duration(3000000000), format_duration(1500, 'ascii');
