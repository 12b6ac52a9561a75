/*
** otlp_request.c — a batch of the writer's records as one OTLP
** ExportTraceServiceRequest, in protobuf (protobuf-c, from
** common/otlp/otlp_trace.proto).
**
** The columns OTLP has no field for travel as the attributes export_otel()
** writes and import_otel() maps back (docs/otlp.md): tokens as
** gen_ai.usage.input_tokens / output_tokens, the model as
** gen_ai.request.model, cost as tracelm.cost, the thread as thread.id, each
** only where set.  So a span exported here and received by `tracelm
** serve` is the row the recorder itself would have stored.
**
** The whole message points into the records (strings are borrowed, never
** copied) and into a handful of arrays sized for the batch up front: one
** allocation per kind of part, not per span.
**
** Events (tlm_span_add_event, tlm_span_score) go as Span.Events: their
** attributes, kept as JSON object text, are parsed once here; strings,
** numbers (integral ones as intValue) and booleans as such, an array or
** object as its JSON text.
*/
#include "internal.h"
#include "otlp_trace.pb-c.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef Opentelemetry__Proto__Trace__V1__Span Span;
typedef Opentelemetry__Proto__Trace__V1__Status Status;
typedef Opentelemetry__Proto__Trace__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Trace__V1__AnyValue AnyValue;
typedef Opentelemetry__Proto__Trace__V1__Span__Event Event;

#define EXTRA_ATTRIBUTES 5   /* tokens in, tokens out, model, cost, thread */

/* The batch's message and the arrays it points into. */
typedef struct parts {
  Span *spans;
  Span **span_list;
  Status *statuses;
  uint8_t *ids;                  /* 32 bytes a span: trace, span, parent */
  KeyValue *kvs;
  KeyValue **kv_list;
  AnyValue *values;
  size_t used;                   /* kvs handed out */
  Event *events;
  Event **event_list;
  cJSON **event_attrs;           /* each event's parsed attributes, or NULL */
  char **texts;                  /* JSON texts of nested values, freed after packing */
  size_t events_used, texts_used;
} parts;

static AnyValue *next_attribute(parts *p, const char *key, KeyValue ***list_end){
  KeyValue *kv = &p->kvs[p->used];
  AnyValue *v = &p->values[p->used];
  opentelemetry__proto__trace__v1__key_value__init(kv);
  opentelemetry__proto__trace__v1__any_value__init(v);
  kv->key = (char *)key;
  kv->value = v;
  *(*list_end)++ = kv;
  p->used++;
  return v;
}

static void int_attribute(parts *p, const char *key, int64_t value, KeyValue ***end){
  AnyValue *v = next_attribute(p, key, end);
  v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_INT_VALUE;
  v->int_value = value;
}

/* One event attribute from its parsed JSON value. */
static void json_attribute(parts *p, const cJSON *item, KeyValue ***end){
  AnyValue *v = next_attribute(p, item->string, end);
  if( cJSON_IsString(item) ){
    v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_STRING_VALUE;
    v->string_value = item->valuestring;
  }else if( cJSON_IsBool(item) ){
    v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_BOOL_VALUE;
    v->bool_value = cJSON_IsTrue(item);
  }else if( cJSON_IsNumber(item) ){
    double d = item->valuedouble;
    if( d == floor(d) && fabs(d) < 9007199254740992.0 ){
      v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_INT_VALUE;
      v->int_value = (int64_t)d;
    }else{
      v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
      v->double_value = d;
    }
  }else if( !cJSON_IsNull(item) ){
    char *text = cJSON_PrintUnformatted(item);
    if( text ){
      p->texts[p->texts_used++] = text;
      v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_STRING_VALUE;
      v->string_value = text;
    }
  }
}

static void fill_events(parts *p, Span *s, const tlm_record *r){
  if( r->event_count == 0 ) return;
  s->events = &p->event_list[p->events_used];
  s->n_events = (size_t)r->event_count;
  for(int i = 0; i < r->event_count; i++){
    size_t k = p->events_used++;
    Event *e = &p->events[k];
    KeyValue **list = &p->kv_list[p->used], **end = list;
    const cJSON *item;
    opentelemetry__proto__trace__v1__span__event__init(e);
    e->name = r->events[i].name;
    e->time_unix_nano = (uint64_t)r->events[i].time_ns;
    cJSON_ArrayForEach(item, p->event_attrs[k]) json_attribute(p, item, &end);
    e->attributes = list;
    e->n_attributes = (size_t)(end - list);
    p->event_list[k] = e;
  }
}

