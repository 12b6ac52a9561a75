-- 100,000 traces of two spans (a root, an LLM call), one a second, with
-- services, two roots, errors one trace in fifty and two run labels: the
-- file bench/bench_ui.py and tests/ui/test_ui.py time the browser's list on.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, service, model, tokens_in, tokens_out, status)
SELECT printf('%032x', i), printf('%016x', 2 * i), NULL, iif(i % 3, 'rag_pipeline', 'agent'),
       1700000000000000000 + i * 1000000000, 1700000000000000000 + i * 1000000000 + (i % 997) * 1000000,
       iif(i % 2, 'api', 'worker'), NULL, 0, 0, iif(i % 50, 'unset', 'error') FROM n
UNION ALL
SELECT printf('%032x', i), printf('%016x', 2 * i + 1), printf('%016x', 2 * i), 'llm',
       1700000000000000000 + i * 1000000000, 1700000000000000000 + i * 1000000000 + (i % 991) * 1000000,
       iif(i % 2, 'api', 'worker'), 'gpt-4o-mini', 100, 20, 'unset' FROM n;
UPDATE traces SET label = iif(start_ns / 1000000000 % 2, 'main', 'branch');
