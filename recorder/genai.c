/*
** genai.c — recording LLM calls, tools and agents as the OpenTelemetry
** GenAI conventions name them (tracelm.h, "GenAI").
**
** Thin setters over span.c: they exist so a program writes the
** conventions' attribute names, not ones of its own that no reader maps.
** What every reader understands of these names, old and new, is the one
** mapping in sql/genai_mapping.sql and sql/cost_views.sql.
*/
#include "internal.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int is_json_array(const char *text){
  cJSON *value = cJSON_Parse(text);
  int yes = cJSON_IsArray(value);
  cJSON_Delete(value);
  return yes;
}

/* "chat gpt-4o-mini", the conventions' span name: operation, then model. */
static tlm_span *begin_named(const char *operation, const char *what){
  char name[256];
  if( what && *what ) snprintf(name, sizeof name, "%s %s", operation, what);
  else snprintf(name, sizeof name, "%s", operation);
  return tlm_span_begin(name);
}

void tlm_span_set_llm(tlm_span *span, const char *operation, const char *model, const char *provider){
  tlm_span_set_str(span, "gen_ai.operation.name", operation && *operation ? operation : "chat");
  if( model ) tlm_span_set_model(span, model);          /* gen_ai.request.model */
  if( provider ) tlm_span_set_str(span, "gen_ai.provider.name", provider);
}

tlm_span *tlm_llm_begin(const char *operation, const char *model, const char *provider){
  tlm_span *span = begin_named(operation && *operation ? operation : "chat", model);
  tlm_span_set_llm(span, operation, model, provider);
  return span;
}

int tlm_llm_usage(tlm_span *span, int64_t input, int64_t output, int64_t cache_read,
                  int64_t cache_creation, int64_t reasoning){
  /* The buckets are parts of the totals, as the conventions count them:
  ** a cache read beyond the input would be priced below zero. */
  if( span == NULL || input < 0 || output < 0 || cache_read < 0 || cache_creation < 0 || reasoning < 0
   || cache_read + cache_creation > input || reasoning > output ){
    return TLM_EINVAL;
  }
  tlm_span_add_tokens(span, input, output);
  if( cache_read ) tlm_span_set_int(span, "gen_ai.usage.cache_read.input_tokens", cache_read);
  if( cache_creation ) tlm_span_set_int(span, "gen_ai.usage.cache_creation.input_tokens", cache_creation);
  if( reasoning ) tlm_span_set_int(span, "gen_ai.usage.reasoning.output_tokens", reasoning);
  return TLM_OK;
}

int tlm_llm_first_token(tlm_span *span){
  struct timespec ts;
  if( span == NULL ) return TLM_EINVAL;
  if( !span->sampled || span->first_chunk ) return TLM_OK;   /* the first chunk only */
  span->first_chunk = 1;
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t since = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec - span->r.start_ns;
  /* Seconds, as the conventions give it. */
  tlm_span_set_double(span, "gen_ai.response.time_to_first_chunk", since > 0 ? since / 1e9 : 0.0);
  return TLM_OK;
}

int tlm_llm_response(tlm_span *span, const char *model, const char *id, const char *finish_reasons_json){
  if( span == NULL ) return TLM_EINVAL;
  if( finish_reasons_json && !is_json_array(finish_reasons_json) ) return TLM_EINVAL;
  if( model ) tlm_span_set_str(span, "gen_ai.response.model", model);
  if( id ) tlm_span_set_str(span, "gen_ai.response.id", id);
  if( finish_reasons_json ) tlm_span_set_str(span, "gen_ai.response.finish_reasons", finish_reasons_json);
  return TLM_OK;
}

int tlm_llm_messages(tlm_span *span, const char *system_instructions, const char *input_json,
                     const char *output_json){
  if( span == NULL ) return TLM_EINVAL;
  if( (input_json && !is_json_array(input_json)) || (output_json && !is_json_array(output_json)) ){
    return TLM_EINVAL;                                 /* nothing set: all or nothing */
  }
  if( system_instructions ) tlm_span_set_str(span, "gen_ai.system_instructions", system_instructions);
  if( input_json ) tlm_span_set_str(span, "gen_ai.input.messages", input_json);
  if( output_json ) tlm_span_set_str(span, "gen_ai.output.messages", output_json);
  return TLM_OK;
}

void tlm_span_set_tool(tlm_span *span, const char *name, const char *call_id, const char *type){
  tlm_span_set_str(span, "gen_ai.operation.name", "execute_tool");
  if( name ) tlm_span_set_str(span, "gen_ai.tool.name", name);
  if( call_id ) tlm_span_set_str(span, "gen_ai.tool.call.id", call_id);
  if( type ) tlm_span_set_str(span, "gen_ai.tool.type", type);
}

tlm_span *tlm_tool_begin(const char *name, const char *call_id, const char *type){
  tlm_span *span = begin_named("execute_tool", name);
  tlm_span_set_tool(span, name, call_id, type);
  return span;
}

void tlm_span_set_agent(tlm_span *span, const char *name, const char *id){
  tlm_span_set_str(span, "gen_ai.operation.name", "invoke_agent");
  if( name ) tlm_span_set_str(span, "gen_ai.agent.name", name);
  if( id ) tlm_span_set_str(span, "gen_ai.agent.id", id);
}

tlm_span *tlm_agent_begin(const char *name, const char *id){
  tlm_span *span = begin_named("invoke_agent", name);
  tlm_span_set_agent(span, name, id);
  return span;
}

void tlm_span_set_conversation(tlm_span *span, const char *id){
  if( id ) tlm_span_set_str(span, "gen_ai.conversation.id", id);
}
