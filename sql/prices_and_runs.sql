-- Prices and runs (schema version 3), applied to a new database after
-- schema.sql and to an upgraded one after migrate_3.sql (common/schema.c):
--   model_prices     what a model's tokens cost, with history; the default
--                    list is sql/model_prices.sql, loaded at the same time
--   (the cost views are sql/cost_views.sql, version 6)
--   traces_by_label  the traces of one run label, for compare_runs()
-- docs/schema.md and docs/reports.md explain them.
CREATE TABLE IF NOT EXISTS model_prices(
  model_pattern          TEXT NOT NULL,   -- GLOB against spans.model: 'gpt-4o-mini*'
  provider               TEXT NOT NULL,
  input_per_mtok         REAL NOT NULL,   -- USD per million input tokens
  output_per_mtok        REAL NOT NULL,
  cached_input_per_mtok  REAL,            -- cache reads; NULL: as input
  reasoning_per_mtok     REAL,            -- NULL: as output
  currency               TEXT NOT NULL DEFAULT 'USD' CONSTRAINT currency_is_usd CHECK (currency = 'USD'),
  valid_from             TEXT NOT NULL DEFAULT '1970-01-01'
                         CONSTRAINT valid_from_is_a_date CHECK (date(valid_from) IS valid_from),
  source                 TEXT,
  cache_write_per_mtok   REAL,            -- version 6: tokens written to a prompt cache; NULL: as input
  PRIMARY KEY (model_pattern, valid_from)
);

-- The cost views (span_tokens, span_price, span_cost, unpriced_models) are
-- sql/cost_views.sql, version 6.

CREATE INDEX IF NOT EXISTS traces_by_label ON traces(label, start_ns);
