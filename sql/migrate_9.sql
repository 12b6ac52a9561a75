-- TraceLM schema, version 8 -> 9: each LLM call's price-table cost stored
-- with it (spans.priced_cost), so span_cost reads a column instead of
-- matching the price list for every span.  sql/stored_prices.sql, applied
-- after this file to an upgraded database as to a new one, adds the
-- triggers that keep it, prices the calls already stored, and makes anew
-- the trigger an update fires (which must not fire on priced_cost).
ALTER TABLE spans ADD COLUMN priced_cost REAL;
DROP TRIGGER IF EXISTS spans_update_dirties_facts;
