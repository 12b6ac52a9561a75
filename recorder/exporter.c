/*
** exporter.c — delivery of the writer's batches to an OTLP/HTTP endpoint
** (an OpenTelemetry Collector, `tracelm serve`), on a thread of its own.
**
** The writer encodes each batch (otlp_request.c) and appends the body to a
** list bounded by the queue's capacity in spans; this thread posts the
** bodies in order with libcurl, reusing one connection.  A slow or absent
** endpoint therefore costs the caller nothing and the database nothing:
** when the list is full, its oldest body is given up, never the caller
** made to wait.
**
** Retries follow the OTLP/HTTP specification: 429, 502, 503 and 504 and
** failures to connect are tried again, with exponential backoff (and
** jitter, so many processes do not retry in step) or after the server's
** Retry-After; anything else is final.  A body is given up once its retry
** time (tlm_options.retry_ms, from when the writer queued it) would pass.
** Every span not delivered is counted: in tlm_recorder_stats, in what the
** next flush returns, and per trace in traces.unexported_spans.  A
** partialSuccess answer counts its rejected spans too, though not per
** trace: the receiver does not say which they were.
*/
#include "internal.h"
#include "../common/http_answer.h"
#include "../common/otlp_proto.h"
#include "otlp_trace.pb-c.h"
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIRST_PAUSE_MS   100
#define LONGEST_PAUSE_MS 5000

struct tlm_export_body {
  uint8_t *data;
  size_t size;
  uint64_t spans;
  int64_t give_up_ms;            /* monotonic; no retry starts after this */
  tlm_drop_count *traces;        /* spans per trace, for unexported_spans */
  int trace_count;
  tlm_export_body *next;
};

static const char *const add_unexported_sql =
  "INSERT INTO traces(trace_id, unexported_spans) VALUES(?1, ?2)"
  " ON CONFLICT(trace_id) DO UPDATE SET"
  " unexported_spans = unexported_spans + excluded.unexported_spans";

static void free_body(tlm_export_body *body){
  if( body == NULL ) return;
  free(body->data);
  free(body->traces);
  free(body);
}

/* ------------------------------------------------------- losses */

/* Add body's spans to traces.unexported_spans, where there is a database.
** holding_db: the caller (the writer) holds db_lock already. */
static void count_in_database(tlm_recorder *rec, const tlm_export_body *body, int holding_db){
  sqlite3_stmt *stmt = NULL;
  if( !holding_db ) pthread_mutex_lock(&rec->db_lock);
  if( rec->db && body->trace_count > 0
   && sqlite3_prepare_v2(rec->db, add_unexported_sql, -1, &stmt, 0) == SQLITE_OK
   && sqlite3_exec(rec->db, "BEGIN IMMEDIATE", 0, 0, 0) == SQLITE_OK ){
    if( tlm_add_trace_counts(stmt, body->traces, body->trace_count) != SQLITE_OK
     || sqlite3_exec(rec->db, "COMMIT", 0, 0, 0) != SQLITE_OK ){
      sqlite3_exec(rec->db, "ROLLBACK", 0, 0, 0);
    }
  }
  sqlite3_finalize(stmt);
  if( !holding_db ) pthread_mutex_unlock(&rec->db_lock);
}

/* body was not delivered, for the reason message says. */
static void give_up_as(tlm_recorder *rec, tlm_export_body *body, uint64_t spans,
                       const char *message, int holding_db){
  pthread_mutex_lock(&rec->exporter.lock);
  rec->exporter.spans_failed += spans;
  pthread_mutex_unlock(&rec->exporter.lock);
  tlm_note_export_error(rec, message);
  if( body && spans == body->spans ) count_in_database(rec, body, holding_db);
}

/* On the exporter's thread. */
static void give_up(tlm_recorder *rec, tlm_export_body *body, uint64_t spans, const char *message){
  give_up_as(rec, body, spans, message, 0);
}

/* ------------------------------------------------------- one request */

