-- Cost from the price table (sql/prices_and_runs.sql, sql/model_prices.sql):
-- the most specific pattern wins, the price in force on the span's day,
-- cached tokens at their own price, recorded cost first, unknown models
-- listed and never priced as zero in silence.
.mode list
SELECT tracelm_init();
SELECT 'default prices', count(*) > 30, count(DISTINCT provider) FROM model_prices;

-- A history for one model: no price before March, one from March, a new
-- one from June (per million tokens).
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok, valid_from)
  VALUES ('acme-1*', 'acme', 1.0, 2.0, '2025-03-01'), ('acme-1*', 'acme', 2.0, 4.0, '2025-06-01');

-- 2025-04-01 00:00 UTC is 1743465600 s.
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, tokens_in, tokens_out, cost, model, attrs) VALUES
 ('0000000000000000000000000000000c', '0000000000000001', NULL, 'root',      1743465600000000000, 1743465601000000000, 0, 0, 0, NULL, NULL),
 -- gpt-4o-mini* (0.15 / 0.60) beats gpt-4o* (2.50 / 10.00):
 -- 1000 * 0.15 / 1e6 + 100 * 0.60 / 1e6 = 0.00015 + 0.00006 = 0.00021
 ('0000000000000000000000000000000c', '0000000000000002', '0000000000000001', 'mini', 1743465600100000000, 1743465600200000000, 1000, 100, 0, 'gpt-4o-mini-2024-07-18', NULL),
 -- gpt-4o with 400 of its 1000 input tokens cached (1.25 instead of 2.50):
 -- (600 * 2.50 + 400 * 1.25 + 10 * 10.00) / 1e6 = (1500 + 500 + 100) / 1e6 = 0.0021
 ('0000000000000000000000000000000c', '0000000000000003', '0000000000000001', 'cached', 1743465600200000000, 1743465600300000000, 1000, 10, 0, 'gpt-4o', '{"gen_ai.usage.cached_input_tokens":400}'),
 -- recorded cost wins over the table
 ('0000000000000000000000000000000c', '0000000000000004', '0000000000000001', 'recorded', 1743465600300000000, 1743465600400000000, 1000, 10, 0.5, 'gpt-4o', NULL),
 -- acme-1 on 2025-04-01: the March price, (100 * 1 + 100 * 2) / 1e6 = 0.0003
 ('0000000000000000000000000000000c', '0000000000000005', '0000000000000001', 'acme_april', 1743465600400000000, 1743465600500000000, 100, 100, 0, 'acme-1', NULL),
 -- acme-1 on 2025-07-01 (1751328000 s): the June price, (100 * 2 + 100 * 4) / 1e6 = 0.0006
 ('0000000000000000000000000000000c', '0000000000000006', '0000000000000001', 'acme_july', 1751328000000000000, 1751328000100000000, 100, 100, 0, 'acme-1', NULL),
 -- acme-1 on 2025-02-15 (1739577600 s): before any price
 ('0000000000000000000000000000000c', '0000000000000007', '0000000000000001', 'acme_february', 1739577600000000000, 1739577600100000000, 100, 100, 0, 'acme-1', NULL),
 -- a model nobody priced
 ('0000000000000000000000000000000c', '0000000000000008', '0000000000000001', 'mystery', 1743465600600000000, 1743465600700000000, 50, 5, 0, 'mystery-9', NULL);

SELECT name, price_pattern, price_from, printf('%.8f', cost), cost_source FROM span_cost ORDER BY span_id;
SELECT 'unpriced', model, spans, tokens_in, tokens_out FROM unpriced_models;

-- Every analysis sees the same costs: 0.00021 + 0.0021 + 0.5 + 0.0003 + 0.0006 = 0.50321
SELECT 'summary cost', printf('%.8f', json_extract(trace_summary('0000000000000000000000000000000c'), '$.cost')),
       json_extract(trace_summary('0000000000000000000000000000000c'), '$.unpriced_models');
SELECT 'span_stats', name, printf('%.8f', cost) FROM span_stats('0000000000000000000000000000000c') WHERE cost > 0 ORDER BY name;
SELECT 'chrome', json_extract(value, '$.name'), json_extract(value, '$.args.cost')
  FROM json_each(export_chrome('0000000000000000000000000000000c'), '$.traceEvents') WHERE json_extract(value, '$.name') = 'mini';

-- A price row must be a date and USD.
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok, valid_from)
  VALUES ('x', 'y', 1, 1, 'June');
INSERT INTO model_prices(model_pattern, provider, input_per_mtok, output_per_mtok, currency)
  VALUES ('x', 'y', 1, 1, 'EUR');

-- The same tables and views as a database upgraded from version 1
-- (migrate_v1.expected prints the same lines).
SELECT group_concat(type || ' ' || name, ', ') FROM
  (SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name);
SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('traces') ORDER BY cid);
