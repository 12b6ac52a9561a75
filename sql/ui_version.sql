-- The trace browser's live check (GET /api/version, polled every two
-- seconds): data_version changes when another connection (serve's
-- receiver, a recording program) commits; the page reloads its list then.
SELECT (SELECT data_version FROM pragma_data_version) AS data_version,
       (SELECT count(*) FROM traces WHERE span_count > 0) AS traces,
       (SELECT max(start_ns) FROM traces) AS newest_ns;
