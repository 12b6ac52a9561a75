-- tracelm serve: one request's OTLP/JSON (?1).  A span already stored is
-- not stored again but counted, for OTLP's partialSuccess.rejectedSpans.
SELECT json_extract(counts, '$.imported'), json_extract(counts, '$.rejected')
  FROM (SELECT import_otel(?1, 'skip_duplicates') AS counts);
