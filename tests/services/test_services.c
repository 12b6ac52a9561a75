/*
** test_services.c — the two example services end to end, on loopback.
**
** This process is the client (a third traced process).  It starts
** service_b and service_a on free ports with one shared database, then:
**   1. a traced call: one trace over three processes, every parent right;
**   2. an invalid traceparent: service_a starts a fresh trace;
**   3. an unsampled traceparent: nothing written, "-00" propagated back;
**   4. 200 requests at once: every span of every request stored.
** It stops the services with SIGTERM (they flush) and reads the database.
** Usage: test_services SERVICE_A SERVICE_B
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tracelm_curl.h"
#include "test_db.h"

static const char *service_a_path, *service_b_path, *db_path;
static pid_t service_a, service_b;
static int port_a;

/* Start a service with stdout on a pipe; read "NAME listening on PORT". */
static pid_t start_service(const char *path, const char *arg1, const char *arg2, int *port){
  int pipe_fds[2];
  char line[128];
  assert_int_equal(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if( pid == 0 ){
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    setenv("TRACELM_DB", db_path, 1);
    unsetenv("TRACEPARENT");
    execl(path, path, arg1, arg2, (char *)NULL);
    _exit(127);
  }
  close(pipe_fds[1]);
  FILE *out = fdopen(pipe_fds[0], "r");
  assert_non_null(fgets(line, sizeof line, out));
  fclose(out);
  assert_non_null(strstr(line, "listening on "));
  *port = atoi(strstr(line, "listening on ") + 13);
  assert_true(*port > 0);
  return pid;
}

static void stop_service(pid_t pid){
  int status;
  kill(pid, SIGTERM);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int setup(void **state){
  char b_port_text[16];
  int port_b;
  tlm_options opts;
  (void)state;
  db_path = test_db_path("services.db");
  service_b = start_service(service_b_path, "0", NULL, &port_b);
  snprintf(b_port_text, sizeof b_port_text, "%d", port_b);
  service_a = start_service(service_a_path, "0", b_port_text, &port_a);
  tlm_options_init(&opts);
  opts.db_path = db_path;
  opts.service = "client";
  opts.ignore_env_traceparent = 1;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return 0;
}

static int teardown(void **state){
  (void)state;
  tlm_shutdown();
  stop_service(service_a);
  stop_service(service_b);
  curl_global_cleanup();
  return 0;
}

/* GET /ask with extra request headers; the response's traceparent into
** traceparent_out when given. */
typedef struct reply { char traceparent[64]; } reply;

static size_t read_header(char *line, size_t size, size_t count, void *data){
  reply *r = data;
  size_t length = size * count;
  if( length > 13 && !strncasecmp(line, "traceparent: ", 13) ){
    snprintf(r->traceparent, sizeof r->traceparent, "%.*s", (int)(length - 13), line + 13);
    r->traceparent[strcspn(r->traceparent, "\r\n")] = 0;
  }
  return length;
}

static long ask(tlm_span *parent, const char *extra_header, reply *r){
  CURL *curl = curl_easy_init();
  struct curl_slist *headers = NULL;
  char url[64];
  long status = 0;
  FILE *sink = fopen("/dev/null", "w");
  snprintf(url, sizeof url, "http://127.0.0.1:%d/ask", port_a);
  if( extra_header ) headers = curl_slist_append(headers, extra_header);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if( r ){
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
  }
  if( parent ){
    assert_int_equal(tlm_curl_perform(curl, &headers, parent, "GET", url), CURLE_OK);
  }else{
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  fclose(sink);
  return status;
}

static char traced_trace[33], fresh_parent[64];
#define CONCURRENT_THREADS 200      /* all 200 requests in flight at once */
#define REQUESTS_PER_THREAD 1

static void *ask_many(void *unused){
  (void)unused;
  for(int i = 0; i < REQUESTS_PER_THREAD; i++) if( ask(NULL, NULL, NULL) != 200 ) return (void *)1;
  return NULL;
}

static void test_services_record_one_trace_across_three_processes(void **state){
  reply r = {{0}};
  (void)state;
  tlm_span *root = tlm_span_begin("client_request");
  tlm_span_trace_id(root, traced_trace);
  assert_int_equal(ask(root, NULL, &r), 200);
  tlm_span_end(root);
  /* The response carries the server span's context back. */
  assert_memory_equal(r.traceparent + 3, traced_trace, 32);

  /* 2. An invalid incoming traceparent: a fresh trace at service_a. */
  assert_int_equal(ask(NULL, "traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", &r), 200);
  snprintf(fresh_parent, sizeof fresh_parent, "%s", r.traceparent);

  /* 3. Unsampled: nothing written, the flag propagated. */
  assert_int_equal(ask(NULL, "traceparent: 00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &r), 200);
  assert_memory_equal(r.traceparent, "00-5bf92f3577b34da6a3ce929d0e0e4736-", 36);
  assert_string_equal(r.traceparent + 52, "-00");

  /* 4. 200 requests at once. */
  pthread_t threads[CONCURRENT_THREADS];
  for(int t = 0; t < CONCURRENT_THREADS; t++) pthread_create(&threads[t], NULL, ask_many, NULL);
  for(int t = 0; t < CONCURRENT_THREADS; t++){
    void *failed;
    pthread_join(threads[t], &failed);
    assert_null(failed);
  }
}

static void test_services_database_holds_exactly_what_was_sent(void **state){
  char sql[512], text[512];
  (void)state;
  teardown(NULL);            /* stop and flush everything before reading */
  /* 1. client_request -> HTTP GET (client) -> GET /ask (service_a) ->
  **    2 x HTTP GET (service_a) -> 2 x GET /work (service_b) -> 2 x embed. */
  snprintf(sql, sizeof sql, "SELECT group_concat(service || ':' || name || '<' || coalesce(("
           "SELECT name FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_id), '-'), ' | ')"
           " FROM (SELECT * FROM spans WHERE trace_id = '%s' ORDER BY service, name, start_ns) s",
           traced_trace);
  test_db_text(db_path, sql, text, sizeof text);
  assert_string_equal(text,
    "client:HTTP GET<client_request | client:client_request<- | service_a:GET /ask<HTTP GET | "
    "service_a:HTTP GET<GET /ask | service_a:HTTP GET<GET /ask | service_b:GET /work<HTTP GET | "
    "service_b:GET /work<HTTP GET | service_b:embed<GET /work | service_b:embed<GET /work");
  snprintf(sql, sizeof sql, "SELECT count(DISTINCT service) FROM spans WHERE trace_id = '%s'", traced_trace);
  assert_int_equal(test_db_int(db_path, sql), 3);
  /* 2. The fresh trace's entry span has no parent. */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM spans WHERE trace_id = '%.32s'"
           " AND name = 'GET /ask' AND parent_id IS NULL", fresh_parent + 3);
  assert_int_equal(test_db_int(db_path, sql), 1);
  /* 3. Nothing of the unsampled trace. */
  assert_int_equal(test_db_int(db_path, "SELECT count(*) FROM spans"
                   " WHERE trace_id = '5bf92f3577b34da6a3ce929d0e0e4736'"), 0);
  /* 4. Every one of the 200 requests: 7 spans each, none lost. */
  assert_int_equal(test_db_int(db_path, "SELECT count(*) FROM traces WHERE root_name = 'GET /ask'"
                   " AND span_count = 7"), CONCURRENT_THREADS * REQUESTS_PER_THREAD + 1);
  assert_int_equal(test_db_int(db_path, "SELECT count(*) FROM spans"),
                   1 + 9 + 7 + 7 * CONCURRENT_THREADS * REQUESTS_PER_THREAD);   /* 1: "caller" */
}

static void test_curl_headers_keep_the_callers_traceparent(void **state){
  const char *mine = "TraceParent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  (void)state;
  tlm_span *span = tlm_span_begin("caller");
  struct curl_slist *headers = curl_slist_append(NULL, mine);
  headers = tlm_curl_headers(headers, span);
  assert_string_equal(headers->data, mine);
  assert_null(headers->next);                       /* nothing added */
  curl_slist_free_all(headers);
  headers = tlm_curl_headers(NULL, span);           /* none set: ours is added */
  assert_memory_equal(headers->data, "traceparent: 00-", 16);
  curl_slist_free_all(headers);
  tlm_span_end(span);
}

int main(int argc, char **argv){
  if( argc != 3 ){ fprintf(stderr, "usage: test_services SERVICE_A SERVICE_B\n"); return 2; }
  service_a_path = argv[1];
  service_b_path = argv[2];
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_curl_headers_keep_the_callers_traceparent),
    cmocka_unit_test(test_services_record_one_trace_across_three_processes),
    cmocka_unit_test(test_services_database_holds_exactly_what_was_sent),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, setup, NULL);
}
