-- The GenAI mapping (schema version 8): what a span says as the
-- OpenTelemetry GenAI conventions name it, read once here for every
-- writer (libtracelm, import_otel, import_csv, tracelm serve, plain SQL),
-- since each stores the span's attributes as they came.  The token counts
-- are span_tokens' (sql/cost_views.sql), which prices them; everything
-- else an LLM, tool or agent span says is read below, the conventions'
-- name first, then the older or OpenInference one.  docs/genai.md has the
-- table.  llm_calls, tool_calls, conversations (sql/genai_views.sql),
-- trace_anomalies, trace_summary and the per-span facts read this view.
--
-- A plain view SQLite flattens into the query that uses it: a filter on
-- trace_id or span_rowid reaches the spans table's indexes.
DROP VIEW IF EXISTS span_genai;

CREATE VIEW span_genai AS
SELECT rowid AS span_rowid, trace_id, span_id, name, start_ns, end_ns, status,
       -- chat, text_completion, generate_content, embeddings, execute_tool,
       -- invoke_agent, create_agent; OpenInference's span kind mapped to them
       coalesce(json_extract(attrs, '$."gen_ai.operation.name"'),
                CASE json_extract(attrs, '$."openinference.span.kind"')
                  WHEN 'LLM' THEN 'chat' WHEN 'EMBEDDING' THEN 'embeddings'
                  WHEN 'TOOL' THEN 'execute_tool' WHEN 'AGENT' THEN 'invoke_agent' END,
                iif(name LIKE 'execute_tool %', 'execute_tool', NULL)) AS operation,
       coalesce(json_extract(attrs, '$."gen_ai.provider.name"'),
                json_extract(attrs, '$."gen_ai.system"'),
                json_extract(attrs, '$."llm.provider"'),
                json_extract(attrs, '$."llm.system"')) AS provider,
       -- spans.model is the model asked for: the importers store
       -- gen_ai.request.model there (else llm.model_name, else the
       -- response model), the recorder its tlm_span_set_model()
       model AS request_model,
       coalesce(json_extract(attrs, '$."gen_ai.response.model"'), model) AS response_model,
       json_extract(attrs, '$."gen_ai.response.id"') AS response_id,
       json_extract(attrs, '$."gen_ai.response.finish_reasons"') AS finish_reasons,
       coalesce(json_extract(attrs, '$."gen_ai.conversation.id"'),
                json_extract(attrs, '$."session.id"')) AS conversation_id,
       -- seconds, as the conventions give it
       CAST(round(1e9 * coalesce(json_extract(attrs, '$."gen_ai.response.time_to_first_chunk"'),
                                 json_extract(attrs, '$."gen_ai.response.time_to_first_token"')))
            AS INTEGER) AS ttft_ns,
       coalesce(json_extract(attrs, '$."gen_ai.tool.name"'),
                json_extract(attrs, '$."tool.name"'),
                iif(name LIKE 'execute_tool %', substr(name, 14), NULL)) AS tool_name,
       json_extract(attrs, '$."gen_ai.tool.call.id"') AS tool_call_id,
       json_extract(attrs, '$."gen_ai.tool.type"') AS tool_type,
       json_extract(attrs, '$."gen_ai.tool.call.arguments"') AS tool_arguments,
       json_extract(attrs, '$."gen_ai.input.messages"') AS input_messages,
       json_extract(attrs, '$."gen_ai.agent.name"') AS agent_name,
       json_extract(attrs, '$."gen_ai.agent.id"') AS agent_id,
       -- an LLM call: a span with a model, or a model's operation (0 or 1)
       model IS NOT NULL
         OR coalesce(json_extract(attrs, '$."gen_ai.operation.name"'),
                     CASE json_extract(attrs, '$."openinference.span.kind"')
                       WHEN 'LLM' THEN 'chat' WHEN 'EMBEDDING' THEN 'embeddings' END, '')
            IN ('chat', 'text_completion', 'generate_content', 'embeddings') AS is_llm,
       -- a tool execution: its operation, or a tool's name on the span (0 or 1)
       json_extract(attrs, '$."gen_ai.operation.name"') IS 'execute_tool'
         OR json_extract(attrs, '$."openinference.span.kind"') IS 'TOOL'
         OR json_extract(attrs, '$."gen_ai.tool.name"') IS NOT NULL
         OR name LIKE 'execute_tool %' AS is_tool
  FROM spans;
