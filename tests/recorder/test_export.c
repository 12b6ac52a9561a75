/*
** test_export.c — the recorder's OTLP export: spans reach a real
** `tracelm serve` and are stored there exactly as in the recorder's own
** database (protobuf and JSON); the OpenTelemetry variables configure it;
** retries honour 503 + Retry-After and stop at 400; an absent endpoint or
** a slow one costs spans that are counted (stats, flush's answer,
** traces.unexported_spans), never the caller's time; bad settings fail
** tlm_recorder_open with a message.
**
** argv[1] is the tracelm command (for `tracelm serve`).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tracelm/tracelm.h"
#include "fake_collector.h"
#include "test_db.h"

static const char *cli_path;

static tlm_recorder *open_recorder(const char *db, const char *url, tlm_otlp_protocol protocol,
                                   unsigned retry_ms, size_t queue){
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = db;
  opts.service = "exporter-test";
  opts.ignore_env_traceparent = 1;
  opts.otlp_endpoint = url;
  opts.otlp_protocol = protocol;
  opts.retry_ms = retry_ms;
  if( queue ) opts.queue_capacity = queue;
  return tlm_recorder_open(&opts);
}

static void url_of(char *out, size_t size, unsigned port){
  snprintf(out, size, "http://127.0.0.1:%u/v1/traces", port);
}

/* A small LLM pipeline with every kind of field the recorder writes. */
static int record_pipeline(tlm_recorder *rec, int repeat){
  int spans = 0;
  for(int r = 0; r < repeat; r++){
    tlm_span *root = tlm_recorder_span_begin(rec, "rag_query");
    tlm_span_set_kind(root, TLM_KIND_SERVER);
    tlm_span_set_str(root, "query", "why is the sky \"blue\"?\n\xc3\xa9");
    tlm_span_set_int(root, "top_k", -9007199254740993LL);
    tlm_span_set_double(root, "temperature", 0.21000000000000002);
    tlm_span_set_bool(root, "cached", 1);
    tlm_span *retrieve = tlm_span_begin_child(root, "retrieve");
    tlm_span_set_kind(retrieve, TLM_KIND_CLIENT);
    tlm_span_set_ok(retrieve);
    tlm_span_end(retrieve);
    tlm_span *llm = tlm_span_begin_child(root, "llm_call");
    tlm_span_set_model(llm, "gpt-4o-mini");
    tlm_span_add_tokens(llm, 1200, 345);
    tlm_span_add_cost(llm, 0.000387);
    tlm_span_set_error(llm, "rate limited");
    tlm_span_add_event(llm, "gen_ai.choice", "{\"index\":0,\"message.content\":\"blue\",\"final\":true}");
    tlm_span_score(llm, "relevance", 0.75, "good", "cites the source");
    tlm_span_end(llm);
    tlm_span_end(root);
    spans += 3;
  }
  return spans;
}

/* Every column of every span (or event), one line each, in id order. */
static char *dump_rows(const char *path, const char *sql){
  sqlite3 *db;
  sqlite3_stmt *stmt;
  sqlite3_str *out;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
  out = sqlite3_str_new(db);
  while( sqlite3_step(stmt) == SQLITE_ROW ){
    for(int i = 0; i < sqlite3_column_count(stmt); i++){
      sqlite3_str_appendf(out, "%s%s", i ? "|" : "", (const char *)sqlite3_column_text(stmt, i));
    }
    sqlite3_str_appendchar(out, 1, '\n');
  }
  sqlite3_finalize(stmt);
  char *text = sqlite3_str_finish(out);
  sqlite3_close(db);
  return text;
}

static char *dump_spans(const char *path){
  return dump_rows(path, "SELECT quote(trace_id), quote(span_id), quote(parent_id), quote(name), quote(kind),"
      " quote(start_ns), quote(end_ns), quote(status), quote(status_message),"
      " quote(tokens_in), quote(tokens_out), quote(cost), quote(model), quote(service),"
      " quote(thread_id), quote(attrs), quote(flags), quote(trace_state)"
      " FROM spans ORDER BY span_id");
}

