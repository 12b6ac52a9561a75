-- Stored prices (sql/stored_prices.sql): each LLM call's price-table cost
-- is stored when it is written and span_cost reads it, but never stale —
-- a price change, a user's UPDATE, a recorded cost, an unknown model.
.read helpers.sql
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok)
  VALUES ('test-model', 'test', 1, 2);
-- 1M in at $1 + 1M out at $2 = $3; a recorded cost; a model with no price;
-- a span with no model.
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, model, tokens_in, tokens_out, cost)
  VALUES (printf('%032x', 1), printf('%016x', 1), NULL, 'llm', 0, 10, 'test-model', 1000000, 1000000, 0),
         (printf('%032x', 1), printf('%016x', 2), NULL, 'llm', 0, 10, 'test-model', 1000000, 1000000, 0.5),
         (printf('%032x', 1), printf('%016x', 3), NULL, 'llm', 0, 10, 'nobody-1', 10, 10, 0),
         (printf('%032x', 1), printf('%016x', 4), NULL, 'tool', 0, 10, NULL, 0, 0, 0);
.mode list
SELECT 'stored', span_id, priced_cost FROM spans ORDER BY span_id;
SELECT 'span_cost', span_id, cost, cost_source, price_pattern FROM span_cost ORDER BY span_id;

-- A price change: span_cost follows at once (the stored price is not
-- read while the change is marked); the next facts build stores it.
UPDATE model_prices SET output_per_mtok = 4 WHERE model_pattern = 'test-model';
SELECT 'marked', group_concat(model_pattern) FROM facts_dirty_prices;
SELECT 'changed, not built', span_id, spans.priced_cost, span_cost.cost FROM spans JOIN span_cost USING (span_id) WHERE span_id = printf('%016x', 1);
PRAGMA query_only = 1;
SELECT count(*) FROM span_stats(NULL);
SELECT 'read-only', span_id, spans.priced_cost, span_cost.cost FROM spans JOIN span_cost USING (span_id) WHERE span_id = printf('%016x', 1);
PRAGMA query_only = 0;
SELECT count(*) FROM span_stats(NULL);
SELECT 'built', span_id, spans.priced_cost, span_cost.cost, (SELECT count(*) FROM facts_dirty_prices)
  FROM spans JOIN span_cost USING (span_id) WHERE span_id = printf('%016x', 1);

-- A user's UPDATE of what the price depends on prices the span again.
UPDATE spans SET tokens_out = 0 WHERE span_id = printf('%016x', 1);
SELECT 'fewer tokens', priced_cost FROM spans WHERE span_id = printf('%016x', 1);
UPDATE spans SET model = 'nobody-2' WHERE span_id = printf('%016x', 1);
SELECT 'unknown model', coalesce(spans.priced_cost, 'NULL'), span_cost.cost, cost_source FROM spans JOIN span_cost USING (span_id)
 WHERE span_id = printf('%016x', 1);
-- A price for it: marked, so span_cost looks it up; the build stores it.
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok) VALUES ('nobody-*', 'test', 2, 2);
SELECT 'new price', cost, cost_source FROM span_cost WHERE span_id = printf('%016x', 1);
SELECT count(*) FROM span_stats(NULL);
SELECT 'new price built', priced_cost FROM spans WHERE span_id IN (printf('%016x', 1), printf('%016x', 3)) ORDER BY span_id;
UPDATE spans SET cost = 0.25 WHERE span_id = printf('%016x', 1);
SELECT 'recorded now', coalesce(spans.priced_cost, 'NULL'), span_cost.cost, cost_source FROM spans JOIN span_cost USING (span_id)
 WHERE span_id = printf('%016x', 1);

-- Storing a price marks no trace for its facts; every row agrees with
-- span_price, the lookup.
SELECT count(*) FROM span_stats(NULL);
UPDATE spans SET priced_cost = priced_cost;
SELECT 'marks after storing', count(*) FROM facts_dirty;
SELECT 'agree', count(*), sum(c.cost = iif(p.recorded_cost <> 0, p.recorded_cost, coalesce(p.priced_cost, 0)))
  FROM span_cost c JOIN span_price p USING (span_rowid);