static void put_u64(uint8_t *out, uint64_t v){
  for(int i = 7; i >= 0; i--){ out[i] = (uint8_t)v; v >>= 8; }
}

static void fill_span(parts *p, size_t index, const tlm_record *r){
  Span *s = &p->spans[index];
  Status *status = &p->statuses[index];
  uint8_t *ids = &p->ids[index * 32];
  KeyValue **list = &p->kv_list[p->used], **end = list;
  opentelemetry__proto__trace__v1__span__init(s);
  opentelemetry__proto__trace__v1__status__init(status);
  memcpy(ids, r->trace_id, 16);
  put_u64(ids + 16, r->span_id);
  s->trace_id = (ProtobufCBinaryData){ 16, ids };
  s->span_id = (ProtobufCBinaryData){ 8, ids + 16 };
  if( r->parent_id ){
    put_u64(ids + 24, r->parent_id);
    s->parent_span_id = (ProtobufCBinaryData){ 8, ids + 24 };
  }
  if( r->trace_state ) s->trace_state = r->trace_state;
  s->flags = r->flags;
  s->name = (char *)tlm_record_name(r);
  s->kind = (Opentelemetry__Proto__Trace__V1__Span__SpanKind)r->kind;
  s->start_time_unix_nano = (uint64_t)r->start_ns;
  s->end_time_unix_nano = (uint64_t)r->end_ns;
  if( r->status != TLM_STATUS_UNSET || r->status_message ){
    status->code = (Opentelemetry__Proto__Trace__V1__Status__StatusCode)r->status;
    if( r->status_message ) status->message = r->status_message;
    s->status = status;
  }
  if( r->tokens_in ) int_attribute(p, "gen_ai.usage.input_tokens", r->tokens_in, &end);
  if( r->tokens_out ) int_attribute(p, "gen_ai.usage.output_tokens", r->tokens_out, &end);
  if( r->model ){
    AnyValue *v = next_attribute(p, "gen_ai.request.model", &end);
    v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_STRING_VALUE;
    v->string_value = r->model;
  }
  if( r->cost != 0 ){
    AnyValue *v = next_attribute(p, "tracelm.cost", &end);
    v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
    v->double_value = r->cost;
  }
  if( r->thread_id ) int_attribute(p, "thread.id", r->thread_id, &end);
  for(int i = 0; i < r->attr_count; i++){
    const tlm_attr *a = &r->attrs[i];
    AnyValue *v = next_attribute(p, a->key, &end);
    switch( a->type ){
      case TLM_ATTR_STR:
        v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_STRING_VALUE;
        v->string_value = a->value.s;
        break;
      case TLM_ATTR_INT:
        v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_INT_VALUE;
        v->int_value = a->value.i;
        break;
      case TLM_ATTR_DOUBLE:
        v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
        v->double_value = a->value.d;
        break;
      case TLM_ATTR_BOOL:
        v->value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_BOOL_VALUE;
        v->bool_value = a->value.i != 0;
        break;
    }
  }
  s->attributes = list;
  s->n_attributes = (size_t)(end - list);
  fill_events(p, s, r);
}

