-- A version-5 database, as the code before the per-span facts wrote it
-- (fixtures/v5_demo.sql), is upgraded in place by tracelm_init(): every
-- stored row reads back unchanged, every trace is marked for its facts,
-- and the first question over many traces builds them.
.read fixtures/v5_demo.sql
.mode list
SELECT 'before', (SELECT user_version FROM pragma_user_version),
       (SELECT count(*) FROM spans), (SELECT count(*) FROM traces), (SELECT count(*) FROM span_events);
CREATE TEMP TABLE old_spans AS SELECT rowid AS r, * FROM spans;
CREATE TEMP TABLE old_traces AS SELECT * FROM traces;
CREATE TEMP TABLE old_events AS SELECT * FROM span_events;

SELECT tracelm_init();
SELECT 'after', (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM facts_dirty),
       (SELECT count(*) FROM trace_facts);
-- Version 9 adds each call's stored price; every other column reads back as it was.
CREATE TEMP TABLE new_spans AS SELECT rowid AS r, * FROM spans;
ALTER TABLE new_spans DROP COLUMN priced_cost;
SELECT 'changed rows',
       (SELECT count(*) FROM (SELECT * FROM new_spans EXCEPT SELECT * FROM old_spans)),
       (SELECT count(*) FROM (SELECT * FROM traces EXCEPT SELECT * FROM old_traces)),
       (SELECT count(*) FROM (SELECT * FROM span_events EXCEPT SELECT * FROM old_events));
SELECT 'stored prices', count(*), sum(s.priced_cost IS p.priced_cost)
  FROM spans s JOIN span_price p ON p.span_rowid = s.rowid WHERE s.model IS NOT NULL;
SELECT 'facts objects', group_concat(type || ' ' || name, ', ') FROM (SELECT type, name FROM sqlite_schema
  WHERE name GLOB '*facts*' OR name GLOB 'span_paths*' ORDER BY name);

-- The first question builds every trace's facts; the answer is the one
-- the graphs give when nothing is stored (computed in memory: query_only).
SELECT name, count, total_ns, critical_ns, tokens_in, printf('%.8f', cost) FROM span_stats(NULL)
 ORDER BY name;
SELECT 'built', (SELECT count(*) FROM facts_dirty), (SELECT count(*) FROM trace_facts),
       (SELECT count(*) FROM span_facts);
CREATE TEMP TABLE stored AS SELECT * FROM span_stats(NULL, NULL, NULL, 'path,model,label');
INSERT INTO facts_dirty SELECT trace_id FROM traces;
PRAGMA query_only = 1;
SELECT 'stored = computed', (SELECT count(*) FROM stored),
       (SELECT count(*) FROM (SELECT * FROM stored EXCEPT
                              SELECT * FROM span_stats(NULL, NULL, NULL, 'path,model,label')));
PRAGMA query_only = 0;
SELECT 'compare', path, n_a, n_b FROM compare_runs('main', 'branch') ORDER BY path LIMIT 3;
-- The price list from before version 6 gets its cache-write column, and
-- the default Anthropic rows their rates; a row a user changed would not.
SELECT 'cache writes', model_pattern, cache_write_per_mtok FROM model_prices
 WHERE cache_write_per_mtok IS NOT NULL ORDER BY model_pattern;
-- A version-6 file (facts without a time to first chunk, no cost index,
-- no content views, no GenAI mapping, no stored prices) brought to 9: it
-- gets them all, its LLM traces are marked for a rebuild, its calls
-- priced, and nothing else changes.
SELECT facts_update();
DROP INDEX trace_facts_by_cost;
DROP INDEX span_facts_by_ttft;
DROP VIEW span_messages;
DROP VIEW span_scores;
DROP VIEW conversations;
DROP VIEW llm_calls;
DROP VIEW tool_calls;
DROP VIEW span_genai;
DROP TRIGGER spans_insert_stores_price;
DROP TRIGGER spans_update_stores_price;
DROP VIEW unpriced_models;
DROP VIEW span_cost;
DROP VIEW span_price;
DROP VIEW span_tokens;
ALTER TABLE spans DROP COLUMN priced_cost;
ALTER TABLE span_facts DROP COLUMN ttft_ns;
PRAGMA user_version = 6;
SELECT 'from 6', tracelm_init(), (SELECT group_concat(name, ', ') FROM (SELECT name FROM sqlite_schema
        WHERE name IN ('trace_facts_by_cost', 'span_facts_by_ttft', 'span_messages', 'span_scores',
                       'span_genai', 'llm_calls', 'tool_calls', 'conversations',
                       'spans_insert_stores_price', 'span_cost') ORDER BY name)),
       (SELECT count(*) FROM spans),
       (SELECT count(*) FROM facts_dirty) = (SELECT count(DISTINCT trace_id) FROM spans WHERE model IS NOT NULL);
SELECT 'priced from 6', count(*), sum(s.priced_cost IS p.priced_cost)
  FROM spans s JOIN span_price p ON p.span_rowid = s.rowid WHERE s.priced_cost IS NOT NULL;
