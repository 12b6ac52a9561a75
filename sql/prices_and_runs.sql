-- Prices and runs (schema version 3), applied to a new database after
-- schema.sql and to an upgraded one after migrate_3.sql (common/schema.c):
--   model_prices     what a model's tokens cost, with history; the default
--                    list is sql/model_prices.sql, loaded at the same time
--   span_tokens, span_price, span_cost
--                    each span's cost: recorded, or from model_prices
--   unpriced_models  models with tokens but no recorded cost and no price
--   traces_by_label  the traces of one run label, for compare_runs()
-- docs/schema.md and docs/reports.md explain them.
CREATE TABLE IF NOT EXISTS model_prices(
  model_pattern          TEXT NOT NULL,   -- GLOB against spans.model: 'gpt-4o-mini*'
  provider               TEXT NOT NULL,
  input_per_mtok         REAL NOT NULL,   -- USD per million input tokens
  output_per_mtok        REAL NOT NULL,
  cached_input_per_mtok  REAL,            -- NULL: as input
  reasoning_per_mtok     REAL,            -- NULL: as output
  currency               TEXT NOT NULL DEFAULT 'USD' CONSTRAINT currency_is_usd CHECK (currency = 'USD'),
  valid_from             TEXT NOT NULL DEFAULT '1970-01-01'
                         CONSTRAINT valid_from_is_a_date CHECK (date(valid_from) IS valid_from),
  source                 TEXT,
  PRIMARY KEY (model_pattern, valid_from)
);

-- Three steps, each a plain view SQLite flattens into the query that uses
-- it, so "WHERE trace_id = ?" or "WHERE span_rowid = ?" still uses the
-- spans table's indexes.
-- 1. The tokens a price applies to.  Cached input tokens are part of
--    tokens_in and reasoning tokens part of tokens_out (as OpenAI and the
--    OpenTelemetry GenAI conventions count them); they come from the span's
--    attributes gen_ai.usage.cached_input_tokens and gen_ai.usage.reasoning_tokens.
CREATE VIEW IF NOT EXISTS span_tokens AS
SELECT rowid AS span_rowid, trace_id, span_id, name, model, start_ns, tokens_in, tokens_out,
       coalesce(json_extract(attrs, '$."gen_ai.usage.cached_input_tokens"'), 0) AS cached_tokens,
       coalesce(json_extract(attrs, '$."gen_ai.usage.reasoning_tokens"'), 0) AS reasoning_tokens,
       cost AS recorded_cost
  FROM spans;

-- 2. The price: of the rows whose pattern matches the model and that were
--    in force on the day the span started (UTC), the most specific pattern
--    (most characters that are not wildcards), then the latest valid_from.
--    Only spans with tokens, a model and no recorded cost are looked up.
CREATE VIEW IF NOT EXISTS span_price AS
SELECT t.*, p.model_pattern AS price_pattern, p.valid_from AS price_from,
       ((t.tokens_in - t.cached_tokens) * p.input_per_mtok
        + t.cached_tokens * coalesce(p.cached_input_per_mtok, p.input_per_mtok)
        + (t.tokens_out - t.reasoning_tokens) * p.output_per_mtok
        + t.reasoning_tokens * coalesce(p.reasoning_per_mtok, p.output_per_mtok)) / 1e6 AS priced_cost
  FROM span_tokens t
  LEFT JOIN model_prices p
    ON t.recorded_cost = 0 AND t.model IS NOT NULL AND t.tokens_in + t.tokens_out > 0
   AND p.rowid = (SELECT q.rowid FROM model_prices q
                   WHERE t.model GLOB q.model_pattern
                     AND q.valid_from <= date(t.start_ns / 1000000000, 'unixepoch')
                   ORDER BY length(replace(replace(replace(q.model_pattern, '*', ''), '?', ''), '[', '')) DESC,
                            q.valid_from DESC
                   LIMIT 1);

-- 3. The cost every report uses: what the program recorded wins; the price
--    table fills in where it recorded tokens and a model but no cost; a
--    model with no price is 'unknown_model' (and listed in unpriced_models),
--    never silently free.
CREATE VIEW IF NOT EXISTS span_cost AS
SELECT *,
       iif(recorded_cost <> 0, recorded_cost, coalesce(priced_cost, 0)) AS cost,
       CASE WHEN recorded_cost <> 0 THEN 'recorded'
            WHEN priced_cost IS NOT NULL THEN 'price_table'
            WHEN model IS NOT NULL AND tokens_in + tokens_out > 0 THEN 'unknown_model'
            ELSE 'none' END AS cost_source
  FROM span_price;

CREATE VIEW IF NOT EXISTS unpriced_models AS
SELECT model, count(*) AS spans, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out,
       min(start_ns) AS first_ns, max(start_ns) AS last_ns
  FROM span_cost WHERE cost_source = 'unknown_model'
 GROUP BY model;

CREATE INDEX IF NOT EXISTS traces_by_label ON traces(label, start_ns);