static char *dump_events(const char *path){
  return dump_rows(path, "SELECT quote(trace_id), quote(span_id), seq, time_ns, quote(name), quote(attrs)"
                         " FROM span_events ORDER BY trace_id, span_id, seq");
}

/* `tracelm serve --port 0` on a fresh database; its port, its pid. */
static unsigned start_serve(const char *db, pid_t *pid){
  int pipe_fds[2];
  char line[512];
  unsigned port = 0;
  FILE *in;
  assert_int_equal(pipe(pipe_fds), 0);
  *pid = fork();
  assert_true(*pid >= 0);
  if( *pid == 0 ){
    dup2(pipe_fds[1], 1);
    close(pipe_fds[0]);
    execl(cli_path, cli_path, "serve", "--db", db, "--port", "0", (char *)NULL);
    _exit(127);
  }
  close(pipe_fds[1]);
  in = fdopen(pipe_fds[0], "r");
  assert_non_null(fgets(line, sizeof line, in));
  fclose(in);
  assert_int_equal(sscanf(strstr(line, "http://127.0.0.1:"), "http://127.0.0.1:%u", &port), 1);
  return port;
}

static void stop_serve(pid_t pid){
  int status;
  kill(pid, SIGTERM);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

static void round_trip(tlm_otlp_protocol protocol, const char *name){
  char served_name[64], url[128], own[512], served[512];
  snprintf(own, sizeof own, "%s", test_db_path(name));   /* test_db_path's buffer is reused */
  snprintf(served_name, sizeof served_name, "served_%s", name);
  snprintf(served, sizeof served, "%s", test_db_path(served_name));
  pid_t pid;
  unsigned port = start_serve(served, &pid);
  url_of(url, sizeof url, port);
  tlm_recorder *rec = open_recorder(own, url, protocol, 30000, 0);
  assert_non_null(rec);
  int spans = record_pipeline(rec, 50);
  assert_int_equal(tlm_recorder_flush(rec), TLM_OK);
  tlm_stats stats;
  tlm_recorder_stats(rec, &stats);
  assert_int_equal(stats.spans_written, spans);
  assert_int_equal(stats.spans_exported, spans);
  assert_int_equal(stats.spans_export_failed, 0);
  assert_int_equal(tlm_recorder_close(rec), TLM_OK);
  stop_serve(pid);

  char *mine = dump_spans(own), *theirs = dump_spans(served);
  assert_int_equal(test_db_int(served, "SELECT count(*) FROM spans"), spans);
  assert_string_equal(theirs, mine);
  /* The columns that travel as attributes came back as columns. */
  assert_int_equal(test_db_int(served, "SELECT sum(tokens_in) FROM spans"), 1200 * 50);
  assert_int_equal(test_db_int(served,
      "SELECT count(*) FROM spans WHERE model = 'gpt-4o-mini' AND status = 'error'"
      " AND status_message = 'rate limited' AND cost = 0.000387"), 50);
  assert_int_equal(test_db_int(served,
      "SELECT count(*) FROM spans WHERE json_extract(attrs, '$.top_k') = -9007199254740993"
      " AND json_extract(attrs, '$.temperature') = 0.21000000000000002"), 50);
  assert_int_equal(test_db_int(own, "SELECT sum(unexported_spans) FROM traces"), 0);
  sqlite3_free(mine);
  sqlite3_free(theirs);
  /* Events and scores travel as Span.Events, each attribute as it was. */
  mine = dump_events(own);
  theirs = dump_events(served);
  assert_int_equal(test_db_int(served, "SELECT count(*) FROM span_events"), 2 * 50);
  assert_string_equal(theirs, mine);
  assert_int_equal(test_db_int(served, "SELECT count(*) FROM span_scores WHERE name = 'relevance'"
                               " AND value = 0.75 AND label = 'good' AND explanation = 'cites the source'"), 50);
  sqlite3_free(mine);
  sqlite3_free(theirs);
}

static void test_a_served_database_holds_the_recorders_spans_protobuf(void **state){
  (void)state;
  round_trip(TLM_OTLP_PROTOBUF, "own_protobuf");
}

static void test_a_served_database_holds_the_recorders_spans_json(void **state){
  (void)state;
  round_trip(TLM_OTLP_JSON, "own_json");
}

static void test_the_opentelemetry_variables_configure_it(void **state){
  static const fake_answer ok[] = { { 200, NULL, 0, 0 } };
  fake_collector *f = fake_collector_start(ok, 1);
  char endpoint[128], value[256];
  tlm_options opts;
  (void)state;
  assert_non_null(f);
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u/", fake_collector_port(f));
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, 1);
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", 1);
  setenv("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20s3cret , x-team=llm", 1);
  setenv("OTEL_SERVICE_NAME", "from-otel-env", 1);
  tlm_options_init(&opts);
  opts.db_path = test_db_path("env");
  opts.ignore_env_traceparent = 1;
  tlm_recorder *rec = tlm_recorder_open(&opts);
  unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  unsetenv("OTEL_EXPORTER_OTLP_PROTOCOL");
  unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  unsetenv("OTEL_SERVICE_NAME");
  assert_non_null(rec);
  tlm_span_end(tlm_recorder_span_begin(rec, "one"));
  assert_int_equal(tlm_recorder_flush(rec), TLM_OK);
  assert_int_equal(fake_collector_spans(f), 1);
  fake_collector_path(f, value, sizeof value);
  assert_string_equal(value, "/v1/traces");
  fake_collector_header(f, "Authorization", value, sizeof value);
  assert_string_equal(value, "Bearer s3cret");
  fake_collector_header(f, "x-team", value, sizeof value);
  assert_string_equal(value, "llm");
  fake_collector_header(f, "Content-Type", value, sizeof value);
  assert_string_equal(value, "application/json");
  tlm_recorder_close(rec);
  assert_int_equal(test_db_int(opts.db_path, "SELECT count(*) FROM spans WHERE service = 'from-otel-env'"), 1);
  fake_collector_stop(f);
}