/* partialSuccess.rejectedSpans of a 2xx answer (0 when none), and its
** message. */
static int64_t rejected_spans(const tlm_http_answer *a, int json, char *message, size_t room){
  int64_t rejected = 0;
  message[0] = 0;
  if( a->size == 0 ) return 0;
  if( json ){
    cJSON *root = cJSON_ParseWithLength(a->text, a->size);
    const cJSON *partial = cJSON_GetObjectItemCaseSensitive(root, "partialSuccess");
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(partial, "rejectedSpans");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(partial, "errorMessage");
    if( cJSON_IsNumber(count) ) rejected = (int64_t)count->valuedouble;
    else if( cJSON_IsString(count) ) rejected = strtoll(count->valuestring, NULL, 10);
    if( cJSON_IsString(text) ) snprintf(message, room, "%s", text->valuestring);
    cJSON_Delete(root);
  }else{
    Opentelemetry__Proto__Trace__V1__ExportTraceServiceResponse *response =
        opentelemetry__proto__trace__v1__export_trace_service_response__unpack(
            NULL, a->size, (const uint8_t *)a->text);
    if( response && response->partial_success ){
      rejected = response->partial_success->rejected_spans;
      snprintf(message, room, "%s", response->partial_success->error_message);
    }
    opentelemetry__proto__trace__v1__export_trace_service_response__free_unpacked(response, NULL);
  }
  return rejected > 0 ? rejected : 0;
}

static int is_retryable_status(long status){
  return status == 429 || status == 502 || status == 503 || status == 504;
}

static int is_retryable_curl(CURLcode rc){
  switch( rc ){
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR: case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
      return 1;
    default:
      return 0;
  }
}

/* The printable start of an error answer, for a one-line message. */
static void printable(char *text){
  for(char *p = text; *p; p++){
    if( (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ){ *p = 0; break; }
  }
}

/* Post body until it is delivered, refused, or out of time. */
static void deliver(tlm_recorder *rec, CURL *curl, tlm_export_body *body){
  const tlm_otlp_config *config = &rec->exporter.config;
  int64_t pause = FIRST_PAUSE_MS;
  char message[512];
  for(int attempt = 1;; attempt++){
    tlm_http_answer reply = { "", 0 };
    long status = 0;
    curl_off_t retry_after = 0;
    int64_t wait;
    CURLcode rc;
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)body->data);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->size);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    rc = curl_easy_perform(curl);
    if( rc == CURLE_OK ){
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      if( status >= 200 && status < 300 ){
        char why[256];
        int64_t rejected = rejected_spans(&reply, config->json, why, sizeof why);
        if( (uint64_t)rejected > body->spans ) rejected = (int64_t)body->spans;
        pthread_mutex_lock(&rec->exporter.lock);
        rec->exporter.spans_exported += body->spans - (uint64_t)rejected;
        pthread_mutex_unlock(&rec->exporter.lock);
        if( rejected > 0 ){
          snprintf(message, sizeof message, "export to %s: %lld spans rejected: %s", config->url,
                   (long long)rejected, why[0] ? why : "(no message)");
          give_up(rec, NULL, (uint64_t)rejected, message);
        }
        return;
      }
      curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after);
      printable(reply.text);
      snprintf(message, sizeof message, "export to %s: HTTP %ld%s%.200s", config->url, status,
               reply.text[0] ? ": " : "", reply.text);
      if( !is_retryable_status(status) ) break;
    }else{
      snprintf(message, sizeof message, "export to %s: %s", config->url, curl_easy_strerror(rc));
      if( !is_retryable_curl(rc) ) break;
    }
    /* Jitter: between 3/4 and 5/4 of the pause. */
    wait = retry_after > 0 ? (int64_t)retry_after * 1000
                           : pause * 3 / 4 + (int64_t)(rand() % (int)(pause / 2 + 1));
    if( tlm_monotonic_ms() + wait > body->give_up_ms ){
      size_t n = strlen(message);
      snprintf(message + n, sizeof message - n, " (gave up after %d attempt%s)", attempt,
               attempt == 1 ? "" : "s");
      break;
    }
    tlm_sleep_ms(wait);
    if( pause < LONGEST_PAUSE_MS ) pause *= 2;
  }
  give_up(rec, body, body->spans, message);
}

