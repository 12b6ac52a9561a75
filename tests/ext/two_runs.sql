-- two_runs.sql — two runs of one small pipeline (times in ms * 1e6 = ns),
-- read after helpers.sql by analyses.sql and by the check of docs/sql.md,
-- whose examples are these traces.
-- Run A: pipeline 100 ms: retrieve 20 ms, three llm_calls 10, 20, 40 ms.
INSERT INTO add_span VALUES (10, 1, NULL, 'pipeline', 0, 100000000, NULL),
  (10, 2, 1, 'retrieve', 0, 20000000, NULL),
  (10, 3, 1, 'llm_call', 20000000, 30000000, NULL),
  (10, 4, 1, 'llm_call', 30000000, 50000000, NULL),
  (10, 5, 1, 'llm_call', 50000000, 90000000, NULL);
UPDATE spans SET tokens_in = 100, tokens_out = 10, cost = 0.001
 WHERE trace_id = printf('%032x', 10) AND name = 'llm_call';
UPDATE spans SET status = 'error', status_message = 'rate limited'
 WHERE trace_id = printf('%032x', 10) AND span_id = printf('%016x', 5);

-- Run B: retrieve slower (30 ms), one llm_call fewer, a new rerank step.
INSERT INTO add_span VALUES (11, 1, NULL, 'pipeline', 1000000000, 1080000000, NULL),
  (11, 2, 1, 'retrieve', 1000000000, 1030000000, NULL),
  (11, 3, 1, 'rerank', 1030000000, 1035000000, NULL),
  (11, 4, 1, 'llm_call', 1035000000, 1075000000, NULL);
UPDATE spans SET tokens_in = 150, tokens_out = 20, cost = 0.002
 WHERE trace_id = printf('%032x', 11) AND name = 'llm_call';
