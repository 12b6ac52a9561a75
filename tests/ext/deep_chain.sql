-- A chain of 1,000,000 spans, each the parent of the next: every analysis
-- is iterative, so this is no harder than a flat trace.  Then the same
-- chain closed into a loop: reported, not followed forever.
.read helpers.sql
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns)
SELECT printf('%032x', 1), printf('%016x', i), iif(i = 1, NULL, printf('%016x', i - 1)),
       'level', i, 3000000 - i FROM n;
SELECT count(*), max(depth), sum(self_ns) FROM trace_tree('latest');
SELECT count(*), sum(self_ns) FROM critical_path('latest');
SELECT name, count, critical_ns FROM span_stats('latest');
SELECT quote(trace_validate('latest'));
SELECT substr(line, 1, 30) FROM trace_tree('latest') WHERE depth IN (2, 3, 101, 999999);

-- Close the loop: the root now has a parent, the last span.
UPDATE spans SET parent_id = printf('%016x', 1000000) WHERE span_id = printf('%016x', 1);
SELECT count(*), max(depth) FROM trace_tree('latest');
SELECT trace_validate('latest');
