-- TraceLM schema, version 6 -> 7: the views of what LLM calls said and how
-- they were judged (sql/genai_content.sql), applied after this file to an
-- upgraded database as to a new one.  No table changes.
SELECT 1;