/* ------------------------------------------------------- the thread */

static struct curl_slist *request_headers(const tlm_otlp_config *config){
  struct curl_slist *list = curl_slist_append(NULL, config->json
      ? "Content-Type: application/json" : "Content-Type: application/x-protobuf");
  for(int i = 0; list && i < config->header_count; i++){
    struct curl_slist *grown = curl_slist_append(list, config->headers[i]);
    if( grown == NULL ){ curl_slist_free_all(list); return NULL; }
    list = grown;
  }
  return list;
}

static void *exporter_main(void *arg){
  tlm_recorder *rec = arg;
  tlm_exporter *e = &rec->exporter;
  CURL *curl;
  struct curl_slist *headers;
  pthread_setname_np(pthread_self(), "tracelm-export");
  curl = curl_easy_init();
  headers = request_headers(&e->config);
  if( curl && headers ){
    curl_easy_setopt(curl, CURLOPT_URL, e->config.url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)e->config.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, tlm_keep_answer);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "tracelm/" TLM_VERSION);
  }
  for(;;){
    tlm_export_body *body;
    pthread_mutex_lock(&e->lock);
    while( e->head == NULL && !e->stopping ) pthread_cond_wait(&e->has_work, &e->lock);
    body = e->head;
    if( body ){
      e->head = body->next;
      if( e->head == NULL ) e->tail = NULL;
      e->buffered_spans -= body->spans;
      e->busy = 1;
    }
    pthread_mutex_unlock(&e->lock);
    if( body == NULL ) break;
    if( curl && headers ) deliver(rec, curl, body);
    else give_up(rec, body, body->spans, "export: out of memory");
    free_body(body);
    pthread_mutex_lock(&e->lock);
    e->busy = 0;
    if( e->head == NULL ) pthread_cond_broadcast(&e->idle);
    pthread_mutex_unlock(&e->lock);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return NULL;
}

/* ------------------------------------------------------- the writer's side */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void init_curl(void){ curl_global_init(CURL_GLOBAL_DEFAULT); }

int tlm_exporter_init(tlm_recorder *rec, uint64_t capacity_spans){
  tlm_exporter *e = &rec->exporter;
  if( e->config.url == NULL ) return TLM_OK;
  /* Before any thread of ours runs: curl_global_init is not thread-safe
  ** in every libcurl a distribution ships. */
  pthread_once(&curl_once, init_curl);
  pthread_mutex_init(&e->lock, NULL);
  pthread_cond_init(&e->has_work, NULL);
  pthread_cond_init(&e->idle, NULL);
  e->capacity_spans = capacity_spans;
  return TLM_OK;
}

/* Spans per trace of the batch, runs of one trace merged. */
static int count_traces(const tlm_recorder *rec, uint64_t count,
                        tlm_export_body *body){
  body->traces = malloc(count * sizeof *body->traces);
  if( body->traces == NULL ) return 0;
  for(uint64_t i = 0; i < count; i++){
    const tlm_record *r = tlm_queue_slot(&rec->queue, i);
    tlm_drop_count *last = body->trace_count ? &body->traces[body->trace_count - 1] : NULL;
    if( last && memcmp(last->trace_id, r->trace_id, 16) == 0 ){
      last->count++;
    }else{
      memcpy(body->traces[body->trace_count].trace_id, r->trace_id, 16);
      body->traces[body->trace_count++].count = 1;
    }
  }
  return 1;
}

static tlm_export_body *encode(tlm_recorder *rec, uint64_t count){
  tlm_export_body *body = calloc(1, sizeof *body);
  if( body == NULL ) return NULL;
  body->spans = count;
  body->give_up_ms = tlm_monotonic_ms() + rec->retry_ms;
  body->data = tlm_otlp_request(rec, count, &body->size);
  if( body->data && rec->exporter.config.json ){
    char *json = tlm_otlp_proto_to_json(body->data, body->size);
    free(body->data);
    body->data = (uint8_t *)json;
    body->size = json ? strlen(json) : 0;
  }
  if( body->data == NULL || !count_traces(rec, count, body) ){
    free_body(body);
    return NULL;
  }
  return body;
}

