/*
** import_otel.c — import_otel(document): OTLP/JSON traces into spans.
**
**   sqlite> SELECT import_otel(readfile('collector-export.jsonl'));
**   42
**
** The argument is one ExportTraceServiceRequest (or TracesData: the same
** shape), or JSON Lines with one per line as the OpenTelemetry collector's
** file exporter writes.  Returns the number of spans imported.  All or
** nothing: it runs inside a savepoint, and on any error nothing stays and
** the message says where ("line 3: resourceSpans[0].scopeSpans[0].spans[2]
** ('llm_call'): traceId must be 32 hex digits").  Strict: the whole input
** must be that; a second document on a line, bytes after a document or a
** document cut short is an error naming the line and byte.
**
** Mapping (the reverse of export_otel):
**   resource attribute service.name -> service
**   traceId/spanId/parentSpanId (hex, any case; "" = no parent) -> ids
**   kind (0-5 or "SPAN_KIND_CLIENT") -> kind;  status.code/message -> status
**   startTimeUnixNano/endTimeUnixNano (decimal string or number; an end
**     of "0" or none is NULL: unfinished)
**   gen_ai.usage.input_tokens / output_tokens (also the older
**     prompt_tokens / completion_tokens, and OpenInference's
**     llm.token_count.prompt / completion) -> tokens_in / tokens_out,
**   gen_ai.request.model (else llm.model_name, else gen_ai.response.model)
**     -> model, tracelm.cost -> cost, thread.id ->
**     thread_id; every other attribute -> the attrs JSON object, AnyValues
**     as plain JSON (intValue as a number, kvlistValue as an object,
**     bytesValue as its base64 text, an empty value as null).
**   flags -> flags, traceState -> trace_state, the dropped*Counts -> the
**     spans' dropped_*_count columns
**   the resource (every attribute, its dropped count, the schemaUrl) ->
**     resources, the scope (name, version, attributes, ...) -> scopes, each
**     stored once and referenced by resource_id / scope_id
**   events -> span_events, links -> span_links (seq: their position)
** A span id already stored in its trace (twice in one file, or imported
** before) is refused, since the primary key is (trace_id, span_id) and
** which of the two is right cannot be told.  import_otel(text,
** 'skip_duplicates') instead keeps the stored one, stores the rest, and
** returns {"imported": N, "rejected": M} (tracelm serve answers an SDK that
** way: OTLP's partialSuccess).
** import_otel(text, mode, line, byte) reads text as JSON Lines that start
** at that line and byte of a larger input (mode NULL or 'skip_duplicates'):
** `tracelm import` feeds a big file so, a few megabytes at a time, and
** every message still names the line and byte of the whole file.
** On a connection with triggers off (tracelm serve's), the spans triggers'
** work is done here instead, once a trace of each document: `traces`,
** facts_dirty and the stored prices (common/trace_runs.c).
*/
#include "trace_resolve.h"
#include "hexid.h"
#include "number.h"
#include "span_row.h"
#include "trace_runs.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

typedef struct importer {
  sqlite3 *db;
  sqlite3_stmt *insert;
  sqlite3_stmt *add_resource, *add_scope, *add_event, *add_link;
  int64_t resource_id, scope_id;   /* of the spans being read; 0: none */
  int64_t imported;
  int skip_duplicates;       /* import_otel(text, 'skip_duplicates') */
  int64_t rejected;          /* ... spans already stored, not stored again */
  char where[160];           /* "line 3: resourceSpans[0]..." for messages */
  int64_t line_base;         /* import_otel(text, mode, line, byte): text is */
  int64_t byte_base;         /* JSON Lines starting at that line and byte */
  int lines;                 /* ... given so: never one whole document */
  char *error;               /* sqlite3_malloc'd, set once */
  /* On a connection with triggers off (tracelm serve's), what the spans
  ** triggers do is done here, once a trace of each document. */
  int keeps_traces;
  tlm_trace_runs runs;
  sqlite3_stmt *add_trace, *dirty_facts, *price_call;
} importer;

static int fail(importer *im, const char *fmt, ...){
  va_list ap;
  if( im->error ) return SQLITE_ERROR;
  va_start(ap, fmt);
  char *what = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  im->error = sqlite3_mprintf("import_otel: %s: %s", im->where, what ? what : "out of memory");
  sqlite3_free(what);
  return SQLITE_ERROR;
}

/* Lowercase hex of exactly `digits` digits into out, or 0. */
static int read_hex_id(const cJSON *item, int digits, char *out){
  uint8_t bytes[16];
  if( !cJSON_IsString(item) || (int)strlen(item->valuestring) != digits
   || tlm_hex_decode(item->valuestring, digits / 2, bytes, 1)
   || tlm_bytes_all_zero(bytes, digits / 2) ){
    return 0;
  }
  tlm_hex_encode(bytes, digits / 2, out);
  return 1;
}

/* A 64-bit integer from a decimal string or a JSON number. */
static int read_int64(const cJSON *item, int64_t *out){
  if( cJSON_IsNumber(item) ){ *out = (int64_t)item->valuedouble; return 1; }
  if( cJSON_IsString(item) && item->valuestring[0] ){
    char *end;
    errno = 0;
    long long v = strtoll(item->valuestring, &end, 10);
    if( errno == 0 && *end == 0 ){ *out = v; return 1; }
  }
  return 0;
}