static void test_503_with_retry_after_is_tried_again_then_delivered(void **state){
  static const fake_answer script[] = { { 503, "1", 0, 0 }, { 200, NULL, 0, 0 } };
  fake_collector *f = fake_collector_start(script, 2);
  char url[128];
  tlm_stats stats;
  (void)state;
  url_of(url, sizeof url, fake_collector_port(f));
  tlm_recorder *rec = open_recorder(test_db_path("retry"), url, TLM_OTLP_PROTOBUF, 10000, 0);
  int spans = record_pipeline(rec, 2);
  assert_int_equal(tlm_recorder_flush(rec), TLM_OK);
  tlm_recorder_stats(rec, &stats);
  assert_int_equal(stats.spans_exported, spans);
  assert_int_equal(stats.spans_export_failed, 0);
  assert_int_equal(fake_collector_requests(f), 2);
  /* Retry-After: 1 was waited for (the backoff alone starts at 100 ms). */
  assert_true(fake_collector_time_ms(f, 1) - fake_collector_time_ms(f, 0) >= 950);
  tlm_recorder_close(rec);
  fake_collector_stop(f);
}

static void test_400_is_final_and_counted_per_trace(void **state){
  static const fake_answer script[] = { { 400, NULL, 0, 0 } };
  fake_collector *f = fake_collector_start(script, 1);
  char url[128];
  const char *db = test_db_path("refused");
  tlm_stats stats;
  (void)state;
  url_of(url, sizeof url, fake_collector_port(f));
  tlm_recorder *rec = open_recorder(db, url, TLM_OTLP_PROTOBUF, 10000, 0);
  int spans = record_pipeline(rec, 4);
  assert_int_equal(tlm_recorder_flush(rec), TLM_ELOST);
  assert_non_null(strstr(tlm_last_error(), ": HTTP 400: scripted 400; 12 spans not exported since the last flush"));
  tlm_recorder_stats(rec, &stats);
  assert_int_equal(stats.spans_written, spans);
  assert_int_equal(stats.spans_exported, 0);
  assert_int_equal(stats.spans_export_failed, spans);
  assert_int_equal(fake_collector_requests(f), 1);
  assert_int_equal(tlm_recorder_close(rec), TLM_OK);   /* already reported */
  assert_int_equal(test_db_int(db, "SELECT sum(unexported_spans) FROM traces"), spans);
  assert_int_equal(test_db_int(db, "SELECT count(*) FROM traces WHERE unexported_spans = 3"), 4);
  fake_collector_stop(f);
}

