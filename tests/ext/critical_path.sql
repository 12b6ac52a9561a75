-- critical_path(trace_id): the segments that gated the root's end.
-- Every scenario below is a trace of its own; the expected segments were
-- worked out by hand (times in ns), and each block ends by checking that
-- the segments tile the root exactly.
.read helpers.sql

-- 1. Sequential children: the parent's own time fills the gaps.
INSERT INTO add_span VALUES (1, 1, NULL, 'root', 0, 100, NULL),
  (1, 2, 1, 'a', 10, 30, NULL), (1, 3, 1, 'b', 40, 80, NULL);
SELECT '1', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 1));

-- 2. Parallel, overlapping children: only the one that finished last
--    before the cursor gates; a [10,60] ran under b and is off the path.
INSERT INTO add_span VALUES (2, 1, NULL, 'root', 0, 100, NULL),
  (2, 2, 1, 'a', 10, 60, NULL), (2, 3, 1, 'b', 20, 90, NULL);
SELECT '2', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 2));

-- 3. Back-to-back siblings: a ends exactly when b starts; both count
--    ("<=", where Jaeger's "<" would skip a).
INSERT INTO add_span VALUES (3, 1, NULL, 'root', 0, 100, NULL),
  (3, 2, 1, 'a', 0, 50, NULL), (3, 3, 1, 'b', 50, 100, NULL);
SELECT '3', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 3));

-- 4. Nested levels.
INSERT INTO add_span VALUES (4, 1, NULL, 'root', 0, 100, NULL),
  (4, 2, 1, 'a', 10, 90, NULL), (4, 3, 2, 'a1', 20, 50, NULL), (4, 4, 2, 'a2', 50, 80, NULL);
SELECT '4', name, depth, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 4));

-- 5. A child outliving its parent counts up to the parent's end; one
--    wholly after the parent's end is dropped.
INSERT INTO add_span VALUES (5, 1, NULL, 'root', 0, 100, NULL),
  (5, 2, 1, 'late', 50, 150, NULL), (5, 3, 1, 'after', 120, 130, NULL);
SELECT '5', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 5));

-- 6. A gap where the parent works alone between two children.
INSERT INTO add_span VALUES (6, 1, NULL, 'root', 0, 100, NULL),
  (6, 2, 1, 'a', 0, 30, NULL), (6, 3, 1, 'b', 60, 100, NULL);
SELECT '6', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 6));

-- 7. A continuation: the entry span's parent (span 99) lives in another
--    process; the entry span is the root and the trace is valid.
INSERT INTO add_span VALUES (7, 1, 99, 'entry', 1000, 2000, 'server'),
  (7, 2, 1, 'work', 1200, 1800, NULL);
SELECT '7', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 7));
SELECT '7', coalesce(trace_validate(printf('%032x', 7)), 'valid');

-- 8. An unfinished span (end_ns NULL) ends at the trace's last known time.
INSERT INTO add_span VALUES (8, 1, NULL, 'root', 0, 100, NULL),
  (8, 2, 1, 'hung', 10, NULL, NULL);
SELECT '8', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 8));

-- 9. A CONSUMER child of a PRODUCER is fire-and-forget: it gates nothing.
INSERT INTO add_span VALUES (9, 1, NULL, 'publish', 0, 100, 'producer'),
  (9, 2, 1, 'consume', 50, 90, 'consumer');
SELECT '9', name, seg_start_ns, seg_end_ns FROM critical_path(printf('%032x', 9));

-- 10. Many children (more than the 16 sorted in place): twenty back to
--     back, written last first, and a short one that ends early.  All
--     twenty are on the path, in time order; the short one is not.
INSERT INTO add_span VALUES (10, 1, NULL, 'root', 0, 200, NULL);
WITH RECURSIVE k(i) AS (SELECT 20 UNION ALL SELECT i - 1 FROM k WHERE i > 1)
INSERT INTO add_span SELECT 10, i + 1, 1, 'step' || i, (i - 1) * 10, i * 10, NULL FROM k;
INSERT INTO add_span VALUES (10, 50, 1, 'short', 0, 5, NULL);
SELECT '10', count(*), group_concat(name, ' '), sum(self_ns) FROM critical_path(printf('%032x', 10));

-- Every path tiles its root's interval exactly.
SELECT 'tiles', group_concat(ok, '') FROM (
  SELECT (SELECT sum(self_ns) FROM critical_path(t.trace_id))
       = (SELECT duration_ns FROM trace_tree(t.trace_id) LIMIT 1) AS ok
    FROM traces AS t ORDER BY t.trace_id);

-- critical_ns in span_stats is the same time, summed per name.
SELECT 'stats', name, critical_ns FROM span_stats(printf('%032x', 2)) ORDER BY name;
