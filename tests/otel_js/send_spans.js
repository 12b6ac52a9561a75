// send_spans.js — the official OpenTelemetry JavaScript SDK sends two
// nested GenAI traces (cache reads, time to first chunk, a conversation,
// input messages, an answer and an evaluation as events, a tool call)
// to `tracelm serve`: one with the OTLP/HTTP JSON
// exporter, one with the protobuf exporter.  Prints the ids it made as JSON
// for test_otel_js.py to look for in the database.
//   node send_spans.js http://127.0.0.1:PORT/v1/traces
'use strict';
const api = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');

async function send(Exporter, service, second) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(new Exporter({ url: process.argv[2] }))],
  });
  const tracer = provider.getTracer('genai-app', '1.2.3');
  const root = tracer.startSpan('rag_pipeline', { kind: api.SpanKind.SERVER, startTime: [second, 123456789] });
  const context = api.trace.setSpan(api.ROOT_CONTEXT, root);
  const llm = tracer.startSpan('chat gpt-4o-mini', {
    kind: api.SpanKind.CLIENT,
    startTime: [second, 200000000],
    attributes: {
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 812,
      'gen_ai.usage.output_tokens': 96,
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.cache_read.input_tokens': 512,
      'gen_ai.response.time_to_first_chunk': 0.25,
      'gen_ai.conversation.id': 'js-conversation',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Why is the sky blue?' }] }]),
      'retries': 2,
      'temperature': 0.25,
      'streamed': true,
    },
  }, context);
  // The older per-message event, and an evaluation of the call.
  llm.addEvent('gen_ai.choice', { 'index': 0, 'finish_reason': 'stop', 'message.content': 'Rayleigh scattering.' },
               [second, 850000000]);
  llm.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'relevance',
    'gen_ai.evaluation.score.value': 0.75, 'gen_ai.evaluation.score.label': 'good' }, [second, 890000000]);
  llm.setStatus({ code: api.SpanStatusCode.ERROR, message: 'rate limited' });
  llm.end([second, 900000001]);
  const retrieve = tracer.startSpan('retrieve', { startTime: [second, 130000000] }, context);
  retrieve.setStatus({ code: api.SpanStatusCode.OK });
  retrieve.end([second, 190000000]);
  const tool = tracer.startSpan('execute_tool search', { startTime: [second, 910000000], attributes: {
    'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': 'call_1',
    'gen_ai.tool.call.arguments': '{"q":"sky"}' } }, context);
  tool.end([second, 950000000]);
  root.end([second + 1, 5]);
  await provider.forceFlush();
  await provider.shutdown();
  return {
    trace_id: root.spanContext().traceId, root: root.spanContext().spanId,
    llm: llm.spanContext().spanId, retrieve: retrieve.spanContext().spanId, tool: tool.spanContext().spanId,
  };
}

(async () => {
  const json = await send(JsonExporter, 'js-json', 1700000000);
  const proto = await send(ProtoExporter, 'js-proto', 1700000100);
  console.log(JSON.stringify({ json, proto }));
})().catch(error => { console.error(error); process.exit(1); });