static void test_a_partial_success_counts_the_rejected_spans(void **state){
  static const fake_answer script[] = { { 200, NULL, 2, 0 } };
  fake_collector *f = fake_collector_start(script, 1);
  char url[128];
  tlm_stats stats;
  (void)state;
  url_of(url, sizeof url, fake_collector_port(f));
  for(int json = 0; json <= 1; json++){
    tlm_recorder *rec = open_recorder(test_db_path(json ? "partial_json" : "partial"), url,
                                      json ? TLM_OTLP_JSON : TLM_OTLP_PROTOBUF, 10000, 0);
    int spans = record_pipeline(rec, 3);
    assert_int_equal(tlm_recorder_flush(rec), TLM_ELOST);
    assert_non_null(strstr(tlm_last_error(), "2 spans rejected: too old; 2 spans not exported"));
    tlm_recorder_stats(rec, &stats);
    assert_int_equal(stats.spans_exported, spans - 2);
    assert_int_equal(stats.spans_export_failed, 2);
    tlm_recorder_close(rec);
  }
  fake_collector_stop(f);
}

static void test_an_absent_endpoint_costs_counted_spans_not_the_caller(void **state){
  /* A port nobody listens on: a collector that was just stopped. */
  static const fake_answer ok[] = { { 200, NULL, 0, 0 } };
  fake_collector *f = fake_collector_start(ok, 1);
  char url[128];
  const char *db = test_db_path("absent");
  tlm_stats stats;
  (void)state;
  url_of(url, sizeof url, fake_collector_port(f));
  fake_collector_stop(f);
  tlm_recorder *rec = open_recorder(db, url, TLM_OTLP_PROTOBUF, 400, 0);
  int spans = record_pipeline(rec, 5);
  assert_int_equal(tlm_recorder_flush(rec), TLM_ELOST);
  assert_non_null(strstr(tlm_last_error(), "Couldn't connect to server (gave up after "));
  assert_non_null(strstr(tlm_last_error(), "15 spans not exported since the last flush"));
  tlm_recorder_stats(rec, &stats);
  assert_int_equal(stats.spans_written, spans);        /* the database has them all */
  assert_int_equal(stats.spans_export_failed, spans);
  tlm_recorder_close(rec);
  assert_int_equal(test_db_int(db, "SELECT count(*) FROM spans"), spans);
  assert_int_equal(test_db_int(db, "SELECT sum(unexported_spans) FROM traces"), spans);
}

static void test_a_slow_endpoint_gives_up_the_oldest_batches_and_counts_them(void **state){
  static const fake_answer slow[] = { { 200, NULL, 0, 100 } };
  fake_collector *f = fake_collector_start(slow, 1);
  char url[128];
  const char *db = test_db_path("slow");
  tlm_stats stats;
  (void)state;
  url_of(url, sizeof url, fake_collector_port(f));
  tlm_recorder *rec = open_recorder(db, url, TLM_OTLP_PROTOBUF, 30000, 64);
  /* A burst: the writer hands over a batch of at most 64 spans every few
  ** milliseconds, the endpoint takes 100 ms for each. */
  int spans = record_pipeline(rec, 400);
  assert_int_equal(tlm_recorder_flush(rec), TLM_ELOST);
  assert_non_null(strstr(tlm_last_error(), "the retry buffer is full"));
  tlm_recorder_stats(rec, &stats);
  assert_int_equal(stats.spans_written, spans);
  assert_true(stats.spans_export_failed > 0);
  assert_int_equal(stats.spans_exported + stats.spans_export_failed, spans);
  assert_int_equal(fake_collector_spans(f), stats.spans_exported);
  tlm_recorder_close(rec);
  assert_int_equal(test_db_int(db, "SELECT count(*) FROM spans"), spans);
  assert_int_equal(test_db_int(db, "SELECT sum(unexported_spans) FROM traces"),
                   stats.spans_export_failed);
  fake_collector_stop(f);
}

