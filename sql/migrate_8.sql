-- TraceLM schema, version 7 -> 8: the one GenAI mapping (the span_genai
-- view, sql/genai_mapping.sql) and the views that read it
-- (sql/genai_views.sql), and for a file that had facts already, each LLM
-- call's time to first chunk among them (sql/facts_ttft.sql; a file from
-- before 6 gets the column with sql/facts.sql); all applied after this
-- file to an upgraded database as to a new one.  No table of spans changes.
SELECT 1;
