-- TraceLM schema, version 5 (with sql/prices_and_runs.sql and sql/otlp_model.sql).
--
-- The single source of the database layout: the recorder (recorder/writer.c),
-- the extension (tracelm_init()) and the CLI all apply this text, embedded
-- at build time.  Every statement is idempotent, so applying it to a
-- database that already has it changes nothing.  docs/schema.md explains
-- each column.  PRAGMA user_version is set by common/schema.c, which also
-- refuses databases written by a newer TraceLM.  A database of an older
-- version is brought here by sql/migrate_N.sql (N = the version it makes);
-- a change to this file needs one, and common/span_row.h for spans.

-- One row per finished (or still open, end_ns NULL) span.  A rowid table on
-- purpose: span ids are random, so a table clustered by (trace_id, span_id)
-- takes every insert at a random page and each batch rewrites most of the
-- tree (docs/performance.md, "Measured choices", has the rates).
-- Rows append in time order; the primary key's index finds one trace, and
-- a trace's rows, written together, sit close together.
CREATE TABLE IF NOT EXISTS spans(
  trace_id       TEXT    NOT NULL,
  span_id        TEXT    NOT NULL,
  parent_id      TEXT,
  name           TEXT    NOT NULL,
  kind           TEXT    NOT NULL DEFAULT 'internal',
  start_ns       INTEGER NOT NULL,
  end_ns         INTEGER,
  status         TEXT    NOT NULL DEFAULT 'unset',
  status_message TEXT,
  tokens_in      INTEGER NOT NULL DEFAULT 0,
  tokens_out     INTEGER NOT NULL DEFAULT 0,
  cost           REAL    NOT NULL DEFAULT 0,
  model          TEXT,
  service        TEXT,
  thread_id      INTEGER,
  attrs          TEXT,
  -- Version 2.  OTLP's Span.flags: the W3C trace flags in the low byte,
  -- 0x100 and 0x200 for "parent is remote" known and true.
  flags          INTEGER CONSTRAINT flags_is_null_or_32_bits
                   CHECK (flags IS NULL OR flags BETWEEN 0 AND 4294967295),
  trace_state    TEXT,      -- W3C tracestate the span carried
  -- Version 5: where the span came from (NULL: the recorder, which has
  -- only service) and what its sender had to leave out.
  resource_id    INTEGER,   -- resources.resource_id
  scope_id       INTEGER,   -- scopes.scope_id
  dropped_attributes_count INTEGER NOT NULL DEFAULT 0,
  dropped_events_count     INTEGER NOT NULL DEFAULT 0,
  dropped_links_count      INTEGER NOT NULL DEFAULT 0,
  -- Version 9: the price table's cost of an LLM call, stored when it is
  -- written (sql/stored_prices.sql keeps it; NULL: look it up when read).
  -- Never a writer's input: span_cost reads it, common/span_row.h omits it.
  priced_cost    REAL,
  PRIMARY KEY (trace_id, span_id),
  -- Named, so a refused row says which rule it broke in one line.
  CONSTRAINT trace_id_is_32_lowercase_hex CHECK (length(trace_id) = 32
    AND trace_id NOT GLOB '*[^0-9a-f]*' AND trace_id <> '00000000000000000000000000000000'),
  CONSTRAINT span_id_is_16_lowercase_hex CHECK (length(span_id) = 16
    AND span_id NOT GLOB '*[^0-9a-f]*' AND span_id <> '0000000000000000'),
  CONSTRAINT parent_id_is_null_or_16_lowercase_hex CHECK (parent_id IS NULL
    OR (length(parent_id) = 16 AND parent_id NOT GLOB '*[^0-9a-f]*')),
  -- Comparisons, not IN: a CHECK's IN list becomes a temporary table built
  -- again for every INSERT statement run, which cost 1.7-2 us a row each
  -- (docs/performance.md).  A file made before keeps the IN lists.
  CONSTRAINT kind_is_an_otel_span_kind CHECK (kind = 'internal' OR kind = 'client'
    OR kind = 'server' OR kind = 'producer' OR kind = 'consumer' OR kind = 'unspecified'),
  CONSTRAINT status_is_unset_ok_or_error CHECK (status = 'unset' OR status = 'ok'
    OR status = 'error'),
  CONSTRAINT attrs_is_null_or_json CHECK (attrs IS NULL OR json_valid(attrs))
);

