-- tracelm analyze / latest: the "Trace Summary" section.
-- ?1 trace ('latest', an id or a unique prefix), ?2 'unicode' or 'ascii'.
-- A list the summary cuts (it keeps 100) ends with "… and N more"; the
-- LLM lines are there only for a trace with LLM calls, tools or a conversation.
WITH s(j) AS (SELECT trace_summary(?1))
SELECT 'Trace ID', json_extract(j, '$.trace_id') FROM s
UNION ALL SELECT 'Root span', json_extract(j, '$.root') FROM s
UNION ALL SELECT 'Total latency', json_extract(j, '$.total') FROM s
UNION ALL SELECT 'Spans', json_extract(j, '$.span_count') FROM s
UNION ALL SELECT 'Slowest span', json_extract(j, '$.slowest_span.name') || ' ('
       || format_duration(json_extract(j, '$.slowest_span.duration_ns'), ?2) || ')' FROM s
UNION ALL SELECT 'Critical path', (SELECT group_concat(value, iif(?2 = 'ascii', ' -> ', ' → '))
                                     FROM json_each(j, '$.critical_path'))
       || iif(json_extract(j, '$.critical_path_count') > json_array_length(j, '$.critical_path'),
              printf(' %s and %d more', iif(?2 = 'ascii', '...', '…'),
                     json_extract(j, '$.critical_path_count') - json_array_length(j, '$.critical_path')),
              '') FROM s
UNION ALL SELECT 'Tokens', json_extract(j, '$.tokens_in') || ' in / '
       || json_extract(j, '$.tokens_out') || ' out' FROM s
UNION ALL SELECT 'Cost', printf('$%.8f', json_extract(j, '$.cost'))
       || iif(json_array_length(j, '$.unpriced_models') > 0,
              ' (no price for ' || (SELECT group_concat(value, ', ')
                                      FROM json_each(j, '$.unpriced_models')) || ')', '') FROM s
UNION ALL SELECT 'LLM calls', json_extract(j, '$.llm_calls')
       || iif(json_extract(j, '$.ttft_ns') IS NULL, '',
              ', first chunk after ' || format_duration(json_extract(j, '$.ttft_ns'), ?2))
       || iif(json_extract(j, '$.tokens_per_s') IS NULL, '',
              printf(', %.1f tokens/s', json_extract(j, '$.tokens_per_s')))
  FROM s WHERE json_extract(j, '$.llm_calls') > 0
UNION ALL SELECT 'Tool calls', (SELECT group_concat(json_extract(value, '$.tool') || ' x'
                                   || json_extract(value, '$.calls')
                                   || iif(json_extract(value, '$.errors') > 0,
                                          ' (' || json_extract(value, '$.errors') || ' failed)', ''), ', ')
                                  FROM json_each(j, '$.tool_calls'))
  FROM s WHERE json_array_length(j, '$.tool_calls') > 0
UNION ALL SELECT 'Conversation', json_extract(j, '$.conversation_id')
  FROM s WHERE json_extract(j, '$.conversation_id') IS NOT NULL
UNION ALL SELECT 'Errors', json_extract(j, '$.errors') FROM s
UNION ALL SELECT 'Anomalies', iif(json_extract(j, '$.anomaly_count') = 0, 'none',
       (SELECT group_concat(json_extract(value, '$.name') || ' ('
                            || json_extract(value, '$.kind') || ')', ', ')
          FROM json_each(j, '$.anomalies'))
       || iif(json_extract(j, '$.anomaly_count') > json_array_length(j, '$.anomalies'),
              printf(', %s and %d more', iif(?2 = 'ascii', '...', '…'),
                     json_extract(j, '$.anomaly_count') - json_array_length(j, '$.anomalies')),
              '')) FROM s;
