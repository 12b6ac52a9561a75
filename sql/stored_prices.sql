-- Stored prices (schema version 9), applied to a new database and to an
-- upgraded one after sql/facts.sql and sql/cost_views.sql (common/schema.c).
--
-- span_cost used to match every LLM call against the price list as it was
-- read: 7 µs a call, so "SELECT sum(cost) FROM span_cost" took 29 times a
-- plain column's sum at 10M spans.  Now each call's price-table cost is
-- looked up once, when it is written, and stored in spans.priced_cost;
-- span_cost reads it (sql/cost_views.sql).  It is kept exact:
--   - every writer but the recorder's prices a call as it is inserted (the
--     trigger below); the recorder's writer, which runs without triggers,
--     prices its batch's calls in one statement (recorder/writer.c);
--   - an UPDATE of what a price depends on prices the span again;
--   - a price change marks its pattern in facts_dirty_prices (facts.sql):
--     while any is marked, span_cost looks every call up as before, and
--     the next facts build prices the calls of those models again
--     (ext/core/facts.c) before it clears the marks.
-- The UPDATE that stores a price sets only priced_cost, which no trigger
-- watches, so it marks nothing.

DROP TRIGGER IF EXISTS spans_insert_stores_price;
CREATE TRIGGER spans_insert_stores_price AFTER INSERT ON spans
WHEN NEW.model IS NOT NULL AND NEW.cost = 0 AND NEW.tokens_in + NEW.tokens_out > 0
BEGIN
  UPDATE spans SET priced_cost = (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = NEW.rowid)
   WHERE rowid = NEW.rowid;
END;

DROP TRIGGER IF EXISTS spans_update_stores_price;
CREATE TRIGGER spans_update_stores_price
AFTER UPDATE OF model, tokens_in, tokens_out, cost, attrs, start_ns ON spans
BEGIN
  UPDATE spans SET priced_cost = (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = NEW.rowid)
   WHERE rowid = NEW.rowid;
END;

-- Any change to a span but its stored price marks its trace (and the
-- trace it came from) for its facts to be built again.
DROP TRIGGER IF EXISTS spans_update_dirties_facts;
CREATE TRIGGER spans_update_dirties_facts
AFTER UPDATE OF trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status, status_message,
  tokens_in, tokens_out, cost, model, service, thread_id, attrs, flags, trace_state, resource_id,
  scope_id, dropped_attributes_count, dropped_events_count, dropped_links_count ON spans
BEGIN
  INSERT OR IGNORE INTO facts_dirty(trace_id) VALUES (OLD.trace_id), (NEW.trace_id);
END;

-- The calls an upgraded file already holds (none in a new one).
UPDATE spans SET priced_cost = (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = spans.rowid)
 WHERE model IS NOT NULL AND cost = 0 AND tokens_in + tokens_out > 0 AND priced_cost IS NULL;