/* On the writer's thread, which holds db_lock. */
void tlm_exporter_submit(tlm_recorder *rec, uint64_t count){
  tlm_exporter *e = &rec->exporter;
  tlm_export_body *body, *given_up = NULL;
  if( e->config.url == NULL || count == 0 ) return;
  body = encode(rec, count);
  if( body == NULL ){
    give_up_as(rec, NULL, count, "export: out of memory encoding a batch", 1);
    return;
  }
  pthread_mutex_lock(&e->lock);
  /* Room for the new batch: the oldest waiting give way (newer spans are
  ** worth more to someone watching a live system). */
  while( e->head && e->buffered_spans + body->spans > e->capacity_spans ){
    tlm_export_body *oldest = e->head;
    e->head = oldest->next;
    if( e->head == NULL ) e->tail = NULL;
    e->buffered_spans -= oldest->spans;
    oldest->next = given_up;
    given_up = oldest;
  }
  if( e->tail ) e->tail->next = body; else e->head = body;
  e->tail = body;
  e->buffered_spans += body->spans;
  if( !e->running ){
    e->stopping = 0;
    e->running = pthread_create(&e->thread, NULL, exporter_main, rec) == 0;
  }
  pthread_cond_signal(&e->has_work);
  pthread_mutex_unlock(&e->lock);
  while( given_up ){
    char message[512];
    tlm_export_body *next = given_up->next;
    snprintf(message, sizeof message, "export to %s: the retry buffer is full"
             " (the endpoint is slower than the program records)", e->config.url);
    give_up_as(rec, given_up, given_up->spans, message, 1);
    free_body(given_up);
    given_up = next;
  }
  if( !e->running ){
    /* No thread: nothing will deliver what is waiting. */
    pthread_mutex_lock(&e->lock);
    body = e->head;
    e->head = e->tail = NULL;
    e->buffered_spans = 0;
    pthread_mutex_unlock(&e->lock);
    while( body ){
      tlm_export_body *next = body->next;
      give_up_as(rec, body, body->spans, "export: cannot start the exporter thread", 1);
      free_body(body);
      body = next;
    }
  }
}

void tlm_exporter_flush(tlm_recorder *rec){
  tlm_exporter *e = &rec->exporter;
  if( e->config.url == NULL ) return;
  pthread_mutex_lock(&e->lock);
  while( e->running && (e->head || e->busy) ) pthread_cond_wait(&e->idle, &e->lock);
  pthread_mutex_unlock(&e->lock);
}

void tlm_exporter_stop(tlm_recorder *rec){
  tlm_exporter *e = &rec->exporter;
  int running;
  if( e->config.url == NULL ) return;
  pthread_mutex_lock(&e->lock);
  e->stopping = 1;
  running = e->running;
  pthread_cond_signal(&e->has_work);
  pthread_mutex_unlock(&e->lock);
  if( running ) pthread_join(e->thread, NULL);   /* it delivers what waits first */
  e->running = 0;
  pthread_mutex_destroy(&e->lock);
  pthread_cond_destroy(&e->has_work);
  pthread_cond_destroy(&e->idle);
}

/* fork(): the child has no exporter thread and must not free what the
** parent's was using (it may have been inside the allocator); it forgets the
** parent's bodies, which the parent delivers, and starts a thread of its
** own with its first batch. */
void tlm_exporter_fork_prepare(tlm_recorder *rec){
  if( rec->exporter.config.url ) pthread_mutex_lock(&rec->exporter.lock);
}

void tlm_exporter_fork_parent(tlm_recorder *rec){
  if( rec->exporter.config.url ) pthread_mutex_unlock(&rec->exporter.lock);
}

void tlm_exporter_fork_child(tlm_recorder *rec){
  tlm_exporter *e = &rec->exporter;
  if( e->config.url == NULL ) return;
  e->head = e->tail = NULL;
  e->buffered_spans = 0;
  e->busy = e->running = e->stopping = 0;
  pthread_cond_init(&e->has_work, NULL);
  pthread_cond_init(&e->idle, NULL);
  pthread_mutex_unlock(&e->lock);
}