static int read_enum(const cJSON *item, const char *prefix, const char *const *names,
                     int count, int *out){
  if( item == NULL ){ *out = 0; return 1; }
  if( cJSON_IsNumber(item) ){
    *out = (int)item->valuedouble;
    return *out >= 0 && *out < count && item->valuedouble == *out;
  }
  if( cJSON_IsString(item) ){
    size_t length = strlen(prefix);
    if( strncmp(item->valuestring, prefix, length) ) return 0;
    for(int k = 0; k < count; k++){
      const char *a = item->valuestring + length, *b = names[k];
      while( *a && *b && toupper((unsigned char)*a) == toupper((unsigned char)*b) ){ a++; b++; }
      if( *a == 0 && *b == 0 ){ *out = k; return 1; }
    }
  }
  return 0;
}

/* An OTLP AnyValue as plain JSON; NULL when malformed. */
static cJSON *any_value_to_json(const cJSON *value){
  const cJSON *v;
  if( !cJSON_IsObject(value) ) return NULL;
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "stringValue")) ) return cJSON_IsString(v) ? cJSON_CreateString(v->valuestring) : NULL;
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "boolValue")) ) return cJSON_IsBool(v) ? cJSON_CreateBool(cJSON_IsTrue(v)) : NULL;
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "intValue")) ){
    int64_t i;
    char text[TLM_INT64_TEXT];
    if( !read_int64(v, &i) ) return NULL;
    tlm_format_int64(i, text);
    return cJSON_CreateRaw(text);   /* exact: a cJSON number is a double */
  }
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "doubleValue")) ){
    char text[TLM_DOUBLE_TEXT];
    double d;
    if( cJSON_IsNumber(v) ) d = v->valuedouble;
    else if( cJSON_IsString(v) ) d = strtod(v->valuestring, NULL);
    else return NULL;
    return tlm_format_json_double(d, text) ? cJSON_CreateRaw(text) : cJSON_CreateNull();
  }
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "bytesValue")) ) return cJSON_IsString(v) ? cJSON_CreateString(v->valuestring) : NULL;
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "arrayValue")) ){
    cJSON *array = cJSON_CreateArray();
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(v, "values"), *item;
    cJSON_ArrayForEach(item, values){
      cJSON *converted = any_value_to_json(item);
      if( converted == NULL ){ cJSON_Delete(array); return NULL; }
      cJSON_AddItemToArray(array, converted);
    }
    return array;
  }
  if( (v = cJSON_GetObjectItemCaseSensitive(value, "kvlistValue")) ){
    cJSON *object = cJSON_CreateObject();
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(v, "values"), *item;
    cJSON_ArrayForEach(item, values){
      const cJSON *key = cJSON_GetObjectItemCaseSensitive(item, "key");
      cJSON *converted = any_value_to_json(cJSON_GetObjectItemCaseSensitive(item, "value"));
      if( !cJSON_IsString(key) || converted == NULL ){
        cJSON_Delete(converted);
        cJSON_Delete(object);
        return NULL;
      }
      cJSON_AddItemToObject(object, key->valuestring, converted);
    }
    return object;
  }
  return cJSON_CreateNull();   /* an empty AnyValue {} */
}

typedef struct span_columns {
  int64_t tokens_in, tokens_out, thread_id;
  int has_thread;
  double cost;
  const char *model;
  cJSON *attrs;
} span_columns;

/* Numbers from any_value_to_json are raw text (exact); null is none. */
static int is_number(const cJSON *json){ return cJSON_IsRaw(json) || cJSON_IsNumber(json); }
static double number_value(const cJSON *json){
  return cJSON_IsRaw(json) ? strtod(json->valuestring, NULL) : json->valuedouble;
}

static int read_attributes(importer *im, const cJSON *list, span_columns *c){
  const cJSON *kv;
  c->attrs = cJSON_CreateObject();
  cJSON_ArrayForEach(kv, list){
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(kv, "key");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(kv, "value");
    cJSON *json;
    if( !cJSON_IsString(key) ) return fail(im, "an attribute has no key");
    json = any_value_to_json(value);
    if( json == NULL ) return fail(im, "attribute '%s' has a malformed value", key->valuestring);
    const char *k = key->valuestring;
    int64_t number;
    if( (!strcmp(k, "gen_ai.usage.input_tokens") || !strcmp(k, "gen_ai.usage.prompt_tokens")
         || !strcmp(k, "llm.token_count.prompt")) && is_number(json) ){
      c->tokens_in = (int64_t)number_value(json);
      if( read_int64(cJSON_GetObjectItemCaseSensitive(value, "intValue"), &number) ) c->tokens_in = number;
      cJSON_Delete(json);
    }else if( (!strcmp(k, "gen_ai.usage.output_tokens") || !strcmp(k, "gen_ai.usage.completion_tokens")
                || !strcmp(k, "llm.token_count.completion")) && is_number(json) ){
      c->tokens_out = (int64_t)number_value(json);
      if( read_int64(cJSON_GetObjectItemCaseSensitive(value, "intValue"), &number) ) c->tokens_out = number;
      cJSON_Delete(json);
    }else if( (!strcmp(k, "gen_ai.request.model") || !strcmp(k, "llm.model_name")
               || (!strcmp(k, "gen_ai.response.model") && c->model == NULL)) && cJSON_IsString(json) ){
      /* The model asked for wins over the one that answered. */
      if( c->model == NULL || strcmp(k, "gen_ai.response.model") ){
        c->model = cJSON_GetObjectItemCaseSensitive(value, "stringValue")->valuestring;
      }
      cJSON_Delete(json);
    }else if( !strcmp(k, "tracelm.cost") && is_number(json) ){
      c->cost = number_value(json);
      cJSON_Delete(json);
    }else if( !strcmp(k, "thread.id") && is_number(json) ){
      c->has_thread = read_int64(cJSON_GetObjectItemCaseSensitive(value, "intValue"), &c->thread_id);
      if( !c->has_thread ){ c->thread_id = (int64_t)number_value(json); c->has_thread = 1; }
      cJSON_Delete(json);
    }else{
      cJSON_DeleteItemFromObjectCaseSensitive(c->attrs, k);   /* the last value wins */
      cJSON_AddItemToObject(c->attrs, k, json);
    }
  }
  return SQLITE_OK;
}

