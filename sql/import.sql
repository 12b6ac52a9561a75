-- tracelm import FILE --format F: ?1 the file's text, ?2 'otel' or 'csv'.
-- The CLI wraps it in one transaction: a bad file imports nothing.
SELECT CASE ?2 WHEN 'otel' THEN import_otel(?1) WHEN 'csv' THEN import_csv(?1) END;
