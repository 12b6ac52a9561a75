-- Version 8, for a file whose facts tables version 6 made: each LLM
-- call's time to first chunk among its facts (span_facts.ttft_ns, from
-- span_genai), so slow_first_token and compare_runs read it without
-- parsing attributes, and the index that finds a model's p90 in the
-- database.  The traces with a model's span are rebuilt by the next
-- question that needs the facts.  sql/facts.sql has both for newer files.
ALTER TABLE span_facts ADD COLUMN ttft_ns INTEGER;
CREATE INDEX IF NOT EXISTS span_facts_by_ttft ON span_facts(model, ttft_ns) WHERE ttft_ns IS NOT NULL;
INSERT OR IGNORE INTO facts_dirty(trace_id) SELECT DISTINCT trace_id FROM spans WHERE model IS NOT NULL;
