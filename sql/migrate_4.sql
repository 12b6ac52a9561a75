-- TraceLM schema, version 3 -> 4: traces count the spans the recorder could
-- not deliver to its OTLP endpoint (refused, retries ran out, or past the
-- retry buffer), beside those it dropped from a full queue.
ALTER TABLE traces ADD COLUMN unexported_spans INTEGER NOT NULL DEFAULT 0;