static void test_export_only_writes_no_database(void **state){
  static const fake_answer ok[] = { { 200, NULL, 0, 0 } };
  fake_collector *f = fake_collector_start(ok, 1);
  char url[128];
  const char *db = test_db_path("never");
  struct stat st;
  tlm_options opts;
  tlm_stats stats;
  (void)state;
  url_of(url, sizeof url, fake_collector_port(f));
  tlm_options_init(&opts);
  opts.db_path = db;
  opts.otlp_endpoint = url;
  opts.otlp_only = 1;
  opts.ignore_env_traceparent = 1;
  tlm_recorder *rec = tlm_recorder_open(&opts);
  assert_non_null(rec);
  int spans = record_pipeline(rec, 7);
  assert_int_equal(tlm_recorder_flush(rec), TLM_OK);
  tlm_recorder_stats(rec, &stats);
  assert_int_equal(stats.spans_exported, spans);
  assert_int_equal(fake_collector_spans(f), spans);
  assert_int_equal(tlm_recorder_close(rec), TLM_OK);
  assert_int_equal(stat(db, &st), -1);
  fake_collector_stop(f);
}

static void expect_refused(const char *variable, const char *value, const char *message){
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = test_db_path("refused_config");
  opts.ignore_env_traceparent = 1;
  setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:1/v1/traces", 1);
  if( variable ) setenv(variable, value, 1);
  assert_null(tlm_recorder_open(&opts));
  assert_string_equal(tlm_last_error(), message);
  if( variable ) unsetenv(variable);
  unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
}

static void test_settings_that_cannot_work_fail_open_with_a_message(void **state){
  (void)state;
  expect_refused("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
    "OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' is not supported (http/protobuf or http/json)");
  expect_refused("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "novalue",
    "OTEL_EXPORTER_OTLP_HEADERS: 'novalue' is not key=value");
  expect_refused("OTEL_EXPORTER_OTLP_HEADERS", "a=%zz",
    "OTEL_EXPORTER_OTLP_HEADERS: bad value in 'a=%zz'");
  expect_refused("OTEL_EXPORTER_OTLP_TIMEOUT", "soon",
    "OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds from 1 to 3600000, not 'soon'");
  expect_refused("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "localhost:4318",
    "OTLP endpoint 'localhost:4318' is not an http:// or https:// URL");
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = test_db_path("only_without_endpoint");
  opts.otlp_only = 1;
  assert_null(tlm_recorder_open(&opts));
  assert_string_equal(tlm_last_error(), "export only (otlp_only or TRACELM_EXPORT_ONLY) needs"
                      " an OTLP endpoint (otlp_endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)");
}

int main(int argc, char **argv){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a_served_database_holds_the_recorders_spans_protobuf),
    cmocka_unit_test(test_a_served_database_holds_the_recorders_spans_json),
    cmocka_unit_test(test_the_opentelemetry_variables_configure_it),
    cmocka_unit_test(test_503_with_retry_after_is_tried_again_then_delivered),
    cmocka_unit_test(test_400_is_final_and_counted_per_trace),
    cmocka_unit_test(test_a_partial_success_counts_the_rejected_spans),
    cmocka_unit_test(test_an_absent_endpoint_costs_counted_spans_not_the_caller),
    cmocka_unit_test(test_a_slow_endpoint_gives_up_the_oldest_batches_and_counts_them),
    cmocka_unit_test(test_export_only_writes_no_database),
    cmocka_unit_test(test_settings_that_cannot_work_fail_open_with_a_message),
  };
  if( argc < 2 ){
    fprintf(stderr, "usage: test_export TRACELM-COMMAND\n");
    return 2;
  }
  cli_path = argv[1];
  unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
