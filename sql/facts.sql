-- Per-span facts (schema version 6), applied to a new database after
-- schema.sql and to an upgraded one after migrate_6.sql (common/schema.c).
--
-- Questions over many traces (span_stats(NULL), span_stats over a run
-- label or a window, compare_runs) need for every span what only its
-- trace's graph tells: its path of ancestor names, its self time, its time
-- on the critical path, its priced cost.  Computing those per query costs
-- a graph load per trace (11.8 s for span_stats(NULL) at 1M spans).  They
-- are computed once per trace instead, by ext/core/facts.c, lazily: every
-- writer only marks the trace in facts_dirty (a trigger, or the
-- recorder's writer once per batch), and the next cross-trace query on a
-- writable connection builds the marked traces' facts, removing the
-- marks in the same transaction.  A reader that cannot write computes the
-- marked traces in memory, so facts are never used stale.
-- docs/ARCHITECTURE.md ("Facts") says why lazily and what was measured.

-- One row per distinct chain of names from a root: 'rag' -> 'rag/llm'.
-- A span's path is the row of (its parent's path, its name).  The text
-- 'rag/llm' is not stored: a chain a million spans deep has a million
-- paths, and their texts would hold a million names each.
CREATE TABLE IF NOT EXISTS span_paths(
  path_id        INTEGER PRIMARY KEY,
  parent_path_id INTEGER,             -- NULL for a root
  name           TEXT NOT NULL,
  depth          INTEGER NOT NULL     -- 0 for a root
);
CREATE UNIQUE INDEX IF NOT EXISTS span_paths_by_parent ON span_paths(parent_path_id, name);

-- One row per trace whose facts are built.  trace_key numbers the traces
-- so that span_facts can refer to one in a few bytes.
CREATE TABLE IF NOT EXISTS trace_facts(
  trace_key  INTEGER PRIMARY KEY,
  trace_id   TEXT NOT NULL UNIQUE,
  start_ns   INTEGER NOT NULL,        -- the trace's first and last known times
  end_ns     INTEGER NOT NULL,
  spans      INTEGER NOT NULL,
  tokens_in  INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  cost       REAL NOT NULL,           -- recorded or priced, as span_cost
  errors     INTEGER NOT NULL         -- spans with status 'error'
);
CREATE INDEX IF NOT EXISTS trace_facts_by_start ON trace_facts(start_ns);
-- Version 7: the trace browser's list sorted by cost walks this (cli/ui_api.c).
CREATE INDEX IF NOT EXISTS trace_facts_by_cost ON trace_facts(cost, trace_id);

-- One row per span of a built trace, in the trace's depth-first order
-- (seq), children by start time: the order compare_runs lists paths in.
-- Clustered by trace, so a trace's facts are one range and a scan of all
-- of them reads nothing else.
CREATE TABLE IF NOT EXISTS span_facts(
  trace_key        INTEGER NOT NULL,  -- trace_facts.trace_key
  seq              INTEGER NOT NULL,  -- depth-first position in the trace, from 0
  span_rowid       INTEGER NOT NULL,  -- spans.rowid
  path_id          INTEGER NOT NULL,  -- span_paths.path_id
  start_offset_ns  INTEGER NOT NULL,  -- after trace_facts.start_ns (a few bytes, not eight)
  duration_ns      INTEGER NOT NULL,  -- as the graph sees it (graph.c: unfinished, negative)
  self_ns          INTEGER NOT NULL,  -- duration less the union of its children's
  critical_ns      INTEGER NOT NULL,  -- time on the trace's critical path
  error            INTEGER NOT NULL,  -- 1: status 'error'
  tokens_in        INTEGER NOT NULL,
  tokens_out       INTEGER NOT NULL,
  cache_read_tokens     INTEGER NOT NULL,  -- as span_tokens counts them (part of tokens_in)
  cache_creation_tokens INTEGER NOT NULL,  -- (part of tokens_in)
  reasoning_tokens      INTEGER NOT NULL,  -- (part of tokens_out)
  cost             REAL NOT NULL,     -- as span_cost: recorded, else priced, else 0
  cost_kind        INTEGER NOT NULL,  -- span_cost.cost_source: 0 none, 1 recorded,
                                      -- 2 price_table, 3 unknown_model
  model            TEXT,
  service          TEXT,
  ttft_ns          INTEGER,           -- an LLM call's time to first chunk (span_genai); version 8
  PRIMARY KEY (trace_key, seq)
) WITHOUT ROWID;
-- Re-pricing finds the spans a price row can match without a full scan.
CREATE INDEX IF NOT EXISTS span_facts_by_model ON span_facts(model) WHERE model IS NOT NULL;
-- A model's p90 time to first chunk (trace_anomalies' slow_first_token)
-- is an offset into this.
CREATE INDEX IF NOT EXISTS span_facts_by_ttft ON span_facts(model, ttft_ns) WHERE ttft_ns IS NOT NULL;

-- Traces whose facts must be (re)built: new, grown, changed or deleted.
CREATE TABLE IF NOT EXISTS facts_dirty(trace_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
-- Price rows added, changed or removed since facts were last built: the
-- traces with a span of a model they match are rebuilt (facts.c).
CREATE TABLE IF NOT EXISTS facts_dirty_prices(model_pattern TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;

-- Every writer but the recorder's (whose connection runs without
-- triggers and marks each trace of a batch itself, recorder/writer.c).
CREATE TRIGGER IF NOT EXISTS spans_insert_dirties_facts AFTER INSERT ON spans
BEGIN
  INSERT OR IGNORE INTO facts_dirty(trace_id) VALUES (NEW.trace_id);
END;
-- (An update marks its trace too: sql/stored_prices.sql, since version 9.)
CREATE TRIGGER IF NOT EXISTS spans_delete_dirties_facts AFTER DELETE ON spans
BEGIN
  INSERT OR IGNORE INTO facts_dirty(trace_id) VALUES (OLD.trace_id);
END;
CREATE TRIGGER IF NOT EXISTS prices_insert_dirties_facts AFTER INSERT ON model_prices
BEGIN
  INSERT OR IGNORE INTO facts_dirty_prices(model_pattern) VALUES (NEW.model_pattern);
END;
CREATE TRIGGER IF NOT EXISTS prices_update_dirties_facts AFTER UPDATE ON model_prices
BEGIN
  INSERT OR IGNORE INTO facts_dirty_prices(model_pattern)
  VALUES (OLD.model_pattern), (NEW.model_pattern);
END;
CREATE TRIGGER IF NOT EXISTS prices_delete_dirties_facts AFTER DELETE ON model_prices
BEGIN
  INSERT OR IGNORE INTO facts_dirty_prices(model_pattern) VALUES (OLD.model_pattern);
END;

-- Every trace stored before its facts existed (a new database has none;
-- an upgraded one has them all): built by the first query that needs them.
INSERT OR IGNORE INTO facts_dirty(trace_id) SELECT trace_id FROM traces;
