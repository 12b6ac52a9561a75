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
** the enum integers; a span with no parent omits parentSpanId; flags
** (a fixed32: a number) and traceState only where stored.  One
** resourceSpans per service, spans in the order they were stored: OTLP
** gives order no meaning, and reading the nodes in sequence is faster
** than in tree order (docs/performance.md, "Measured choices").
**
** Columns become attributes under OpenTelemetry's GenAI names:
** tokens_in -> gen_ai.usage.input_tokens, tokens_out ->
** gen_ai.usage.output_tokens, model -> gen_ai.request.model, and cost ->
** tracelm.cost, thread_id -> thread.id.  The attrs object becomes
** attributes too, exactly (otlp_attrs.c): strings, booleans, integers
** (intValue), numbers with a '.' or an exponent (doubleValue), arrays
** (arrayValue), objects (kvlistValue), null (the empty AnyValue).
** Spans imported from OTLP keep their origin: one resourceSpans per
** stored resource, one scopeSpans per stored scope (every attribute, the
** dropped counts, the schemaUrls), and each span its dropped counts,
** events and links (span_otlp.c): import then export gives the document
** back.  import_otel() reads all of this back into the same rows.  An unfinished
** span is written with endTimeUnixNano "0", which import reads as NULL.
*/
#include "json_out.h"
#include "otlp_attrs.h"
#include "span_otlp.h"
#include <stdlib.h>
#include "tracelm/tracelm.h"
#include "arrays.h"
#include "hexid.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

/* {"key":"K","value":{"intValue":"N"}} */
static void append_int_attribute(tlm_text *out, const char *key, int64_t value){
  tlm_text_str(out, "{\"key\":\"");
  tlm_text_str(out, key);
  tlm_text_str(out, "\",\"value\":{\"intValue\":\"");
  tlm_text_int(out, value);
  tlm_text_str(out, "\"}}");
}

/* flags as stored, written only when a plain unsigned integer: a fixed32 is
** a JSON number in OTLP/JSON. */
static int is_digits(const char *text){
  if( text == NULL || text[0] == 0 || strlen(text) > 10 ) return 0;
  for(const char *c = text; *c; c++) if( *c < '0' || *c > '9' ) return 0;
  return 1;
}

