/*
** otlp_proto.c — OTLP protobuf, decoded by protobuf-c (code generated at
** build time from cli/otlp/otlp_trace.proto), turned into OTLP/JSON.
**
** Why JSON: import_otel() is the one place OTLP becomes rows; a second
** mapping from protobuf structs would drift from it.  The JSON written here
** follows the OTLP/JSON rules exactly (ids as lowercase hex, 64-bit
** integers as decimal strings, enums as numbers, bytes as base64), so a
** protobuf request and its JSON twin store the same rows.
*/
#include "otlp_proto.h"
#include "hexid.h"
#include "number.h"
#include "otlp_trace.pb-c.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Opentelemetry__Proto__Trace__V1__AnyValue AnyValue;
typedef Opentelemetry__Proto__Trace__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Trace__V1__Span Span;

/* Base64 of bytesValue (RFC 4648, with padding): none of the libraries
** TraceLM links exports an encoder. */
static char *base64(const uint8_t *data, size_t size){
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((size + 2) / 3 * 4 + 1), *at = out;
  if( out == NULL ) return NULL;
  for(size_t i = 0; i < size; i += 3){
    uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < size ? (uint32_t)data[i + 1] << 8 : 0)
               | (i + 2 < size ? data[i + 2] : 0);
    *at++ = alphabet[v >> 18 & 63];
    *at++ = alphabet[v >> 12 & 63];
    *at++ = i + 1 < size ? alphabet[v >> 6 & 63] : '=';
    *at++ = i + 2 < size ? alphabet[v & 63] : '=';
  }
  *at = 0;
  return out;
}

static cJSON *hex(const ProtobufCBinaryData *id){
  char text[65];
  if( id->len > 32 ) return cJSON_CreateString("");   /* refused by import_otel's check */
  tlm_hex_encode(id->data, id->len, text);
  return cJSON_CreateString(text);
}

static cJSON *decimal(uint64_t value, int is_signed){
  char text[24];
  if( is_signed ) snprintf(text, sizeof text, "%" PRId64, (int64_t)value);
  else snprintf(text, sizeof text, "%" PRIu64, value);
  return cJSON_CreateString(text);
}