/* A KeyValue list as a plain JSON object's text (sqlite3_free it); *out
** NULL for an absent or empty list.  what names the list in messages. */
static int attrs_object(importer *im, const cJSON *list, const char *what, char **out){
  cJSON *object, *kv;
  char *text;
  *out = NULL;
  if( list == NULL || cJSON_IsNull(list) ) return SQLITE_OK;
  if( !cJSON_IsArray(list) ) return fail(im, "%s must be an array", what);
  if( list->child == NULL ) return SQLITE_OK;
  object = cJSON_CreateObject();
  cJSON_ArrayForEach(kv, list){
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(kv, "key");
    cJSON *json = cJSON_IsString(key)
        ? any_value_to_json(cJSON_GetObjectItemCaseSensitive(kv, "value")) : NULL;
    if( json == NULL ){
      cJSON_Delete(object);
      return cJSON_IsString(key) ? fail(im, "%s: '%s' has a malformed value", what, key->valuestring)
                                 : fail(im, "%s: an attribute has no key", what);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(object, key->valuestring);
    cJSON_AddItemToObject(object, key->valuestring, json);
  }
  text = cJSON_PrintUnformatted(object);
  cJSON_Delete(object);
  if( text == NULL ) return fail(im, "out of memory");
  *out = sqlite3_mprintf("%s", text);
  cJSON_free(text);
  return *out ? SQLITE_OK : fail(im, "out of memory");
}

/* An OTLP uint32 count (droppedAttributesCount, ...): absent is 0. */
static int read_count(importer *im, const cJSON *parent, const char *field, int64_t *out){
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(parent, field);
  *out = 0;
  if( item == NULL ) return SQLITE_OK;
  if( !read_int64(item, out) || *out < 0 || *out > 0xffffffffLL ){
    return fail(im, "%s must be an integer from 0 to 4294967295", field);
  }
  return SQLITE_OK;
}

static const char *optional_string(const cJSON *parent, const char *field){
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(parent, field);
  return cJSON_IsString(item) ? item->valuestring : "";
}

/* The id of the row statement stores or finds (an upsert RETURNING it). */
static int stored_id(importer *im, sqlite3_stmt *stmt, int64_t *id){
  int rc = sqlite3_step(stmt);
  *id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
  sqlite3_reset(stmt);
  return rc == SQLITE_ROW ? SQLITE_OK : fail(im, "%s", sqlite3_errmsg(im->db));
}

/* ResourceSpans.resource, stored once; im->resource_id 0 when absent. */
static int read_resource(importer *im, const cJSON *rs){
  const cJSON *resource = cJSON_GetObjectItemCaseSensitive(rs, "resource");
  int64_t dropped;
  char *attrs;
  int rc;
  im->resource_id = 0;
  if( resource == NULL || cJSON_IsNull(resource) ) return SQLITE_OK;
  if( !cJSON_IsObject(resource) ) return fail(im, "resource must be an object");
  if( attrs_object(im, cJSON_GetObjectItemCaseSensitive(resource, "attributes"),
                   "resource.attributes", &attrs)
   || read_count(im, resource, "droppedAttributesCount", &dropped) ){
    sqlite3_free(attrs);
    return SQLITE_ERROR;
  }
  sqlite3_bind_text(im->add_resource, 1, attrs ? attrs : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_int64(im->add_resource, 2, dropped);
  sqlite3_bind_text(im->add_resource, 3, optional_string(rs, "schemaUrl"), -1, SQLITE_STATIC);
  rc = stored_id(im, im->add_resource, &im->resource_id);
  sqlite3_free(attrs);
  return rc;
}

/* ScopeSpans.scope, stored once; im->scope_id 0 when absent. */
static int read_scope(importer *im, const cJSON *ss){
  const cJSON *scope = cJSON_GetObjectItemCaseSensitive(ss, "scope");
  int64_t dropped;
  char *attrs;
  int rc;
  im->scope_id = 0;
  if( scope == NULL ) scope = cJSON_GetObjectItemCaseSensitive(ss, "instrumentationLibrary");
  if( scope == NULL || cJSON_IsNull(scope) ) return SQLITE_OK;
  if( !cJSON_IsObject(scope) ) return fail(im, "scope must be an object");
  if( attrs_object(im, cJSON_GetObjectItemCaseSensitive(scope, "attributes"), "scope.attributes", &attrs)
   || read_count(im, scope, "droppedAttributesCount", &dropped) ){
    sqlite3_free(attrs);
    return SQLITE_ERROR;
  }
  sqlite3_bind_text(im->add_scope, 1, optional_string(scope, "name"), -1, SQLITE_STATIC);
  sqlite3_bind_text(im->add_scope, 2, optional_string(scope, "version"), -1, SQLITE_STATIC);
  sqlite3_bind_text(im->add_scope, 3, attrs ? attrs : "{}", -1, SQLITE_STATIC);
  sqlite3_bind_int64(im->add_scope, 4, dropped);
  sqlite3_bind_text(im->add_scope, 5, optional_string(ss, "schemaUrl"), -1, SQLITE_STATIC);
  rc = stored_id(im, im->add_scope, &im->scope_id);
  sqlite3_free(attrs);
  return rc;
}

static int step_done(importer *im, sqlite3_stmt *stmt){
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : fail(im, "%s", sqlite3_errmsg(im->db));
}

static const char *const add_event_sql =
  "INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs, dropped_attributes_count)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char *const add_link_sql =
  "INSERT INTO span_links(trace_id, span_id, seq, linked_trace_id, linked_span_id, trace_state,"
  " attrs, flags, dropped_attributes_count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* A statement most documents never need (events, links),
** prepared at its first use: each import_otel call prepares its own, and
** tracelm serve makes one call a request. */
static int prepared(importer *im, sqlite3_stmt **stmt, const char *sql){
  if( *stmt || sqlite3_prepare_v2(im->db, sql, -1, stmt, 0) == SQLITE_OK ) return SQLITE_OK;
  return fail(im, "%s", sqlite3_errmsg(im->db));
}

/* The span's events and links, once the span itself is stored. */
static int import_events_and_links(importer *im, const cJSON *span, const char *trace_id,
                                   const char *span_id){
  const cJSON *events = cJSON_GetObjectItemCaseSensitive(span, "events");
  const cJSON *links = cJSON_GetObjectItemCaseSensitive(span, "links"), *item;
  int seq = 0;
  if( events && !cJSON_IsNull(events) && !cJSON_IsArray(events) ) return fail(im, "events must be an array");
  if( links && !cJSON_IsNull(links) && !cJSON_IsArray(links) ) return fail(im, "links must be an array");
  const cJSON *event_list = cJSON_IsArray(events) ? events : NULL;
  cJSON_ArrayForEach(item, event_list){
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
    int64_t time, dropped;
    char *attrs;
    if( !cJSON_IsObject(item) ) return fail(im, "events[%d] must be an object", seq);
    if( !read_int64(cJSON_GetObjectItemCaseSensitive(item, "timeUnixNano"), &time) ){
      if( cJSON_GetObjectItemCaseSensitive(item, "timeUnixNano") ){
        return fail(im, "events[%d].timeUnixNano must be a decimal integer", seq);
      }
      time = 0;
    }
    if( name && !cJSON_IsString(name) ) return fail(im, "events[%d].name must be a string", seq);
    if( read_count(im, item, "droppedAttributesCount", &dropped) ) return SQLITE_ERROR;
    if( attrs_object(im, cJSON_GetObjectItemCaseSensitive(item, "attributes"), "event attributes", &attrs) ){
      return SQLITE_ERROR;
    }
    if( prepared(im, &im->add_event, add_event_sql) ){
      sqlite3_free(attrs);
      return SQLITE_ERROR;
    }
    sqlite3_bind_text(im->add_event, 1, trace_id, 32, SQLITE_STATIC);
    sqlite3_bind_text(im->add_event, 2, span_id, 16, SQLITE_STATIC);
    sqlite3_bind_int(im->add_event, 3, seq);
    sqlite3_bind_int64(im->add_event, 4, time);
    sqlite3_bind_text(im->add_event, 5, name ? name->valuestring : "", -1, SQLITE_STATIC);
    if( attrs ) sqlite3_bind_text(im->add_event, 6, attrs, -1, SQLITE_STATIC);
    else sqlite3_bind_null(im->add_event, 6);
    sqlite3_bind_int64(im->add_event, 7, dropped);
    int rc = step_done(im, im->add_event);
    sqlite3_free(attrs);
    if( rc ) return rc;
    seq++;
  }
  seq = 0;
  const cJSON *link_list = cJSON_IsArray(links) ? links : NULL;
  cJSON_ArrayForEach(item, link_list){
    char linked_trace[33], linked_span[17];
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(item, "traceState");
    const cJSON *flags_item = cJSON_GetObjectItemCaseSensitive(item, "flags");
    int64_t dropped, flags = 0;
    char *attrs;
    if( !cJSON_IsObject(item) ) return fail(im, "links[%d] must be an object", seq);
    if( !read_hex_id(cJSON_GetObjectItemCaseSensitive(item, "traceId"), 32, linked_trace) ){
      return fail(im, "links[%d].traceId must be 32 hex digits, not all zero", seq);
    }
    if( !read_hex_id(cJSON_GetObjectItemCaseSensitive(item, "spanId"), 16, linked_span) ){
      return fail(im, "links[%d].spanId must be 16 hex digits, not all zero", seq);
    }
    if( state && !cJSON_IsString(state) ) return fail(im, "links[%d].traceState must be a string", seq);
    if( flags_item && !(read_int64(flags_item, &flags) && flags >= 0 && flags <= 0xffffffffLL) ){
      return fail(im, "links[%d].flags must be an integer from 0 to 4294967295", seq);
    }
    if( read_count(im, item, "droppedAttributesCount", &dropped) ) return SQLITE_ERROR;
    if( attrs_object(im, cJSON_GetObjectItemCaseSensitive(item, "attributes"), "link attributes", &attrs) ){
      return SQLITE_ERROR;
    }
    if( prepared(im, &im->add_link, add_link_sql) ){
      sqlite3_free(attrs);
      return SQLITE_ERROR;
    }
    sqlite3_bind_text(im->add_link, 1, trace_id, 32, SQLITE_STATIC);
    sqlite3_bind_text(im->add_link, 2, span_id, 16, SQLITE_STATIC);
    sqlite3_bind_int(im->add_link, 3, seq);
    sqlite3_bind_text(im->add_link, 4, linked_trace, 32, SQLITE_STATIC);
    sqlite3_bind_text(im->add_link, 5, linked_span, 16, SQLITE_STATIC);
    if( state && state->valuestring[0] ) sqlite3_bind_text(im->add_link, 6, state->valuestring, -1, SQLITE_STATIC);
    else sqlite3_bind_null(im->add_link, 6);
    if( attrs ) sqlite3_bind_text(im->add_link, 7, attrs, -1, SQLITE_STATIC);
    else sqlite3_bind_null(im->add_link, 7);
    if( flags_item ) sqlite3_bind_int64(im->add_link, 8, flags);
    else sqlite3_bind_null(im->add_link, 8);
    sqlite3_bind_int64(im->add_link, 9, dropped);
    int rc = step_done(im, im->add_link);
    sqlite3_free(attrs);
    if( rc ) return rc;
    seq++;
  }
  return SQLITE_OK;
}

/* Triggers off: the span just inserted joins its trace's run, and a call
** the price table prices gets its price stored (sql/stored_prices.sql). */
static int keep_span(importer *im, const tlm_span_row *row){
  uint8_t trace_id[16];
  uint64_t span_id = 0;
  tlm_hex_decode(row->trace_id, 16, trace_id, 0);
  tlm_span_id_from_hex(row->span_id, &span_id);
  if( tlm_is_priced_call(row->model, row->tokens_in, row->tokens_out, row->cost) ){
    if( tlm_store_price(im->db, &im->price_call, sqlite3_last_insert_rowid(im->db)) != SQLITE_OK ){
      return fail(im, "%s", sqlite3_errmsg(im->db));
    }
  }
  tlm_run_span span = {
    .trace_id = trace_id, .span_id = span_id, .is_root = row->parent_id == NULL,
    .name = row->name, .service = row->service,
    .start_ns = row->start_ns, .end_ns = row->has_end ? row->end_ns : row->start_ns,
    .tokens_in = row->tokens_in, .tokens_out = row->tokens_out, .cost = row->cost,
    .error = row->status == TLM_STATUS_ERROR,
  };
  return tlm_trace_runs_add(&im->runs, &span) == SQLITE_OK ? SQLITE_OK : fail(im, "out of memory");
}

/* Triggers off: the document's runs into `traces` and `facts_dirty`. */
static int keep_traces(importer *im){
  char trace_hex[33];
  tlm_trace_runs_finish(&im->runs);
  for(size_t i = 0; i < im->runs.count; i++){
    if( tlm_trace_run_store(&im->runs.items[i], im->add_trace, im->dirty_facts, trace_hex) != SQLITE_OK ){
      return fail(im, "trace %s: %s", trace_hex, sqlite3_errmsg(im->db));
    }
  }
  tlm_trace_runs_begin(&im->runs);
  return SQLITE_OK;
}

static int import_span(importer *im, const cJSON *span, const char *service){
  char trace_id[33], span_id[17], parent_id[17];
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(span, "name");
  const cJSON *parent = cJSON_GetObjectItemCaseSensitive(span, "parentSpanId");
  const cJSON *status = cJSON_GetObjectItemCaseSensitive(span, "status");
  const cJSON *message = cJSON_GetObjectItemCaseSensitive(status, "message");
  span_columns c = {0};
  int64_t start, end = 0;
  int kind, code, has_parent = 0, rc;
  char *attrs = NULL;

  if( !cJSON_IsObject(span) ) return fail(im, "a span must be an object");
  if( !read_hex_id(cJSON_GetObjectItemCaseSensitive(span, "traceId"), 32, trace_id) ){
    return fail(im, "traceId must be 32 hex digits, not all zero");
  }
  if( !read_hex_id(cJSON_GetObjectItemCaseSensitive(span, "spanId"), 16, span_id) ){
    return fail(im, "spanId must be 16 hex digits, not all zero");
  }
  if( parent && !cJSON_IsNull(parent) && !(cJSON_IsString(parent) && parent->valuestring[0] == 0) ){
    if( !read_hex_id(parent, 16, parent_id) ) return fail(im, "parentSpanId must be 16 hex digits or \"\"");
    has_parent = 1;
  }
  if( name && !cJSON_IsString(name) ) return fail(im, "name must be a string");
  if( !read_enum(cJSON_GetObjectItemCaseSensitive(span, "kind"), "SPAN_KIND_", tlm_kind_names, TLM_KIND_COUNT, &kind) ){
    return fail(im, "kind must be 0 to 5 or a SPAN_KIND_ name");
  }
  if( !read_enum(cJSON_GetObjectItemCaseSensitive(status, "code"), "STATUS_CODE_", tlm_status_names, TLM_STATUS_COUNT, &code) ){
    return fail(im, "status.code must be 0 to 2 or a STATUS_CODE_ name");
  }
  if( !read_int64(cJSON_GetObjectItemCaseSensitive(span, "startTimeUnixNano"), &start) ){
    return fail(im, "startTimeUnixNano must be a decimal integer");
  }
  const cJSON *end_item = cJSON_GetObjectItemCaseSensitive(span, "endTimeUnixNano");
  if( end_item && !read_int64(end_item, &end) ){
    return fail(im, "endTimeUnixNano must be a decimal integer");
  }
  const cJSON *flags_item = cJSON_GetObjectItemCaseSensitive(span, "flags");
  const cJSON *trace_state = cJSON_GetObjectItemCaseSensitive(span, "traceState");
  int64_t dropped_attributes, dropped_events, dropped_links;
  if( read_count(im, span, "droppedAttributesCount", &dropped_attributes)
   || read_count(im, span, "droppedEventsCount", &dropped_events)
   || read_count(im, span, "droppedLinksCount", &dropped_links) ){
    return SQLITE_ERROR;
  }
  int64_t flags = 0;
  if( flags_item && !(read_int64(flags_item, &flags) && flags >= 0 && flags <= 0xffffffffLL) ){
    return fail(im, "flags must be an integer from 0 to 4294967295");
  }
  if( trace_state && !cJSON_IsString(trace_state) ) return fail(im, "traceState must be a string");
  if( read_attributes(im, cJSON_GetObjectItemCaseSensitive(span, "attributes"), &c) ){
    cJSON_Delete(c.attrs);
    return SQLITE_ERROR;
  }
  if( c.attrs->child ) attrs = cJSON_PrintUnformatted(c.attrs);

  tlm_span_row row = {
    .trace_id = trace_id, .span_id = span_id, .parent_id = has_parent ? parent_id : NULL,
    .name = name ? name->valuestring : "", .kind = kind, .status = code,
    .start_ns = start, .end_ns = end, .has_end = end != 0,
    .status_message = cJSON_IsString(message) && message->valuestring[0] ? message->valuestring : NULL,
    .tokens_in = c.tokens_in, .tokens_out = c.tokens_out, .cost = c.cost, .model = c.model,
    .service = service, .thread_id = c.thread_id, .has_thread = c.has_thread, .attrs = attrs,
    .flags = flags, .has_flags = flags_item != NULL,
    .trace_state = cJSON_IsString(trace_state) && trace_state->valuestring[0]
                   ? trace_state->valuestring : NULL,
    .resource_id = im->resource_id, .scope_id = im->scope_id,
    .dropped_attributes = dropped_attributes, .dropped_events = dropped_events,
    .dropped_links = dropped_links,
  };
  sqlite3_stmt *s = im->insert;
  tlm_span_row_bind(s, &row);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  int kept = rc == SQLITE_DONE && im->keeps_traces ? keep_span(im, &row) : SQLITE_OK;
  cJSON_free(attrs);
  cJSON_Delete(c.attrs);
  if( kept != SQLITE_OK ) return kept;
  if( rc == SQLITE_DONE ){
    im->imported++;
    return import_events_and_links(im, span, trace_id, span_id);
  }
  if( sqlite3_extended_errcode(im->db) == SQLITE_CONSTRAINT_PRIMARYKEY ){
    if( im->skip_duplicates ){ im->rejected++; return SQLITE_OK; }
    return fail(im, TLM_SPAN_ALREADY_STORED, span_id, trace_id);
  }
  return fail(im, "%s", sqlite3_errmsg(im->db));
}

static const char *service_name(const cJSON *resource){
  const cJSON *kv;
  cJSON_ArrayForEach(kv, cJSON_GetObjectItemCaseSensitive(resource, "attributes")){
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(kv, "key");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(kv, "value"), "stringValue");
    if( cJSON_IsString(key) && !strcmp(key->valuestring, "service.name") && cJSON_IsString(value) ){
      return value->valuestring;
    }
  }
  return NULL;
}

static int import_document(importer *im, const cJSON *doc, const char *line){
  const cJSON *resource_spans = cJSON_GetObjectItemCaseSensitive(doc, "resourceSpans");
  const cJSON *rs;
  int r = 0;
  snprintf(im->where, sizeof im->where, "%s", line[0] ? line : "the document: ");
  im->where[strlen(im->where) - 2] = 0;              /* drop the ": " */
  if( !cJSON_IsArray(resource_spans) ){
    return fail(im, "not an OTLP trace request (no resourceSpans array)");
  }
  cJSON_ArrayForEach(rs, resource_spans){
    const char *service = service_name(cJSON_GetObjectItemCaseSensitive(rs, "resource"));
    const cJSON *scope_spans = cJSON_GetObjectItemCaseSensitive(rs, "scopeSpans"), *ss;
    int s = 0;
    if( scope_spans == NULL ){
      /* OTLP before 0.19 called them instrumentationLibrarySpans. */
      scope_spans = cJSON_GetObjectItemCaseSensitive(rs, "instrumentationLibrarySpans");
    }
    snprintf(im->where, sizeof im->where, "%sresourceSpans[%d]", line, r);
    if( read_resource(im, rs) ) return SQLITE_ERROR;
    cJSON_ArrayForEach(ss, scope_spans){
      const cJSON *span;
      int k = 0;
      snprintf(im->where, sizeof im->where, "%sresourceSpans[%d].scopeSpans[%d]", line, r, s);
      if( read_scope(im, ss) ) return SQLITE_ERROR;
      cJSON_ArrayForEach(span, cJSON_GetObjectItemCaseSensitive(ss, "spans")){
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(span, "name");
        snprintf(im->where, sizeof im->where, "%sresourceSpans[%d].scopeSpans[%d].spans[%d]%s%s%s",
                 line, r, s, k, cJSON_IsString(name) ? " ('" : "",
                 cJSON_IsString(name) ? name->valuestring : "", cJSON_IsString(name) ? "')" : "");
        if( import_span(im, span, service) ) return SQLITE_ERROR;
        k++;
      }
      s++;
    }
    r++;
  }
  return SQLITE_OK;
}

/* A document, then (triggers off) what its spans add to `traces`. */
static int import_and_keep(importer *im, const cJSON *doc, const char *line){
  int rc = import_document(im, doc, line);
  return rc == SQLITE_OK && im->keeps_traces ? keep_traces(im) : rc;
}

static int64_t line_of(const importer *im, const char *text, const char *at){
  int64_t line = 1 + im->line_base;
  for(const char *p = text; p < at && *p; p++) line += *p == '\n';
  return line;
}

/* Where a problem is, for the message: "line 3, byte 120" (the byte is
** counted from the start of the input, from 0). */
static void locate(importer *im, const char *text, const char *at){
  snprintf(im->where, sizeof im->where, "line %lld, byte %lld", (long long)line_of(im, text, at),
           (long long)(at - text + im->byte_base));
}

static int only_space(const char *from, const char *to){
  for(; from < to; from++) if( !isspace((unsigned char)*from) ) return 0;
  return 1;
}

/* The whole input must be OTLP: one document, or JSON Lines with one
** document a line (blank lines allowed).  A second value on a line, bytes
** after a document, or a document cut short is an error that names where;
** the caller's savepoint then keeps nothing. */
static int import_text(importer *im, const char *text, int64_t length){
  const char *stop = text + length, *end = NULL;
  cJSON *doc;
  if( !im->lines ){   /* given as JSON Lines: no whole parse first */
    doc = cJSON_ParseWithLengthOpts(text, (size_t)length, &end, 0);
    if( doc == NULL ){
      const char *at = cJSON_GetErrorPtr();
      locate(im, text, at && at >= text && at <= stop ? at : text);
      return fail(im, "not valid JSON (a document cut short, or not JSON at all)");
    }
    if( only_space(end, stop) ){
      int rc = import_and_keep(im, doc, "");
      cJSON_Delete(doc);
      return rc;
    }
    cJSON_Delete(doc);
  }
  /* More after the first value: JSON Lines, where every document ends its line. */
  int64_t line = 1 + im->line_base;
  for(const char *start = text; start < stop; line++){
    const char *newline = memchr(start, '\n', (size_t)(stop - start));
    const char *line_end = newline ? newline : stop;
    char prefix[32];
    if( !only_space(start, line_end) ){
      snprintf(prefix, sizeof prefix, "line %lld: ", (long long)line);
      doc = cJSON_ParseWithLengthOpts(start, (size_t)(line_end - start), &end, 0);
      if( doc == NULL ){
        const char *at = cJSON_GetErrorPtr();
        locate(im, text, at && at >= start && at <= line_end ? at : start);
        return fail(im, "not valid JSON (a document cut short, or split over lines)");
      }
      if( !only_space(end, line_end) ){
        cJSON_Delete(doc);
        locate(im, text, end);
        return fail(im, "more after the document on this line (one document a line)");
      }
      int rc = import_and_keep(im, doc, prefix);
      cJSON_Delete(doc);
      if( rc ) return rc;
    }
    start = line_end + (newline ? 1 : 0);
  }
  return SQLITE_OK;
}

/* Resources and scopes are stored once: an upsert that changes nothing
** returns the id of the row already there. */
static const char *const add_resource_sql =
  "INSERT INTO resources(attrs, dropped_attributes_count, schema_url) VALUES(?1, ?2, ?3)"
  " ON CONFLICT DO UPDATE SET attrs = excluded.attrs RETURNING resource_id";
static const char *const add_scope_sql =
  "INSERT INTO scopes(name, version, attrs, dropped_attributes_count, schema_url)"
  " VALUES(?1, ?2, ?3, ?4, ?5)"
  " ON CONFLICT DO UPDATE SET name = excluded.name RETURNING scope_id";

static void finalize_all(importer *im){
  sqlite3_finalize(im->insert);
  sqlite3_finalize(im->add_resource);
  sqlite3_finalize(im->add_scope);
  sqlite3_finalize(im->add_event);
  sqlite3_finalize(im->add_link);
  sqlite3_finalize(im->add_trace);
  sqlite3_finalize(im->dirty_facts);
  sqlite3_finalize(im->price_call);
  tlm_trace_runs_free(&im->runs);
}

static void import_otel_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  importer im = {0};
  char *errmsg;
  im.db = sqlite3_context_db_handle(ctx);
  if( argc > 1 ){
    const char *mode = (const char *)sqlite3_value_text(argv[1]);
    if( (mode == NULL && argc < 4) || (mode && strcmp(mode, "skip_duplicates")) ){
      sqlite3_result_error(ctx, argc < 4
          ? "import_otel: the second argument, when given, must be 'skip_duplicates'"
          : "import_otel: the second argument must be NULL or 'skip_duplicates'", -1);
      return;
    }
    im.skip_duplicates = mode != NULL;
  }
  if( argc == 4 ){
    if( sqlite3_value_type(argv[2]) != SQLITE_INTEGER || sqlite3_value_type(argv[3]) != SQLITE_INTEGER
     || sqlite3_value_int64(argv[2]) < 1 || sqlite3_value_int64(argv[3]) < 0 ){
      sqlite3_result_error(ctx, "import_otel: the line and byte the text starts at must be"
                           " integers from 1 and from 0", -1);
      return;
    }
    im.line_base = sqlite3_value_int64(argv[2]) - 1;
    im.byte_base = sqlite3_value_int64(argv[3]);
    im.lines = 1;
  }
  if( sqlite3_value_type(argv[0]) != SQLITE_TEXT && sqlite3_value_type(argv[0]) != SQLITE_BLOB ){
    sqlite3_result_error(ctx, "import_otel: the document must be text", -1);
    return;
  }
  if( (errmsg = tlm_check_database(im.db, "import_otel")) != NULL ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  /* A blob is accepted as UTF-8 text (readfile() returns blobs); the
  ** value's own bytes are parsed in place, with their length. */
  sqlite3_db_config(im.db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &im.keeps_traces);
  im.keeps_traces = !im.keeps_traces;
  const char *text = (const char *)sqlite3_value_blob(argv[0]);
  int64_t length = sqlite3_value_bytes(argv[0]);   /* after the pointer, as SQLite asks */
  if( text == NULL ) text = "";
  if( sqlite3_exec(im.db, "SAVEPOINT import_otel", 0, 0, 0) != SQLITE_OK
   || sqlite3_prepare_v2(im.db, tlm_span_insert_sql, -1, &im.insert, 0) != SQLITE_OK
   || sqlite3_prepare_v2(im.db, add_resource_sql, -1, &im.add_resource, 0) != SQLITE_OK
   || sqlite3_prepare_v2(im.db, add_scope_sql, -1, &im.add_scope, 0) != SQLITE_OK
   || (im.keeps_traces && (sqlite3_prepare_v2(im.db, tlm_add_trace_sql, -1, &im.add_trace, 0) != SQLITE_OK
                           || sqlite3_prepare_v2(im.db, tlm_dirty_facts_sql, -1, &im.dirty_facts, 0) != SQLITE_OK)) ){
    tlm_result_errorf(ctx, "import_otel: %s", sqlite3_errmsg(im.db));
    finalize_all(&im);
    sqlite3_exec(im.db, "RELEASE import_otel", 0, 0, 0);
    return;
  }
  int rc = import_text(&im, text, length);
  finalize_all(&im);
  if( rc != SQLITE_OK ){
    sqlite3_exec(im.db, "ROLLBACK TO import_otel; RELEASE import_otel", 0, 0, 0);
    sqlite3_result_error(ctx, im.error ? im.error : "import_otel: out of memory", -1);
    sqlite3_free(im.error);
    return;
  }
  sqlite3_exec(im.db, "RELEASE import_otel", 0, 0, 0);
  if( im.skip_duplicates ){
    char *counts = sqlite3_mprintf("{\"imported\":%lld,\"rejected\":%lld}", (long long)im.imported,
                                   (long long)im.rejected);
    if( counts == NULL ) sqlite3_result_error_nomem(ctx);
    else sqlite3_result_text(ctx, counts, -1, sqlite3_free);
  }else{
    sqlite3_result_int64(ctx, im.imported);
  }
}

int tlm_register_import_otel(sqlite3 *db, tlm_ext *ext){
  int rc = sqlite3_create_function(db, "import_otel", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, ext,
                                   import_otel_func, 0, 0);
  if( rc == SQLITE_OK ){
    rc = sqlite3_create_function(db, "import_otel", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, ext,
                                 import_otel_func, 0, 0);
  }
  if( rc == SQLITE_OK ){
    rc = sqlite3_create_function(db, "import_otel", 4, SQLITE_UTF8 | SQLITE_DIRECTONLY, ext,
                                 import_otel_func, 0, 0);
  }
  return rc;
}
