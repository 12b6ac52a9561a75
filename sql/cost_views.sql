-- The cost of a span (schema version 9), applied to a new database and
-- to an upgraded one (common/schema.c), replacing the views of versions
-- 3 to 8: the token buckets of the OpenTelemetry GenAI conventions, each
-- priced at its own rate.  docs/genai.md has the attribute names read.
--
-- Three steps, each a plain view SQLite flattens into the query that uses
-- it, so "WHERE trace_id = ?" or "WHERE span_rowid = ?" still uses the
-- spans table's indexes.  span_price looks a price up; span_cost reads the
-- one stored with the span where it is current (sql/stored_prices.sql).
DROP VIEW IF EXISTS unpriced_models;
DROP VIEW IF EXISTS span_cost;
DROP VIEW IF EXISTS span_price;
DROP VIEW IF EXISTS span_tokens;

-- 1. The tokens a price applies to.  As the conventions count them,
--    gen_ai.usage.input_tokens (spans.tokens_in) includes the tokens read
--    from a prompt cache and those written to it, and output_tokens
--    (tokens_out) includes reasoning tokens.  Each bucket is read from the
--    span's attributes under the conventions' name, else an older one:
--      cache reads   gen_ai.usage.cache_read.input_tokens,
--                    gen_ai.usage.cache_read_input_tokens,
--                    gen_ai.usage.cached_input_tokens (TraceLM before 6),
--                    llm.token_count.prompt_details.cache_read (OpenInference)
--      cache writes  gen_ai.usage.cache_creation.input_tokens,
--                    gen_ai.usage.cache_creation_input_tokens,
--                    llm.token_count.prompt_details.cache_write
--      reasoning     gen_ai.usage.reasoning.output_tokens,
--                    gen_ai.usage.reasoning_tokens (TraceLM before 6),
--                    llm.token_count.completion_details.reasoning
--    cached_tokens is cache_read_tokens under its version-3 name.
CREATE VIEW span_tokens AS
SELECT rowid AS span_rowid, trace_id, span_id, name, model, start_ns, tokens_in, tokens_out,
       coalesce(json_extract(attrs, '$."gen_ai.usage.cache_read.input_tokens"'),
                json_extract(attrs, '$."gen_ai.usage.cache_read_input_tokens"'),
                json_extract(attrs, '$."gen_ai.usage.cached_input_tokens"'),
                json_extract(attrs, '$."llm.token_count.prompt_details.cache_read"'), 0) AS cached_tokens,
       coalesce(json_extract(attrs, '$."gen_ai.usage.reasoning.output_tokens"'),
                json_extract(attrs, '$."gen_ai.usage.reasoning_tokens"'),
                json_extract(attrs, '$."llm.token_count.completion_details.reasoning"'), 0) AS reasoning_tokens,
       cost AS recorded_cost,
       coalesce(json_extract(attrs, '$."gen_ai.usage.cache_creation.input_tokens"'),
                json_extract(attrs, '$."gen_ai.usage.cache_creation_input_tokens"'),
                json_extract(attrs, '$."llm.token_count.prompt_details.cache_write"'), 0) AS cache_creation_tokens,
       priced_cost AS stored_priced_cost
  FROM spans;

-- 2. The price: of the rows whose pattern matches the model and that were
--    in force on the day the span started (UTC), the most specific pattern
--    (most characters that are not wildcards), then the latest valid_from.
--    Only spans with tokens, a model and no recorded cost are looked up
--    (the CASE: a subquery in a join's key would run for every span).
--    Input less both cache buckets at the input rate, each bucket at its
--    own (NULL: the input rate); output less reasoning at the output rate,
--    reasoning at its own (NULL: the output rate).  A failed call that
--    produced nothing is priced by what it sent, input only.
CREATE VIEW span_price AS
SELECT t.*, p.model_pattern AS price_pattern, p.valid_from AS price_from,
       CASE WHEN p.rowid IS NOT NULL THEN
       ((t.tokens_in - t.cached_tokens - t.cache_creation_tokens) * p.input_per_mtok
        + t.cached_tokens * coalesce(p.cached_input_per_mtok, p.input_per_mtok)
        + t.cache_creation_tokens * coalesce(p.cache_write_per_mtok, p.input_per_mtok)
        + (t.tokens_out - t.reasoning_tokens) * p.output_per_mtok
        + t.reasoning_tokens * coalesce(p.reasoning_per_mtok, p.output_per_mtok)) / 1e6 END AS priced_cost
  FROM span_tokens t
  LEFT JOIN model_prices p
    ON p.rowid = CASE WHEN t.recorded_cost = 0 AND t.model IS NOT NULL AND t.tokens_in + t.tokens_out > 0 THEN
                   (SELECT q.rowid FROM model_prices q
                     WHERE t.model GLOB q.model_pattern
                       AND q.valid_from <= date(t.start_ns / 1000000000, 'unixepoch')
                     ORDER BY length(replace(replace(replace(q.model_pattern, '*', ''), '?', ''), '[', '')) DESC,
                              q.valid_from DESC
                     LIMIT 1) END;

-- 3. The cost every report uses: what the program recorded wins; the price
--    table fills in where it recorded tokens and a model but no cost; a
--    model with no price is 'unknown_model' (and listed in unpriced_models),
--    never silently free.  The price is the one stored with the span when
--    no price change is still to be applied (facts_dirty_prices empty: one
--    check a statement), else span_price's.  price_pattern, price_from and
--    priced_cost are span_price's, looked up only by a query that reads them.
CREATE VIEW span_cost AS
SELECT t.*,
       (SELECT p.price_pattern FROM span_price p WHERE p.span_rowid = t.span_rowid) AS price_pattern,
       (SELECT p.price_from FROM span_price p WHERE p.span_rowid = t.span_rowid) AS price_from,
       (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = t.span_rowid) AS priced_cost,
       CASE WHEN t.recorded_cost <> 0 THEN t.recorded_cost
            WHEN t.model IS NULL OR t.tokens_in + t.tokens_out <= 0 THEN 0
            WHEN t.stored_priced_cost IS NOT NULL AND (SELECT NOT EXISTS (SELECT 1 FROM facts_dirty_prices))
              THEN t.stored_priced_cost
            ELSE coalesce((SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = t.span_rowid), 0)
       END AS cost,
       CASE WHEN t.recorded_cost <> 0 THEN 'recorded'
            WHEN t.model IS NULL OR t.tokens_in + t.tokens_out <= 0 THEN 'none'
            WHEN t.stored_priced_cost IS NOT NULL AND (SELECT NOT EXISTS (SELECT 1 FROM facts_dirty_prices))
              THEN 'price_table'
            WHEN (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = t.span_rowid) IS NOT NULL
              THEN 'price_table'
            ELSE 'unknown_model' END AS cost_source
  FROM span_tokens t;

CREATE VIEW unpriced_models AS
SELECT model, count(*) AS spans, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out,
       min(start_ns) AS first_ns, max(start_ns) AS last_ns
  FROM span_cost WHERE cost_source = 'unknown_model'
 GROUP BY model;
