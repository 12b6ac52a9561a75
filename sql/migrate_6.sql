-- TraceLM schema, version 5 -> 6: per-span facts for questions over many
-- traces.  Their tables and triggers are sql/facts.sql, applied after this
-- file to an upgraded database as to a new one; it marks every stored
-- trace, whose facts the first query that needs them builds.
SELECT 1;
