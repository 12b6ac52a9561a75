-- Real OTLP/JSON written by other tools (../shared/testdata, read in
-- place; skipped where that folder is absent).  Each imports, analyses
-- like a recorded trace, or is refused with a clear reason.
.read helpers.sql
.headers off

-- The OpenTelemetry protocol repository's example: UPPERCASE hex ids.
SELECT import_otel(readfile('../../../shared/testdata/otlp/otlp_trace_example.json'));
SELECT trace_id, name, kind, status, service FROM spans;
SELECT line FROM trace_tree('latest');

-- The Java SDK: bytesValue, an empty AnyValue, intValue as a string,
-- kvlistValue, two scopes, status codes 1 and 2.
SELECT import_otel(readfile('../../../shared/testdata/otlp/otlp_trace_java_logging_otlp_expected_spans.json'));
SELECT name, kind, status, coalesce(attrs, '-') FROM spans
 WHERE trace_id <> '5b8efff798038103d269b633813fc60c' ORDER BY name;

-- Node SDK: four resourceSpans of one trace; the root has parentSpanId "".
SELECT import_otel(readfile('../../../shared/testdata/otlp/otlp_trace_jaegerui_nodejs_multi_resource.json'));
SELECT coalesce(trace_validate('c620759e'), 'valid');
SELECT line FROM trace_tree('c620759e');
SELECT name, seg_end_ns - seg_start_ns FROM critical_path('c620759e');

-- telemetrygen: one span id twice in a trace.  Refused whole.
SELECT count(*) FROM spans;
SELECT import_otel(readfile('../../../shared/testdata/otlp/otlp_trace_jaegerui_telemetrygen_dup_spanid.json'));
SELECT count(*) FROM spans;
