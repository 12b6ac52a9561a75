-- export_chrome and export_otel on a trace across two services, with
-- overlapping spans on one thread (they need a second lane) and a process
-- hop (it gets a flow arrow).
.read helpers.sql
INSERT INTO add_span VALUES (1, 1, NULL, 'gateway', 0, 10000, 'server'),
  (1, 2, 1, 'fetch_a', 1000, 6000, 'client'),
  (1, 3, 1, 'fetch_b', 2000, 8000, 'client'),
  (1, 4, 3, 'handle', 2500, 7500, 'server');
UPDATE spans SET service = 'gateway', thread_id = 7 WHERE span_id <> printf('%016x', 4);
UPDATE spans SET service = 'retriever', thread_id = 9, model = 'm"1',
                 tokens_in = 3, tokens_out = 4, cost = 0.5,
                 attrs = '{"k":"v","n":2,"f":1.5,"b":true,"list":[1,"x"],"obj":{"z":null}}',
                 status = 'error', status_message = 'boom'
 WHERE span_id = printf('%016x', 4);
SELECT export_chrome('latest');
SELECT export_otel('latest');

-- fetch_a [1000,6000] and fetch_b [2000,8000] overlap on thread 7 without
-- nesting: fetch_b moves to lane 1 (tid 7 + 10^7).  Every (pid, tid)
-- nests strictly, which this query checks from the exported JSON itself.
WITH e AS (SELECT json_extract(value, '$.pid') AS pid, json_extract(value, '$.tid') AS tid,
                  json_extract(value, '$.ts') AS ts, json_extract(value, '$.dur') AS dur
             FROM json_each(export_chrome('latest'), '$.traceEvents')
            WHERE json_extract(value, '$.ph') = 'X')
SELECT 'overlapping pairs on one lane', count(*) FROM e a JOIN e b
    ON a.pid = b.pid AND a.tid = b.tid AND a.ts < b.ts
   AND b.ts < a.ts + a.dur AND b.ts + b.dur > a.ts + a.dur;
