/*
** export_otel.c — export_otel(trace_id): the trace as an OTLP/JSON
** ExportTraceServiceRequest, for Jaeger, Tempo, an OpenTelemetry
** collector, or `tracelm import` on another machine.
**
**   {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",
**     "value":{"stringValue":"rag"}}]},"scopeSpans":[{"scope":{"name":
**     "tracelm","version":"0.1.0"},"spans":[{"traceId":"4bf9...",
**     "spanId":"00f0...","name":"llm_call","kind":3,
**     "startTimeUnixNano":"1700000000000000000", ...}]}]}]}
**
** Rules followed (OTLP/JSON): ids are lowercase hex, not base64; 64-bit
** integers (times, intValue) are decimal strings; kind and status.code are
** the enum integers; a span with no parent omits parentSpanId.  One
** resourceSpans per service, spans in tree order within it.
**
** Columns become attributes under OpenTelemetry's GenAI names:
** tokens_in -> gen_ai.usage.input_tokens, tokens_out ->
** gen_ai.usage.output_tokens, model -> gen_ai.request.model, and cost ->
** tracelm.cost, thread_id -> thread.id.  The attrs object becomes
** attributes too: strings, booleans, integers (intValue), other numbers
** (doubleValue), arrays (arrayValue), objects (kvlistValue).
** import_otel() reads all of this back into the same rows.  An unfinished
** span is written with endTimeUnixNano "0", which import reads as NULL.
*/
#include "tracelm_ext.h"
#include <math.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

static void append_any_value(tlm_json_out *j, const cJSON *v);

static void append_key_value(tlm_json_out *j, const char *key, const cJSON *v){
  sqlite3_str_appendall(j->text, "{\"key\":");
  tlm_json_string(j, key);
  sqlite3_str_appendall(j->text, ",\"value\":");
  append_any_value(j, v);
  sqlite3_str_appendall(j->text, "}");
}

/* A JSON value as an OTLP AnyValue. */
static void append_any_value(tlm_json_out *j, const cJSON *v){
  sqlite3_str *out = j->text;
  if( cJSON_IsString(v) ){
    sqlite3_str_appendall(out, "{\"stringValue\":");
    tlm_json_string(j, v->valuestring);
    sqlite3_str_appendall(out, "}");
  }else if( cJSON_IsBool(v) ){
    sqlite3_str_appendf(out, "{\"boolValue\":%s}", cJSON_IsTrue(v) ? "true" : "false");
  }else if( cJSON_IsNumber(v) ){
    double d = v->valuedouble;
    if( d == floor(d) && fabs(d) < 9007199254740992.0 ){
      sqlite3_str_appendf(out, "{\"intValue\":\"%lld\"}", (long long)d);
    }else{
      sqlite3_str_appendf(out, "{\"doubleValue\":%!.17g}", d);
    }
  }else if( cJSON_IsArray(v) ){
    sqlite3_str_appendall(out, "{\"arrayValue\":{\"values\":[");
    for(const cJSON *item = v->child; item; item = item->next){
      append_any_value(j, item);
      if( item->next ) sqlite3_str_appendchar(out, 1, ',');
    }
    sqlite3_str_appendall(out, "]}}");
  }else if( cJSON_IsObject(v) ){
    sqlite3_str_appendall(out, "{\"kvlistValue\":{\"values\":[");
    for(const cJSON *item = v->child; item; item = item->next){
      append_key_value(j, item->string, item);
      if( item->next ) sqlite3_str_appendchar(out, 1, ',');
    }
    sqlite3_str_appendall(out, "]}}");
  }else{
    sqlite3_str_appendall(out, "{}");
  }
}

