-- The trace browser's runs page, its choices (GET /api/labels): each run
-- label with its traces and when they ran, the latest first.
SELECT label, count(*) AS traces, min(start_ns) AS first_ns, max(start_ns) AS last_ns
  FROM traces WHERE label IS NOT NULL AND span_count > 0
 GROUP BY label ORDER BY last_ns DESC;
