-- tracelm import FILE, OTLP JSON Lines: ?1 a few megabytes of whole lines
-- that start at line ?2 and byte ?3 of the file.  The CLI runs every chunk
-- in one transaction: a bad line anywhere imports nothing.
SELECT import_otel(?1, NULL, ?2, ?3);