uint8_t *tlm_otlp_request(const tlm_recorder *rec, uint64_t count, size_t *size){
  Opentelemetry__Proto__Trace__V1__ExportTraceServiceRequest request =
      OPENTELEMETRY__PROTO__TRACE__V1__EXPORT_TRACE_SERVICE_REQUEST__INIT;
  Opentelemetry__Proto__Trace__V1__ResourceSpans resource_spans =
      OPENTELEMETRY__PROTO__TRACE__V1__RESOURCE_SPANS__INIT, *rs_list[1] = { &resource_spans };
  Opentelemetry__Proto__Trace__V1__Resource resource =
      OPENTELEMETRY__PROTO__TRACE__V1__RESOURCE__INIT;
  Opentelemetry__Proto__Trace__V1__ScopeSpans scope_spans =
      OPENTELEMETRY__PROTO__TRACE__V1__SCOPE_SPANS__INIT, *ss_list[1] = { &scope_spans };
  Opentelemetry__Proto__Trace__V1__InstrumentationScope scope =
      OPENTELEMETRY__PROTO__TRACE__V1__INSTRUMENTATION_SCOPE__INIT;
  KeyValue service_kv = OPENTELEMETRY__PROTO__TRACE__V1__KEY_VALUE__INIT, *service_list[1] = { &service_kv };
  AnyValue service_value = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__INIT;
  size_t attributes = 0, events = 0;
  uint8_t *out = NULL;
  parts p = { 0 };
  int parsed = 1;

  *size = 0;
  for(uint64_t i = 0; i < count; i++){
    const tlm_record *r = tlm_queue_slot(&rec->queue, i);
    attributes += (size_t)r->attr_count + EXTRA_ATTRIBUTES;
    events += (size_t)r->event_count;
  }
  p.events = malloc((events + 1) * sizeof *p.events);
  p.event_list = malloc((events + 1) * sizeof *p.event_list);
  p.event_attrs = calloc(events + 1, sizeof *p.event_attrs);
  for(uint64_t i = 0, k = 0; i < count && p.event_attrs; i++){
    const tlm_record *r = tlm_queue_slot(&rec->queue, i);
    for(int e = 0; e < r->event_count; e++, k++){
      if( r->events[e].attrs == NULL ) continue;
      /* tlm_span_add_event took only objects: NULL here is no memory. */
      if( (p.event_attrs[k] = cJSON_Parse(r->events[e].attrs)) == NULL ) parsed = 0;
      attributes += (size_t)cJSON_GetArraySize(p.event_attrs[k]);
    }
  }
  p.texts = malloc((attributes + 1) * sizeof *p.texts);
  p.spans = malloc(count * sizeof *p.spans);
  p.span_list = malloc(count * sizeof *p.span_list);
  p.statuses = malloc(count * sizeof *p.statuses);
  p.ids = malloc(count * 32);
  p.kvs = malloc((attributes + 1) * sizeof *p.kvs);
  p.kv_list = malloc((attributes + 1) * sizeof *p.kv_list);
  p.values = malloc((attributes + 1) * sizeof *p.values);
  if( parsed && p.spans && p.span_list && p.statuses && p.ids && p.kvs && p.kv_list && p.values
   && p.events && p.event_list && p.event_attrs && p.texts ){
    for(uint64_t i = 0; i < count; i++){
      fill_span(&p, (size_t)i, tlm_queue_slot(&rec->queue, i));
      p.span_list[i] = &p.spans[i];
    }
    service_value.value_case = OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_STRING_VALUE;
    service_value.string_value = rec->service;
    service_kv.key = "service.name";
    service_kv.value = &service_value;
    resource.attributes = service_list;
    resource.n_attributes = 1;
    scope.name = "tracelm";
    scope.version = TLM_VERSION;
    scope_spans.scope = &scope;
    scope_spans.spans = p.span_list;
    scope_spans.n_spans = (size_t)count;
    resource_spans.resource = &resource;
    resource_spans.scope_spans = ss_list;
    resource_spans.n_scope_spans = 1;
    request.resource_spans = rs_list;
    request.n_resource_spans = 1;
    *size = opentelemetry__proto__trace__v1__export_trace_service_request__get_packed_size(&request);
    out = malloc(*size ? *size : 1);
    if( out ) opentelemetry__proto__trace__v1__export_trace_service_request__pack(&request, out);
    else *size = 0;
  }
  free(p.spans);
  free(p.span_list);
  free(p.statuses);
  free(p.ids);
  free(p.kvs);
  free(p.kv_list);
  free(p.values);
  for(size_t k = 0; p.event_attrs && k < events; k++) cJSON_Delete(p.event_attrs[k]);
  for(size_t t = 0; t < p.texts_used; t++) cJSON_free(p.texts[t]);
  free(p.events);
  free(p.event_list);
  free(p.event_attrs);
  free(p.texts);
  return out;
}