-- "All spans of one trace", in the order they were written.  The primary
-- key's index also finds a trace, but in span-id order, which is random:
-- reading a 1M-span trace through it is a million random row fetches
-- (docs/performance.md has the times).
CREATE INDEX IF NOT EXISTS spans_by_trace ON spans(trace_id);

-- One row per trace, kept current by the triggers below whoever inserts
-- the spans (importer, serve, or a user's own INSERT).  The recorder's
-- writer, whose connection runs with triggers off, keeps it by the same
-- rules once per run of a trace (recorder/writer.c, add_trace_sql), and
-- adds what only it knows: sampled and dropped_spans.
CREATE TABLE IF NOT EXISTS traces(
  trace_id      TEXT    PRIMARY KEY NOT NULL,
  start_ns      INTEGER,
  end_ns        INTEGER,
  root_span_id  TEXT,
  root_name     TEXT,
  service       TEXT,
  span_count    INTEGER NOT NULL DEFAULT 0,
  tokens_in     INTEGER NOT NULL DEFAULT 0,
  tokens_out    INTEGER NOT NULL DEFAULT 0,
  cost          REAL    NOT NULL DEFAULT 0,
  errors        INTEGER NOT NULL DEFAULT 0,
  sampled       INTEGER NOT NULL DEFAULT 1,
  dropped_spans INTEGER NOT NULL DEFAULT 0,
  label         TEXT,     -- version 3: the run this trace belongs to
  unexported_spans INTEGER NOT NULL DEFAULT 0  -- version 4: not delivered by OTLP export
) WITHOUT ROWID;

-- "The newest traces" (tracelm list, 'latest') is a walk down this index.
CREATE INDEX IF NOT EXISTS traces_by_start ON traces(start_ns);

CREATE TRIGGER IF NOT EXISTS spans_insert_updates_trace
AFTER INSERT ON spans
BEGIN
  INSERT INTO traces(trace_id, start_ns, end_ns, root_span_id, root_name,
                     service, span_count, tokens_in, tokens_out, cost, errors)
  VALUES (NEW.trace_id, NEW.start_ns, coalesce(NEW.end_ns, NEW.start_ns),
          iif(NEW.parent_id IS NULL, NEW.span_id, NULL),
          iif(NEW.parent_id IS NULL, NEW.name, NULL),
          iif(NEW.parent_id IS NULL, NEW.service, NULL),
          1, NEW.tokens_in, NEW.tokens_out, NEW.cost, NEW.status = 'error')
  ON CONFLICT(trace_id) DO UPDATE SET
    start_ns     = min(coalesce(start_ns, excluded.start_ns), excluded.start_ns),
    end_ns       = max(coalesce(end_ns, excluded.end_ns), excluded.end_ns),
    root_span_id = coalesce(excluded.root_span_id, root_span_id),
    root_name    = coalesce(excluded.root_name, root_name),
    service      = coalesce(excluded.service, service),
    span_count   = span_count + 1,
    tokens_in    = tokens_in + excluded.tokens_in,
    tokens_out   = tokens_out + excluded.tokens_out,
    cost         = cost + excluded.cost,
    errors       = errors + excluded.errors;
END;

-- Deleting spans keeps the counters exact; a trace with no spans left and
-- nothing dropped disappears.  start_ns/end_ns are not narrowed again.
CREATE TRIGGER IF NOT EXISTS spans_delete_updates_trace
AFTER DELETE ON spans
BEGIN
  UPDATE traces SET
    span_count = span_count - 1,
    tokens_in  = tokens_in - OLD.tokens_in,
    tokens_out = tokens_out - OLD.tokens_out,
    cost       = cost - OLD.cost,
    errors     = errors - (OLD.status = 'error'),
    root_span_id = iif(root_span_id = OLD.span_id, NULL, root_span_id),
    root_name    = iif(root_span_id = OLD.span_id, NULL, root_name)
  WHERE trace_id = OLD.trace_id;
  DELETE FROM traces
   WHERE trace_id = OLD.trace_id AND span_count = 0 AND dropped_spans = 0;
END;

