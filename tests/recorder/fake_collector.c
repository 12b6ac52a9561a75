/*
** fake_collector.c — see fake_collector.h.
*/
#include "fake_collector.h"
#include "otlp_trace.pb-c.h"
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct fake_collector {
  struct MHD_Daemon *daemon;
  const fake_answer *script;
  int script_count;
  pthread_mutex_t lock;
  int requests;
  int64_t spans;
  int64_t times[FAKE_MAX_REQUESTS];
  char headers[2048];            /* the latest request's, "name: value\n" */
  char path[256];
};

typedef struct upload { char *data; size_t size; } upload;

static int64_t now_ms(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum MHD_Result keep_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value){
  fake_collector *f = cls;
  size_t n = strlen(f->headers);
  (void)kind;
  snprintf(f->headers + n, sizeof f->headers - n, "%s: %s\n", key, value ? value : "");
  return MHD_YES;
}

static int64_t count_spans(const char *type, const upload *u){
  int64_t spans = 0;
  if( type && strstr(type, "json") ){
    cJSON *root = cJSON_ParseWithLength(u->data ? u->data : "", u->size), *rs, *ss;
    cJSON_ArrayForEach(rs, cJSON_GetObjectItem(root, "resourceSpans")){
      cJSON_ArrayForEach(ss, cJSON_GetObjectItem(rs, "scopeSpans")){
        spans += cJSON_GetArraySize(cJSON_GetObjectItem(ss, "spans"));
      }
    }
    cJSON_Delete(root);
  }else{
    Opentelemetry__Proto__Trace__V1__ExportTraceServiceRequest *r =
      opentelemetry__proto__trace__v1__export_trace_service_request__unpack(
          NULL, u->size, (const uint8_t *)u->data);
    for(size_t i = 0; r && i < r->n_resource_spans; i++){
      for(size_t k = 0; k < r->resource_spans[i]->n_scope_spans; k++){
        spans += (int64_t)r->resource_spans[i]->scope_spans[k]->n_spans;
      }
    }
    opentelemetry__proto__trace__v1__export_trace_service_request__free_unpacked(r, NULL);
  }
  return spans;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **state){
  fake_collector *f = cls;
  upload *u = *state;
  const fake_answer *a;
  const char *type;
  struct MHD_Response *response;
  char body[256] = "";
  enum MHD_Result rc;
  int index;
  (void)method; (void)version;
  if( u == NULL ){
    *state = calloc(1, sizeof(upload));
    return MHD_YES;
  }
  if( *data_size ){
    u->data = realloc(u->data, u->size + *data_size);
    memcpy(u->data + u->size, data, *data_size);
    u->size += *data_size;
    *data_size = 0;
    return MHD_YES;
  }
  type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type");
  pthread_mutex_lock(&f->lock);
  index = f->requests < FAKE_MAX_REQUESTS ? f->requests : FAKE_MAX_REQUESTS - 1;
  f->times[index] = now_ms();
  a = &f->script[f->requests < f->script_count ? f->requests : f->script_count - 1];
  f->requests++;
  f->headers[0] = 0;
  MHD_get_connection_values(connection, MHD_HEADER_KIND, keep_header, f);
  snprintf(f->path, sizeof f->path, "%s", url);
  if( a->status >= 200 && a->status < 300 ) f->spans += count_spans(type, u);
  pthread_mutex_unlock(&f->lock);
  if( a->delay_ms ){
    struct timespec ts = { a->delay_ms / 1000, (long)(a->delay_ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
  }
  if( a->rejected && type && strstr(type, "json") ){
    snprintf(body, sizeof body, "{\"partialSuccess\":{\"rejectedSpans\":\"%lld\","
             "\"errorMessage\":\"too old\"}}", (long long)a->rejected);
  }
  if( a->rejected && !(type && strstr(type, "json")) ){
    Opentelemetry__Proto__Trace__V1__ExportTraceServiceResponse r =
        OPENTELEMETRY__PROTO__TRACE__V1__EXPORT_TRACE_SERVICE_RESPONSE__INIT;
    Opentelemetry__Proto__Trace__V1__ExportTracePartialSuccess p =
        OPENTELEMETRY__PROTO__TRACE__V1__EXPORT_TRACE_PARTIAL_SUCCESS__INIT;
    uint8_t packed[128];
    size_t size;
    p.rejected_spans = a->rejected;
    p.error_message = "too old";
    r.partial_success = &p;
    size = opentelemetry__proto__trace__v1__export_trace_service_response__pack(&r, packed);
    response = MHD_create_response_from_buffer(size, packed, MHD_RESPMEM_MUST_COPY);
  }else{
    if( a->status >= 400 ) snprintf(body, sizeof body, "scripted %u", a->status);
    response = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
  }
  if( a->retry_after ) MHD_add_response_header(response, "Retry-After", a->retry_after);
  rc = MHD_queue_response(connection, a->status, response);
  MHD_destroy_response(response);
  return rc;
}

static void done(void *cls, struct MHD_Connection *connection, void **state,
                 enum MHD_RequestTerminationCode why){
  upload *u = *state;
  (void)cls; (void)connection; (void)why;
  if( u ){ free(u->data); free(u); }
  *state = NULL;
}

fake_collector *fake_collector_start(const fake_answer *script, int count){
  fake_collector *f = calloc(1, sizeof *f);
  f->script = script;
  f->script_count = count;
  pthread_mutex_init(&f->lock, NULL);
  f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                               0, NULL, NULL, answer, f,
                               MHD_OPTION_NOTIFY_COMPLETED, done, f, MHD_OPTION_END);
  if( f->daemon == NULL ){ free(f); return NULL; }
  return f;
}

unsigned fake_collector_port(const fake_collector *f){
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

void fake_collector_stop(fake_collector *f){
  if( f == NULL ) return;
  MHD_stop_daemon(f->daemon);
  pthread_mutex_destroy(&f->lock);
  free(f);
}

int fake_collector_requests(fake_collector *f){
  pthread_mutex_lock(&f->lock);
  int n = f->requests;
  pthread_mutex_unlock(&f->lock);
  return n;
}

int64_t fake_collector_spans(fake_collector *f){
  pthread_mutex_lock(&f->lock);
  int64_t n = f->spans;
  pthread_mutex_unlock(&f->lock);
  return n;
}

int64_t fake_collector_time_ms(fake_collector *f, int i){
  pthread_mutex_lock(&f->lock);
  int64_t t = i < FAKE_MAX_REQUESTS ? f->times[i] : -1;
  pthread_mutex_unlock(&f->lock);
  return t;
}

void fake_collector_header(fake_collector *f, const char *name, char *out, int size){
  size_t n = strlen(name);
  out[0] = 0;
  pthread_mutex_lock(&f->lock);
  for(const char *line = f->headers; *line; ){
    const char *end = strchr(line, '\n');
    if( strncasecmp(line, name, n) == 0 && line[n] == ':' ){
      snprintf(out, (size_t)size, "%.*s", (int)(end - line - n - 2), line + n + 2);
      break;
    }
    line = end + 1;
  }
  pthread_mutex_unlock(&f->lock);
}

void fake_collector_path(fake_collector *f, char *out, int size){
  pthread_mutex_lock(&f->lock);
  snprintf(out, (size_t)size, "%s", f->path);
  pthread_mutex_unlock(&f->lock);
}