/* cJSON prints a double to within an epsilon (0.21000000000000002 as
** 0.21); OTLP's round trip needs it bit for bit.  NaN and infinities are
** the strings proto3's JSON mapping uses. */
static cJSON *exact_double(double value){
  char text[TLM_DOUBLE_TEXT];
  if( tlm_format_json_double(value, text) ) return cJSON_CreateRaw(text);
  return cJSON_CreateString(value != value ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}

static cJSON *attributes(KeyValue **items, size_t count);

static cJSON *any_value(const AnyValue *v){
  cJSON *out = cJSON_CreateObject();
  if( v == NULL ) return out;   /* an empty AnyValue: {} */
  switch( v->value_case ){
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_STRING_VALUE:
      cJSON_AddStringToObject(out, "stringValue", v->string_value); break;
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_BOOL_VALUE:
      cJSON_AddBoolToObject(out, "boolValue", v->bool_value); break;
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_INT_VALUE:
      cJSON_AddItemToObject(out, "intValue", decimal((uint64_t)v->int_value, 1)); break;
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
      cJSON_AddItemToObject(out, "doubleValue", exact_double(v->double_value)); break;
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_ARRAY_VALUE: {
      cJSON *values = cJSON_CreateArray();
      for(size_t i = 0; v->array_value && i < v->array_value->n_values; i++){
        cJSON_AddItemToArray(values, any_value(v->array_value->values[i]));
      }
      cJSON_AddItemToObject(cJSON_AddObjectToObject(out, "arrayValue"), "values", values);
      break;
    }
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
      cJSON_AddItemToObject(cJSON_AddObjectToObject(out, "kvlistValue"), "values",
          attributes(v->kvlist_value ? v->kvlist_value->values : NULL,
                     v->kvlist_value ? v->kvlist_value->n_values : 0));
      break;
    case OPENTELEMETRY__PROTO__TRACE__V1__ANY_VALUE__VALUE_BYTES_VALUE: {
      char *text = base64(v->bytes_value.data, v->bytes_value.len);
      cJSON_AddStringToObject(out, "bytesValue", text ? text : "");
      free(text);
      break;
    }
    default: break;
  }
  return out;
}

static cJSON *attributes(KeyValue **items, size_t count){
  cJSON *list = cJSON_CreateArray();
  for(size_t i = 0; i < count; i++){
    cJSON *kv = cJSON_CreateObject();
    cJSON_AddStringToObject(kv, "key", items[i]->key);
    cJSON_AddItemToObject(kv, "value", any_value(items[i]->value));
    cJSON_AddItemToArray(list, kv);
  }
  return list;
}

static cJSON *span_json(const Span *s){
  cJSON *out = cJSON_CreateObject();
  cJSON_AddItemToObject(out, "traceId", hex(&s->trace_id));
  cJSON_AddItemToObject(out, "spanId", hex(&s->span_id));
  if( s->trace_state && s->trace_state[0] ) cJSON_AddStringToObject(out, "traceState", s->trace_state);
  cJSON_AddItemToObject(out, "parentSpanId", hex(&s->parent_span_id));
  if( s->flags ) cJSON_AddNumberToObject(out, "flags", s->flags);
  cJSON_AddStringToObject(out, "name", s->name);
  cJSON_AddNumberToObject(out, "kind", s->kind);
  cJSON_AddItemToObject(out, "startTimeUnixNano", decimal(s->start_time_unix_nano, 0));
  cJSON_AddItemToObject(out, "endTimeUnixNano", decimal(s->end_time_unix_nano, 0));
  cJSON_AddItemToObject(out, "attributes", attributes(s->attributes, s->n_attributes));
  if( s->dropped_attributes_count ) cJSON_AddNumberToObject(out, "droppedAttributesCount", s->dropped_attributes_count);
  if( s->n_events ){
    cJSON *events = cJSON_AddArrayToObject(out, "events");
    for(size_t i = 0; i < s->n_events; i++){
      cJSON *e = cJSON_CreateObject();
      cJSON_AddItemToObject(e, "timeUnixNano", decimal(s->events[i]->time_unix_nano, 0));
      cJSON_AddStringToObject(e, "name", s->events[i]->name);
      cJSON_AddItemToObject(e, "attributes", attributes(s->events[i]->attributes, s->events[i]->n_attributes));
      cJSON_AddItemToArray(events, e);
    }
  }
  if( s->n_links ){
    cJSON *links = cJSON_AddArrayToObject(out, "links");
    for(size_t i = 0; i < s->n_links; i++){
      cJSON *l = cJSON_CreateObject();
      cJSON_AddItemToObject(l, "traceId", hex(&s->links[i]->trace_id));
      cJSON_AddItemToObject(l, "spanId", hex(&s->links[i]->span_id));
      cJSON_AddItemToObject(l, "attributes", attributes(s->links[i]->attributes, s->links[i]->n_attributes));
      cJSON_AddItemToArray(links, l);
    }
  }
  if( s->status ){
    cJSON *status = cJSON_AddObjectToObject(out, "status");
    cJSON_AddNumberToObject(status, "code", s->status->code);
    if( s->status->message && s->status->message[0] ) cJSON_AddStringToObject(status, "message", s->status->message);
  }
  return out;
}

char *tlm_otlp_proto_to_json(const uint8_t *body, size_t size){
  Opentelemetry__Proto__Trace__V1__ExportTraceServiceRequest *request =
      opentelemetry__proto__trace__v1__export_trace_service_request__unpack(NULL, size, body);
  cJSON *root, *resource_spans;
  char *text, *copy;
  if( request == NULL ) return NULL;
  root = cJSON_CreateObject();
  resource_spans = cJSON_AddArrayToObject(root, "resourceSpans");
  for(size_t r = 0; r < request->n_resource_spans; r++){
    const Opentelemetry__Proto__Trace__V1__ResourceSpans *rs = request->resource_spans[r];
    cJSON *rs_json = cJSON_CreateObject(), *scopes;
    if( rs->resource ){
      cJSON_AddItemToObject(cJSON_AddObjectToObject(rs_json, "resource"), "attributes",
                            attributes(rs->resource->attributes, rs->resource->n_attributes));
    }
    scopes = cJSON_AddArrayToObject(rs_json, "scopeSpans");
    for(size_t k = 0; k < rs->n_scope_spans; k++){
      const Opentelemetry__Proto__Trace__V1__ScopeSpans *ss = rs->scope_spans[k];
      cJSON *ss_json = cJSON_CreateObject(), *spans;
      if( ss->scope ){
        cJSON *scope = cJSON_AddObjectToObject(ss_json, "scope");
        cJSON_AddStringToObject(scope, "name", ss->scope->name);
        cJSON_AddStringToObject(scope, "version", ss->scope->version);
      }
      spans = cJSON_AddArrayToObject(ss_json, "spans");
      for(size_t i = 0; i < ss->n_spans; i++) cJSON_AddItemToArray(spans, span_json(ss->spans[i]));
      cJSON_AddItemToArray(scopes, ss_json);
    }
    cJSON_AddItemToArray(resource_spans, rs_json);
  }
  opentelemetry__proto__trace__v1__export_trace_service_request__free_unpacked(request, NULL);
  text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  copy = text ? strdup(text) : NULL;   /* free() for the caller, whatever cJSON's allocator */
  cJSON_free(text);
  return copy;
}

uint8_t *tlm_otlp_proto_status(int code, const char *message, size_t *size){
  Opentelemetry__Proto__Trace__V1__RpcStatus status = OPENTELEMETRY__PROTO__TRACE__V1__RPC_STATUS__INIT;
  uint8_t *out;
  status.code = code;
  status.message = (char *)message;
  *size = opentelemetry__proto__trace__v1__rpc_status__get_packed_size(&status);
  out = malloc(*size ? *size : 1);
  if( out ) opentelemetry__proto__trace__v1__rpc_status__pack(&status, out);
  return out;
}

uint8_t *tlm_otlp_proto_response(int64_t rejected, const char *message, size_t *size){
  Opentelemetry__Proto__Trace__V1__ExportTraceServiceResponse response =
      OPENTELEMETRY__PROTO__TRACE__V1__EXPORT_TRACE_SERVICE_RESPONSE__INIT;
  Opentelemetry__Proto__Trace__V1__ExportTracePartialSuccess partial =
      OPENTELEMETRY__PROTO__TRACE__V1__EXPORT_TRACE_PARTIAL_SUCCESS__INIT;
  uint8_t *out;
  if( rejected > 0 ){
    partial.rejected_spans = rejected;
    partial.error_message = (char *)message;
    response.partial_success = &partial;
  }
  *size = opentelemetry__proto__trace__v1__export_trace_service_response__get_packed_size(&response);
  if( *size == 0 ) return NULL;
  out = malloc(*size);
  if( out ) opentelemetry__proto__trace__v1__export_trace_service_response__pack(&response, out);
  return out;
}
