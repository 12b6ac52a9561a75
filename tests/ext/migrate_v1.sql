-- A version-1 database, as today's code wrote it before version 2, is
-- upgraded in place by tracelm_init() (common/schema.c runs
-- sql/migrate_2.sql) and every old span reads back unchanged.
.read fixtures/v1_demo.sql
.mode list
SELECT 'before', (SELECT user_version FROM pragma_user_version), count(*) FROM spans;
CREATE TEMP TABLE old_spans AS SELECT * FROM spans;

SELECT tracelm_init();
SELECT 'after', (SELECT user_version FROM pragma_user_version), count(*) FROM spans;

-- The columns, in order, as a new database has them (export_csv's header
-- in import_export.expected is the same list).
SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('spans') ORDER BY cid);

-- Every old column of every span is as it was; the new ones are NULL.
SELECT 'changed spans', count(*) FROM spans s JOIN old_spans o USING (trace_id, span_id)
 WHERE s.parent_id IS NOT o.parent_id OR s.name IS NOT o.name OR s.kind IS NOT o.kind
    OR s.start_ns IS NOT o.start_ns OR s.end_ns IS NOT o.end_ns OR s.status IS NOT o.status
    OR s.status_message IS NOT o.status_message OR s.tokens_in IS NOT o.tokens_in
    OR s.tokens_out IS NOT o.tokens_out OR s.cost IS NOT o.cost OR s.model IS NOT o.model
    OR s.service IS NOT o.service OR s.thread_id IS NOT o.thread_id OR s.attrs IS NOT o.attrs;
SELECT 'new columns set', count(*) FROM spans WHERE flags IS NOT NULL OR trace_state IS NOT NULL;

-- The analyses read the upgraded trace.
SELECT name FROM critical_path('latest');
SELECT span_count, tokens_in, tokens_out FROM traces;

-- The triggers still keep traces current, and the new column's rule holds.
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, flags, trace_state)
  SELECT trace_id, 'ffffffffffffffff', root_span_id, 'added', start_ns, end_ns, 769, 'k=v' FROM traces;
SELECT span_count FROM traces;
INSERT INTO spans(trace_id, span_id, name, start_ns, flags)
  VALUES('0123456789abcdef0123456789abcdef', '0123456789abcdef', 'bad', 1, 4294967296);

-- Version 3 came too: the default prices, the cost views, traces.label;
-- the same tables and views as a new database (prices.expected prints the
-- same two lines).
SELECT 'prices', count(*) > 30 FROM model_prices;
SELECT group_concat(type || ' ' || name, ', ') FROM
  (SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name);
SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('traces') ORDER BY cid);

-- A second tracelm_init() changes nothing.
SELECT tracelm_init(), (SELECT user_version FROM pragma_user_version);