static void append_span(tlm_json_out *j, const tlm_graph *g, int32_t i, const char *attrs,
                        const char *flags, const char *trace_state, const char *extras){
  const tlm_node *n = &g->nodes[i];
  tlm_text *out = &j->text;
  char hex[17];
  int first = 1;
  tlm_text_str(out, "{\"traceId\":\"");
  tlm_text_append(out, g->trace_id, 32);
  tlm_text_str(out, "\",\"spanId\":\"");
  tlm_span_id_to_hex(n->span_id, hex);
  tlm_text_append(out, hex, 16);
  if( n->parent_id ){
    tlm_text_str(out, "\",\"parentSpanId\":\"");
    tlm_span_id_to_hex(n->parent_id, hex);
    tlm_text_append(out, hex, 16);
  }
  if( trace_state ){
    tlm_text_str(out, "\",\"traceState\":");
    tlm_json_string(j, trace_state);
    tlm_text_str(out, ",\"name\":");
  }else{
    tlm_text_str(out, "\",\"name\":");
  }
  tlm_json_pooled(j, n->name);
  if( is_digits(flags) ){
    tlm_text_str(out, ",\"flags\":");
    tlm_text_str(out, flags);
  }
  tlm_text_str(out, ",\"kind\":");
  tlm_text_int(out, n->kind);
  tlm_text_str(out, ",\"startTimeUnixNano\":\"");
  tlm_text_int(out, n->start_ns);
  tlm_text_str(out, "\",\"endTimeUnixNano\":\"");
  tlm_text_int(out, (n->problems & TLM_PROBLEM_UNFINISHED) ? 0 : n->end_ns);
  tlm_text_str(out, "\",\"attributes\":[");
#define SEPARATE() (first ? (void)(first = 0) : tlm_text_char(out, ','))
  if( n->tokens_in ){
    SEPARATE();
    append_int_attribute(out, "gen_ai.usage.input_tokens", n->tokens_in);
  }
  if( n->tokens_out ){
    SEPARATE();
    append_int_attribute(out, "gen_ai.usage.output_tokens", n->tokens_out);
  }
  if( n->model >= 0 ){
    SEPARATE();
    tlm_text_str(out, "{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":");
    tlm_json_pooled(j, n->model);
    tlm_text_str(out, "}}");
  }
  if( n->cost != 0 && !n->priced ){   /* a price looked up is not the span's to carry */
    SEPARATE();
    tlm_text_str(out, "{\"key\":\"tracelm.cost\",\"value\":{\"doubleValue\":");
    tlm_text_double(out, n->cost);
    tlm_text_str(out, "}}");
  }
  if( n->thread_id ){
    SEPARATE();
    append_int_attribute(out, "thread.id", n->thread_id);
  }
  if( attrs && tlm_otlp_attrs(out, attrs, first) > 0 ) first = 0;
#undef SEPARATE
  tlm_text_char(out, ']');
  if( extras ) tlm_text_str(out, extras);   /* dropped counts, events, links */
  tlm_text_str(out, ",\"status\":{\"code\":");
  tlm_text_int(out, n->status);
  if( n->message >= 0 ){
    tlm_text_str(out, ",\"message\":");
    tlm_json_pooled(j, n->message);
  }
  tlm_text_str(out, "}}");
}

/* The nodes in storage order, grouped by service in order of first
** appearance (a stable counting sort: one pass, however many services).
** *first[r] .. first[r + 1] are the spans of the r-th service, whose pool
** index is services[r] (-1: none). */
static int group_by_service(const tlm_graph *g, int32_t **grouped, int32_t **first,
                            int32_t **services, int32_t *service_count){
  int32_t *rank = tlm_array(g->string_count + 1, sizeof *rank);   /* slot 0: no service */
  int32_t count = 0;
  *grouped = tlm_array(g->n, sizeof **grouped);
  *first = tlm_array_zero(g->string_count + 2, sizeof **first);
  *services = tlm_array(g->string_count + 1, sizeof **services);
  if( !rank || !*grouped || !*first || !*services ){ sqlite3_free(rank); return SQLITE_NOMEM; }
  for(int32_t s = 0; s <= g->string_count; s++) rank[s] = -1;
  for(int32_t i = 0; i < g->n; i++){
    int32_t s = g->nodes[i].service;
    if( rank[s + 1] < 0 ){ rank[s + 1] = count; (*services)[count++] = s; }
    (*first)[rank[s + 1] + 1]++;
  }
  for(int32_t r = 0; r < count; r++) (*first)[r + 1] += (*first)[r];
  for(int32_t i = 0; i < g->n; i++){
    (*grouped)[(*first)[rank[g->nodes[i].service + 1]]++] = i;
  }
  /* The scatter moved each start to the next group's: shift back. */
  for(int32_t r = count; r > 0; r--) (*first)[r] = (*first)[r - 1];
  (*first)[0] = 0;
  *service_count = count;
  sqlite3_free(rank);
  return SQLITE_OK;
}

/* Bytes the export will take, from above in all but escaped strings and
** nested attrs: sizing the buffer once saves growing (copying) it. */
static int64_t estimated_size(const tlm_graph *g, char **attrs){
  int64_t bytes = 512 + (int64_t)g->string_count * 160;   /* resources */
  for(int32_t i = 0; i < g->n; i++){
    const tlm_node *n = &g->nodes[i];
    bytes += 500 + (int64_t)strlen(tlm_str(g, n->name));   /* 486 measured with thread.id */
    if( n->model >= 0 ) bytes += 80 + (int64_t)strlen(tlm_str(g, n->model));
    if( n->message >= 0 ) bytes += 16 + (int64_t)strlen(tlm_str(g, n->message));
    if( TEXT_AT(attrs, i) ) bytes += 8 * (int64_t)strlen(attrs[i]);   /* {"k":1} -> {"key":"k","value":{"intValue":"1"}} */
  }
  return bytes;
}

/* Spans the recorder wrote have no stored resource or scope: a resource of
** their service alone, and TraceLM's scope. */
#define TRACELM_SCOPE "\"scope\":{\"name\":\"tracelm\",\"version\":\"" TLM_VERSION "\"}"

static void append_service_resource(tlm_json_out *j, int32_t service){
  tlm_text_str(&j->text, "\"resource\":{\"attributes\":[");
  if( service >= 0 ){
    tlm_text_str(&j->text, "{\"key\":\"service.name\",\"value\":{\"stringValue\":");
    tlm_json_pooled(j, service);
    tlm_text_str(&j->text, "}}");
  }
  tlm_text_str(&j->text, "]}");
}

/* Spans imported from OTLP: ordered by (resource, scope, service) so each
** group becomes one resourceSpans / scopeSpans again; storage order
** within a group.  qsort_r's context is the loaded ids. */
static int by_origin(const void *a, const void *b, void *context){
  const tlm_span_otlp *o = ((void **)context)[0];
  const tlm_graph *g = ((void **)context)[1];
  int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  if( o->resource_id[x] != o->resource_id[y] ) return o->resource_id[x] < o->resource_id[y] ? -1 : 1;
  if( o->scope_id[x] != o->scope_id[y] ) return o->scope_id[x] < o->scope_id[y] ? -1 : 1;
  if( g->nodes[x].service != g->nodes[y].service ) return g->nodes[x].service < g->nodes[y].service ? -1 : 1;
  return (x > y) - (x < y);
}

/* The spans with a stored resource or scope, grouped by them. */
static int write_by_origin(tlm_json_out *j, const tlm_graph *g, tlm_span_otlp *o, char **attrs,
                           char **flags, char **states){
  tlm_text *out = &j->text;
  int32_t *order = tlm_array(g->n, sizeof *order);
  void *context[2] = { o, (void *)g };
  int rc = SQLITE_OK;
  if( order == NULL ) return SQLITE_NOMEM;
  for(int32_t i = 0; i < g->n; i++) order[i] = i;
  qsort_r(order, (size_t)g->n, sizeof *order, by_origin, context);
  tlm_text_str(out, "{\"resourceSpans\":[");
  for(int32_t k = 0; k < g->n && rc == SQLITE_OK; k++){
    int32_t i = order[k], p = k ? order[k - 1] : -1;
    int new_resource = p < 0 || o->resource_id[i] != o->resource_id[p]
                    || (o->resource_id[i] == 0 && g->nodes[i].service != g->nodes[p].service);
    int new_scope = new_resource || o->scope_id[i] != o->scope_id[p];
    if( p >= 0 && new_scope ) tlm_text_str(out, "]}");
    if( p >= 0 && new_resource ) tlm_text_str(out, "]}");
    if( new_resource ){
      tlm_text_str(out, p >= 0 ? ",{" : "{");
      if( o->resource_id[i] ){
        rc = tlm_span_otlp_resource(o, j, o->resource_id[i]);
      }else{
        append_service_resource(j, g->nodes[i].service);
      }
      tlm_text_str(out, ",\"scopeSpans\":[");
    }
    if( new_scope ){
      tlm_text_str(out, new_resource ? "{" : ",{");
      if( o->scope_id[i] ) rc = tlm_span_otlp_scope(o, j, o->scope_id[i]);
      else tlm_text_str(out, TRACELM_SCOPE);
      tlm_text_str(out, ",\"spans\":[");
    }else{
      tlm_text_char(out, ',');
    }
    append_span(j, g, i, TEXT_AT(attrs, i), TEXT_AT(flags, i), TEXT_AT(states, i),
                TEXT_AT(o->extras, i));
  }
  if( g->n > 0 ) tlm_text_str(out, "]}]}");
  tlm_text_str(out, "]}");
  sqlite3_free(order);
  return rc;
}

static void export_otel_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  tlm_graph *g;
  tlm_json_out j = {0};
  char *errmsg = NULL, **attrs = NULL, **flags = NULL, **states = NULL;
  int32_t *grouped = NULL, *first = NULL, *services = NULL, service_count = 0;
  int rc;
  (void)argc;
  tlm_span_otlp o;
  tlm_span_otlp_ride(&o);
  if( (g = tlm_graph_for_function_with(ctx, "export_otel", argv[0], &o.rider)) == NULL ){
    tlm_span_otlp_free(&o, 0);
    return;
  }
  rc = tlm_span_otlp_load(ext, g, &o, &errmsg);
  attrs = o.attrs, flags = o.flags, states = o.states;
  if( rc == SQLITE_OK ) rc = tlm_json_out_init(&j, g);
  if( rc == SQLITE_OK && o.with_origin ){
    tlm_text_reserve(&j.text, estimated_size(g, attrs));
    rc = write_by_origin(&j, g, &o, attrs, flags, states);
  }else if( rc == SQLITE_OK ){
    rc = group_by_service(g, &grouped, &first, &services, &service_count);
  }
  if( rc == SQLITE_OK && !o.with_origin ){
    tlm_text *out = &j.text;
    tlm_text_reserve(out, estimated_size(g, attrs));
    tlm_text_str(out, "{\"resourceSpans\":[");
    for(int32_t r = 0; r < service_count; r++){
      tlm_text_str(out, r ? ",{" : "{");
      append_service_resource(&j, services[r]);
      tlm_text_str(out, ",\"scopeSpans\":[{" TRACELM_SCOPE ",\"spans\":[");
      for(int32_t k = first[r]; k < first[r + 1]; k++){
        if( k > first[r] ) tlm_text_char(out, ',');
        int32_t i = grouped[k];
        append_span(&j, g, i, TEXT_AT(attrs, i), TEXT_AT(flags, i), TEXT_AT(states, i),
                    TEXT_AT(o.extras, i));
      }
      tlm_text_str(out, "]}]}");
    }
    tlm_text_str(out, "]}");
  }
  sqlite3_free(grouped);
  sqlite3_free(first);
  sqlite3_free(services);
  tlm_span_otlp_free(&o, g->n);   /* and attrs, flags, states */
  tlm_json_out_result(&j, ctx, "export_otel", rc, errmsg);
  tlm_graph_release(g);
}

int tlm_register_export_otel(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_otel", 1, SQLITE_UTF8, ext,
                                 export_otel_func, 0, 0);
}
