-- TraceLM schema, version 5: the rest of OTLP's trace data model, which a
-- new database (after schema.sql) and an upgraded one (after migrate_5.sql)
-- both get from this one file (common/schema.c).  Attributes are JSON
-- objects as in spans.attrs (a double always has a '.' or an exponent, so
-- 2.0 and 2 stay apart).

-- A resource (service.name and every other attribute), stored once.
CREATE TABLE IF NOT EXISTS resources(
  resource_id INTEGER PRIMARY KEY,
  attrs       TEXT    NOT NULL DEFAULT '{}',
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0,
  schema_url  TEXT    NOT NULL DEFAULT '',   -- the ResourceSpans' schemaUrl
  UNIQUE (attrs, dropped_attributes_count, schema_url),
  CONSTRAINT resource_attrs_is_json CHECK (json_valid(attrs))
);

-- An instrumentation scope (the library that made the spans), stored once.
CREATE TABLE IF NOT EXISTS scopes(
  scope_id    INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL DEFAULT '',
  version     TEXT    NOT NULL DEFAULT '',
  attrs       TEXT    NOT NULL DEFAULT '{}',
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0,
  schema_url  TEXT    NOT NULL DEFAULT '',   -- the ScopeSpans' schemaUrl
  UNIQUE (name, version, attrs, dropped_attributes_count, schema_url),
  CONSTRAINT scope_attrs_is_json CHECK (json_valid(attrs))
);

-- A span's events (an exception with its stack trace, a prompt, a
-- completion), in the order the span listed them (seq from 0).
CREATE TABLE IF NOT EXISTS span_events(
  trace_id    TEXT    NOT NULL,
  span_id     TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  time_ns     INTEGER NOT NULL,
  name        TEXT    NOT NULL,
  attrs       TEXT,
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (trace_id, span_id, seq),
  CONSTRAINT event_attrs_is_null_or_json CHECK (attrs IS NULL OR json_valid(attrs))
) WITHOUT ROWID;

-- A span's links to other spans (a batch consumer's producers, a retry's
-- first attempt), in the span's order.
CREATE TABLE IF NOT EXISTS span_links(
  trace_id    TEXT    NOT NULL,
  span_id     TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  linked_trace_id TEXT NOT NULL,
  linked_span_id  TEXT NOT NULL,
  trace_state TEXT,
  attrs       TEXT,
  flags       INTEGER,
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (trace_id, span_id, seq),
  CONSTRAINT link_attrs_is_null_or_json CHECK (attrs IS NULL OR json_valid(attrs))
) WITHOUT ROWID;

-- A span deleted takes its events and links along.
CREATE TRIGGER IF NOT EXISTS spans_delete_removes_events_and_links
AFTER DELETE ON spans
BEGIN
  DELETE FROM span_events WHERE trace_id = OLD.trace_id AND span_id = OLD.span_id;
  DELETE FROM span_links WHERE trace_id = OLD.trace_id AND span_id = OLD.span_id;
END;
