-- Wrong input gets a one-line error that starts with the function's name.

-- No TraceLM tables yet.
SELECT * FROM trace_tree('latest');
SELECT trace_summary('latest');
SELECT latest_trace();
SELECT import_otel('{}');

.read helpers.sql
-- An empty database: no 'latest', no match.
SELECT * FROM critical_path('latest');
SELECT latest_trace() IS NULL;
INSERT INTO add_span VALUES (1, 1, NULL, 'root', 0, 10, NULL),
  (257, 1, NULL, 'root', 0, 10, NULL), (258, 1, NULL, 'root', 0, 10, NULL);

-- Trace ids: unknown, ambiguous (the error names the candidates), not hex,
-- NULL, and of the wrong type.
SELECT * FROM trace_tree('ffff');
SELECT * FROM trace_tree('0000000000000000000000000000010');
SELECT * FROM trace_tree('xyz');
SELECT * FROM trace_tree('00000000000000000000000000000000000001');
SELECT * FROM trace_tree(NULL);
SELECT * FROM trace_tree(42);
SELECT * FROM span_histogram(x'00');
SELECT trace_summary(1.5);
SELECT export_chrome(NULL);
SELECT export_otel('');
SELECT trace_validate('nope');

-- Missing arguments and bad options.
SELECT * FROM trace_tree;
SELECT * FROM trace_compare('latest');
SELECT * FROM trace_tree('latest', 'fancy');
SELECT * FROM trace_tree('latest', 3);
SELECT * FROM span_histogram('latest', '[5, 1]');
SELECT * FROM span_histogram('latest', 'not json');
SELECT * FROM span_histogram('latest', '[]');
SELECT * FROM span_histogram('latest', 7);
SELECT format_duration('soon');
SELECT format_duration(5, 'fancy');
SELECT format_duration(NULL) IS NULL;
SELECT import_otel(12);
SELECT import_csv(NULL);
-- The loaders' row function takes a pointer SQL cannot make.
SELECT tracelm_scan_row(NULL, 1, 'x');
SELECT count(tracelm_scan_row(?1, rowid, name)) FROM spans;

-- A database written by a newer TraceLM is refused, never altered.
PRAGMA user_version = 99;
SELECT tracelm_init();
PRAGMA user_version;
SELECT export_html(NULL);
SELECT export_html(42);
