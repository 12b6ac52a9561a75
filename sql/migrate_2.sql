-- TraceLM schema, version 1 -> 2: every span keeps OTLP's flags and the
-- W3C tracestate it carried (the recorder knows both; OTLP imports had
-- to drop them).  Columns are added at the end of spans, where
-- schema.sql also has them, so an upgraded database and a new one have
-- the same columns in the same order (tests/ext/migrate_v1.sql checks).
ALTER TABLE spans ADD COLUMN flags INTEGER CONSTRAINT flags_is_null_or_32_bits
  CHECK (flags IS NULL OR flags BETWEEN 0 AND 4294967295);
ALTER TABLE spans ADD COLUMN trace_state TEXT;
