-- TraceLM schema, version 6 -> 7: the views of what LLM calls said and how
-- they were judged (sql/genai_content.sql), and for a file that had facts
-- already, the index of their priced cost (sql/facts_cost_index.sql; a
-- file from before 6 gets it with sql/facts.sql); both applied after this
-- file to an upgraded database as to a new one.  No table changes.
SELECT 1;
