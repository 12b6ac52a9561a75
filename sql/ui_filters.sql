-- The trace browser's filter choices (GET /api/filters): each kind with
-- its values and how many traces (spans, for models) have each, the most
-- common first, at most 200 of a kind.
SELECT kind, value, n FROM (
  SELECT 'label' AS kind, label AS value, count(*) AS n FROM traces WHERE label IS NOT NULL GROUP BY label
  UNION ALL
  SELECT 'service', service, count(*) FROM traces WHERE service IS NOT NULL GROUP BY service
  UNION ALL
  SELECT 'root', root_name, count(*) FROM traces WHERE root_name IS NOT NULL GROUP BY root_name
  UNION ALL
  SELECT 'model', model, count(*) FROM spans WHERE model IS NOT NULL GROUP BY model)
 ORDER BY kind, n DESC, value;