static void append_span(tlm_json_out *j, const tlm_graph *g, int32_t i, const char *attrs){
  const tlm_node *n = &g->nodes[i];
  sqlite3_str *out = j->text;
  char hex[17];
  int first = 1;
  tlm_span_id_to_hex(n->span_id, hex);
  sqlite3_str_appendf(out, "{\"traceId\":\"%s\",\"spanId\":\"%s\"", g->trace_id, hex);
  if( n->parent_id ){
    tlm_span_id_to_hex(n->parent_id, hex);
    sqlite3_str_appendf(out, ",\"parentSpanId\":\"%s\"", hex);
  }
  sqlite3_str_appendall(out, ",\"name\":");
  tlm_json_pooled(j, n->name);
  sqlite3_str_appendf(out, ",\"kind\":%d,\"startTimeUnixNano\":\"%lld\",\"endTimeUnixNano\":\"%lld\"",
                      n->kind, (long long)n->start_ns,
                      (long long)((n->problems & TLM_PROBLEM_UNFINISHED) ? 0 : n->end_ns));
  sqlite3_str_appendall(out, ",\"attributes\":[");
#define SEPARATE() (first ? (void)(first = 0) : sqlite3_str_appendchar(out, 1, ','))
  if( n->tokens_in ){
    SEPARATE();
    sqlite3_str_appendf(out, "{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"%lld\"}}",
                        (long long)n->tokens_in);
  }
  if( n->tokens_out ){
    SEPARATE();
    sqlite3_str_appendf(out, "{\"key\":\"gen_ai.usage.output_tokens\",\"value\":{\"intValue\":\"%lld\"}}",
                        (long long)n->tokens_out);
  }
  if( n->model >= 0 ){
    SEPARATE();
    sqlite3_str_appendall(out, "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":");
    tlm_json_pooled(j, n->model);
    sqlite3_str_appendall(out, "}}");
  }
  if( n->cost != 0 ){
    SEPARATE();
    sqlite3_str_appendf(out, "{\"key\":\"tracelm.cost\",\"value\":{\"doubleValue\":%!.17g}}", n->cost);
  }
  if( n->thread_id ){
    SEPARATE();
    sqlite3_str_appendf(out, "{\"key\":\"thread.id\",\"value\":{\"intValue\":\"%lld\"}}",
                        (long long)n->thread_id);
  }
  if( attrs ){
    cJSON *parsed = cJSON_Parse(attrs);
    for(const cJSON *item = cJSON_IsObject(parsed) ? parsed->child : NULL; item; item = item->next){
      SEPARATE();
      append_key_value(j, item->string, item);
    }
    cJSON_Delete(parsed);
  }
#undef SEPARATE
  sqlite3_str_appendf(out, "],\"status\":{\"code\":%d", n->status);
  if( n->message >= 0 ){
    sqlite3_str_appendall(out, ",\"message\":");
    tlm_json_pooled(j, n->message);
  }
  sqlite3_str_appendall(out, "}}");
}

static void export_otel_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  tlm_graph *g;
  tlm_json_out j = {0};
  char *errmsg = NULL, **attrs = NULL;
  int32_t *services = NULL, service_count = 0;
  uint8_t *listed = NULL;
  int rc;
  (void)argc;
  if( tlm_graph_get(ext, "export_otel", argv[0], &g, &errmsg) != SQLITE_OK ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  rc = tlm_graph_load_attrs(ext, g, &attrs, &errmsg);
  if( rc == SQLITE_OK ) rc = tlm_json_out_init(&j, ext->db, g);
  if( rc == SQLITE_OK ){
    /* Services in order of first appearance in the tree; slot 0 is "none". */
    services = sqlite3_malloc64((uint64_t)(g->string_count + 1) * sizeof *services);
    listed = sqlite3_malloc64((uint64_t)g->string_count + 1);
    if( services == NULL || listed == NULL ) rc = SQLITE_NOMEM;
  }
  if( rc == SQLITE_OK ){
    memset(listed, 0, (uint64_t)g->string_count + 1);
    for(int32_t k = 0; k < g->n; k++){
      int32_t s = g->nodes[g->order[k]].service;
      if( !listed[s + 1] ){ listed[s + 1] = 1; services[service_count++] = s; }
    }
    sqlite3_str_appendall(j.text, "{\"resourceSpans\":[");
    for(int32_t r = 0; r < service_count; r++){
      int first = 1;
      sqlite3_str_appendall(j.text, r ? ",{\"resource\":{\"attributes\":[" : "{\"resource\":{\"attributes\":[");
      if( services[r] >= 0 ){
        sqlite3_str_appendall(j.text, "{\"key\":\"service.name\",\"value\":{\"stringValue\":");
        tlm_json_pooled(&j, services[r]);
        sqlite3_str_appendall(j.text, "}}");
      }
      sqlite3_str_appendf(j.text, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"tracelm\","
                          "\"version\":\"%s\"},\"spans\":[", TLM_VERSION);
      for(int32_t k = 0; k < g->n; k++){
        int32_t i = g->order[k];
        if( g->nodes[i].service != services[r] ) continue;
        if( !first ) sqlite3_str_appendchar(j.text, 1, ',');
        first = 0;
        append_span(&j, g, i, attrs[i]);
      }
      sqlite3_str_appendall(j.text, "]}]}");
    }
    sqlite3_str_appendall(j.text, "]}");
  }
  sqlite3_free(services);
  sqlite3_free(listed);
  tlm_free_strings(attrs, attrs ? g->n : 0);
  tlm_json_out_result(&j, ctx, "export_otel", rc, errmsg);
  tlm_graph_release(g);
}

int tlm_register_export_otel(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_otel", 1, SQLITE_UTF8, ext,
                                 export_otel_func, 0, 0);
}
