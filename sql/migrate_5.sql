-- TraceLM schema, version 4 -> 5: everything an OTLP span carries has a
-- place.  Resources and instrumentation scopes are stored once and
-- referenced by the spans that share them; events and links have tables of
-- their own (sql/otlp_model.sql, applied after this); spans keep OTLP's
-- dropped counts.  Columns are added at the end of spans, where schema.sql
-- also has them.
ALTER TABLE spans ADD COLUMN resource_id INTEGER;
ALTER TABLE spans ADD COLUMN scope_id INTEGER;
ALTER TABLE spans ADD COLUMN dropped_attributes_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN dropped_events_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN dropped_links_count INTEGER NOT NULL DEFAULT 0;
