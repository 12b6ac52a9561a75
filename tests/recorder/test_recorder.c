/*
** test_recorder.c — spans reach the database once each, with the right
** parents, fields and counts, under threads, a full queue and bad paths.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tracelm/tracelm.h"
#include "test_db.h"
#include "schema.h"

static const char *init_at(const char *name){
  tlm_options opts;
  const char *path = test_db_path(name);
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.service = "test";
  opts.ignore_env_traceparent = 1;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  return path;
}

/* ------------------------------------------- 8 threads x 10,000 spans */

#define THREADS 8
#define SPANS_PER_THREAD 10000

typedef struct expected_span { char trace[33], span[17], parent[17]; } expected_span;
static expected_span expected[THREADS][SPANS_PER_THREAD];

static void remember(expected_span *e, tlm_span *span, tlm_span *parent){
  tlm_span_trace_id(span, e->trace);
  tlm_span_id(span, e->span);
  if( parent ) tlm_span_id(parent, e->parent); else e->parent[0] = 0;
}

/* Each thread builds one trace: a root, then runs of nesting 1 to 4 deep. */
static void *nesting_worker(void *arg){
  expected_span *mine = arg;
  tlm_span *stack[5];
  int n = 0;
  stack[0] = tlm_span_begin("root");
  remember(&mine[n++], stack[0], NULL);
  while( n < SPANS_PER_THREAD ){
    int depth = 1 + n % 4;
    int d;
    for(d = 1; d <= depth && n < SPANS_PER_THREAD; d++){
      assert_ptr_equal(tlm_span_current(), stack[d - 1]);
      stack[d] = tlm_span_begin("step");
      remember(&mine[n++], stack[d], stack[d - 1]);
    }
    while( --d >= 1 ) tlm_span_end(stack[d]);
  }
  tlm_span_end(stack[0]);
  assert_null(tlm_span_current());
  return NULL;
}

/* How many remembered spans are missing or have another parent stored. */
static int parent_mismatches(const char *path, int threads){
  sqlite3 *db;
  sqlite3_stmt *lookup;
  int mismatches = 0;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_prepare_v2(db, "SELECT coalesce(parent_id, '') FROM spans"
                         " WHERE trace_id = ? AND span_id = ?", -1, &lookup, 0);
  for(int t = 0; t < threads; t++){
    for(int i = 0; i < SPANS_PER_THREAD; i++){
      sqlite3_bind_text(lookup, 1, expected[t][i].trace, -1, SQLITE_STATIC);
      sqlite3_bind_text(lookup, 2, expected[t][i].span, -1, SQLITE_STATIC);
      if( sqlite3_step(lookup) != SQLITE_ROW
       || strcmp((const char *)sqlite3_column_text(lookup, 0), expected[t][i].parent) ){
        mismatches++;
      }
      sqlite3_reset(lookup);
    }
  }
  sqlite3_finalize(lookup);
  sqlite3_close(db);
  return mismatches;
}

static void test_recorder_nests_spans_on_eight_threads(void **state){
  pthread_t threads[THREADS];
  (void)state;
  const char *path = init_at("threads.db");
  for(int t = 0; t < THREADS; t++){
    pthread_create(&threads[t], NULL, nesting_worker, expected[t]);
  }
  for(int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
  tlm_shutdown();
  /* Every span stored exactly once, every parent right. */
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), THREADS * SPANS_PER_THREAD);
  assert_int_equal(parent_mismatches(path, THREADS), 0);
  assert_int_equal(test_db_int(path,
    "SELECT count(*) FROM traces WHERE span_count = 10000 AND root_name = 'root'"), THREADS);
}

/* ---------------------------------------------- explicit parents */

#define WORKERS 4
typedef struct work { tlm_span *parent; char span[17], inner_parent[17]; } work;

static void *explicit_worker(void *arg){
  work *w = arg;
  tlm_span *mine = tlm_span_begin_child(w->parent, "work");
  tlm_span *inner = tlm_span_begin("inner");      /* nests under "work" */
  tlm_span_id(mine, w->span);
  tlm_span_id(tlm_span_current(), w->inner_parent);
  tlm_span_end(inner);
  tlm_span_end(mine);
  return NULL;
}

static void test_recorder_takes_explicit_parents_across_threads(void **state){
  pthread_t threads[WORKERS];
  work jobs[WORKERS];
  char batch_id[17], sql[256];
  (void)state;
  const char *path = init_at("explicit.db");
  tlm_span *batch = tlm_span_begin("batch");
  tlm_span_id(batch, batch_id);
  for(int i = 0; i < WORKERS; i++){
    jobs[i].parent = batch;
    pthread_create(&threads[i], NULL, explicit_worker, &jobs[i]);
  }
  for(int i = 0; i < WORKERS; i++) pthread_join(threads[i], NULL);
  tlm_span_end(batch);
  tlm_shutdown();
  snprintf(sql, sizeof sql, "SELECT count(*) FROM spans WHERE name = 'work'"
           " AND parent_id = '%s'", batch_id);
  assert_int_equal(test_db_int(path, sql), WORKERS);
  for(int i = 0; i < WORKERS; i++){
    snprintf(sql, sizeof sql, "SELECT count(*) FROM spans WHERE name = 'inner'"
             " AND parent_id = '%s'", jobs[i].span);
    assert_int_equal(test_db_int(path, sql), 1);
  }
  assert_int_equal(test_db_int(path,
    "SELECT count(DISTINCT thread_id) > 1 FROM spans WHERE name = 'work'"), 1);
}

/* ------------------------------------------------- span contents */

static void test_recorder_stores_every_field(void **state){
  char text[512];
  (void)state;
  const char *path = init_at("fields.db");
  tlm_span *s = tlm_span_begin("llm_call");
  tlm_span_set_kind(s, TLM_KIND_CLIENT);
  tlm_span_set_model(s, "gpt-4o-mini");
  tlm_span_add_tokens(s, 800, 90);
  tlm_record_tokens(12, 6);                /* the current span */
  tlm_span_add_cost(s, 0.25);
  tlm_record_cost(0.125);
  tlm_span_set_str(s, "prompt", "say \"hi\"\n");
  tlm_span_set_int(s, "retries", 2);
  tlm_span_set_double(s, "temperature", 0.5);
  tlm_span_set_bool(s, "stream", 1);
  tlm_span_set_int(s, "retries", 3);       /* set twice: the last wins */
  tlm_span_set_str(s, "control", "\x01\x1f");
  tlm_span_set_double(s, "nan", 0.0 / 0.0);
  tlm_record_error("rate limited");
  tlm_span *child = tlm_span_begin("tool");  /* a parent id, kind and status of its own */
  tlm_span_set_kind(child, TLM_KIND_CONSUMER);
  tlm_span_set_ok(child);
  tlm_span_end(child);
  tlm_span_end(s);
  tlm_shutdown();
  /* The writer skips the table's CHECKs (its rows are made valid);
  ** integrity_check tests every CHECK of every row. */
  test_db_text(path, "PRAGMA integrity_check", text, sizeof text);
  assert_string_equal(text, "ok");
  test_db_exec(path, "DELETE FROM spans WHERE name = 'tool'");

  test_db_text(path, "SELECT name||'|'||kind||'|'||model||'|'||tokens_in||'|'||tokens_out"
               "||'|'||cost||'|'||status||'|'||status_message||'|'||service FROM spans",
               text, sizeof text);
  assert_string_equal(text, "llm_call|client|gpt-4o-mini|812|96|0.375|error|rate limited|test");
  test_db_text(path, "SELECT attrs FROM spans", text, sizeof text);
  assert_string_equal(text,
    "{\"prompt\":\"say \\\"hi\\\"\\n\",\"retries\":3,\"temperature\":0.5,\"stream\":true,"
    "\"control\":\"\\u0001\\u001f\",\"nan\":null}");
  assert_int_equal(test_db_int(path, "SELECT end_ns >= start_ns AND start_ns > 1.6e18"
                                     " AND thread_id > 0 FROM spans"), 1);
  assert_int_equal(test_db_int(path, "SELECT tokens_in + tokens_out FROM traces"), 908);
}

/* A new trace id's first two bytes count 16 ms steps (recorder/ids.c), so
** new traces land together in every index keyed by trace id; the rest is
** random: a thousand roots, a thousand ids. */
static unsigned step_now(void){
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (unsigned)((((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) >> 4) & 0xffff);
}

static void test_recorder_trace_ids_lead_with_the_time(void **state){
  char ids[1000][33], later[33];
  (void)state;
  init_at("trace_ids.db");
  unsigned before = step_now();
  for(int i = 0; i < 1000; i++){
    tlm_span *root = tlm_span_begin("root");
    tlm_span_trace_id(root, ids[i]);
    tlm_span_end(root);
  }
  unsigned after = step_now();
  for(int i = 0; i < 1000; i++){
    unsigned step = (unsigned)strtoul((char[5]){ ids[i][0], ids[i][1], ids[i][2], ids[i][3], 0 }, NULL, 16);
    assert_true(((step - before) & 0xffff) <= ((after - before) & 0xffff));
    for(int j = 0; j < i; j++) assert_string_not_equal(ids[i], ids[j]);
  }
  usleep(40000);                                   /* two steps and more */
  tlm_span *root = tlm_span_begin("later");
  tlm_span_trace_id(root, later);
  tlm_span_end(root);
  assert_true(strncmp(later, ids[999], 4) != 0);
}

static void test_recorder_long_names_survive(void **state){
  char name[300], text[301];
  (void)state;
  memset(name, 'n', sizeof name - 1);
  name[sizeof name - 1] = 0;
  const char *path = init_at("names.db");
  tlm_span_end(tlm_span_begin(name));
  tlm_shutdown();
  test_db_text(path, "SELECT name FROM spans", text, sizeof text);
  assert_string_equal(text, name);
}

static void keep_error(const char *message, void *data){
  snprintf(data, 256, "%s", message);
}

/* Events in the order added, with their attributes; a score as the GenAI
** conventions write it; malformed attributes refused, nothing added.
** Attributes cJSON reads but SQLite's JSON does not (01) pass the
** caller's check; the writer, whose connection skips the CHECKs, does
** not store that event and says so. */
static void test_recorder_stores_events_and_scores(void **state){
  char text[512], error[256] = "";
  tlm_options opts;
  (void)state;
  const char *path = test_db_path("events.db");
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.ignore_env_traceparent = 1;
  opts.on_error = keep_error;
  opts.on_error_data = error;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  tlm_span *span = tlm_span_begin("chat");
  assert_int_equal(tlm_span_add_event(span, "gen_ai.user.message", "{\"content\":\"hi\"}"), TLM_OK);
  assert_int_equal(tlm_span_add_event(span, "retry", NULL), TLM_OK);
  assert_int_equal(tlm_span_add_event(span, "bad", "[1, 2]"), TLM_EINVAL);
  assert_int_equal(tlm_span_add_event(span, "bad", "{\"open\":"), TLM_EINVAL);
  assert_int_equal(tlm_span_add_event(span, "bad", "{} and more"), TLM_EINVAL);
  assert_int_equal(tlm_span_add_event(NULL, "x", NULL), TLM_EINVAL);
  assert_int_equal(tlm_span_add_event(span, NULL, NULL), TLM_EINVAL);
  assert_int_equal(tlm_span_score(span, "relevance", 0.75, "good", NULL), TLM_OK);
  assert_int_equal(tlm_span_add_event(span, "lenient", "{\"n\":01}"), TLM_OK);
  tlm_span_end(span);
  tlm_shutdown();
  test_db_text(path, "SELECT group_concat(seq || ' ' || name || ' ' || coalesce(attrs, '-'), ' | ')"
               " FROM (SELECT * FROM span_events ORDER BY seq)", text, sizeof text);
  assert_string_equal(text, "0 gen_ai.user.message {\"content\":\"hi\"} | 1 retry - | 2 gen_ai.evaluation.result"
                      " {\"gen_ai.evaluation.name\":\"relevance\",\"gen_ai.evaluation.score.value\":0.75,"
                      "\"gen_ai.evaluation.score.label\":\"good\"}");
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM span_events e JOIN spans s USING (trace_id, span_id)"
                               " WHERE e.time_ns BETWEEN s.start_ns AND s.end_ns"), 3);
  assert_string_equal(error, "an event was not stored: its attributes are not JSON that SQLite accepts"
                      " (json_valid)");
  test_db_text(path, "PRAGMA integrity_check", text, sizeof text);
  assert_string_equal(text, "ok");
}

/* The GenAI helpers write the conventions' names, which the views read
** back: an agent's turn with a streamed call and a tool, in a
** conversation; bad usage and JSON refused with nothing set. */
static void test_recorder_genai_helpers(void **state){
  char text[1024];
  (void)state;
  const char *path = init_at("genai.db");
  tlm_span *agent = tlm_agent_begin("helper", "agent-1");
  tlm_span_set_conversation(agent, "chat-7");
  tlm_span *call = tlm_llm_begin("chat", "gpt-4o-mini", "openai");
  assert_int_equal(tlm_llm_first_token(call), TLM_OK);
  assert_int_equal(tlm_llm_first_token(call), TLM_OK);          /* the first chunk only */
  assert_int_equal(tlm_llm_usage(call, 100, 10, 101, 0, 0), TLM_EINVAL);   /* more read than sent */
  assert_int_equal(tlm_llm_usage(call, 100, 10, 0, 0, 11), TLM_EINVAL);
  assert_int_equal(tlm_llm_usage(call, -1, 0, 0, 0, 0), TLM_EINVAL);
  assert_int_equal(tlm_llm_usage(call, 1200, 80, 1024, 0, 30), TLM_OK);
  assert_int_equal(tlm_llm_response(call, "gpt-4o-mini-2024-07-18", "resp-1", "stop"), TLM_EINVAL);
  assert_int_equal(tlm_llm_response(call, "gpt-4o-mini-2024-07-18", "resp-1", "[\"tool_calls\"]"), TLM_OK);
  assert_int_equal(tlm_llm_messages(call, "Be brief.", "{\"role\":\"user\"}", NULL), TLM_EINVAL);
  assert_int_equal(tlm_llm_messages(call, "Be brief.",
      "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"weather?\"}]}]", NULL), TLM_OK);
  tlm_span_end(call);
  tlm_span *tool = tlm_tool_begin("get_weather", "call_1", "function");
  tlm_span_end(tool);
  tlm_span_end(agent);
  tlm_shutdown();
  /* (176 x 0.15 + 1024 x 0.075 + 80 x 0.60) / 1e6 = 0.0001512: reasoning is within output. */
  test_db_text(path, "SELECT name || '|' || model || '|' || provider || '|' || operation || '|' || tokens_in || '|'"
               " || tokens_out || '|' || cache_read_tokens || '|' || reasoning_tokens || '|' || finish_reasons"
               " || '|' || response_model || '|' || response_id || '|' || printf('%.7f', cost)"
               " || '|' || (ttft_ns BETWEEN 0 AND duration_ns) FROM llm_calls", text, sizeof text);
  assert_string_equal(text, "chat gpt-4o-mini|gpt-4o-mini|openai|chat|1200|80|1024|30|[\"tool_calls\"]"
                            "|gpt-4o-mini-2024-07-18|resp-1|0.0001512|1");
  /* The writer stored that price with the call (sql/stored_prices.sql). */
  test_db_text(path, "SELECT printf('%.7f', priced_cost) FROM spans WHERE model IS NOT NULL", text, sizeof text);
  assert_string_equal(text, "0.0001512");
  test_db_text(path, "SELECT group_concat(name || '/' || coalesce(operation, '-') || '/' || coalesce(agent_name, '-')"
               " || '/' || coalesce(agent_id, '-') || '/' || coalesce(tool_name, '-') || '/' || coalesce(tool_call_id, '-')"
               " || '/' || coalesce(tool_type, '-') || '/' || coalesce(conversation_id, '-'), ' ')"
               " FROM (SELECT * FROM span_genai ORDER BY start_ns, span_rowid)", text, sizeof text);
  assert_string_equal(text, "invoke_agent helper/invoke_agent/helper/agent-1/-/-/-/chat-7"
                            " chat gpt-4o-mini/chat/-/-/-/-/-/-"
                            " execute_tool get_weather/execute_tool/-/-/get_weather/call_1/function/-");
  test_db_text(path, "SELECT group_concat(source || ':' || role || ':' || text, ' ') FROM span_messages", text, sizeof text);
  assert_string_equal(text, "system:system:Be brief. input:user:weather?");
  test_db_text(path, "SELECT conversation_id || ' ' || traces || ' ' || turns FROM conversations", text, sizeof text);
  assert_string_equal(text, "chat-7 1 1");
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE json_extract(attrs,"
                               " '$.\"gen_ai.response.time_to_first_chunk\"') IS NOT NULL"), 1);
  assert_int_equal(tlm_llm_usage(NULL, 1, 1, 0, 0, 0), TLM_EINVAL);
  assert_int_equal(tlm_llm_first_token(NULL), TLM_EINVAL);
}

static int leave_early(void){
  TLM_SPAN_SCOPE(span, "scoped");
  if( span ) return 1;
  return 0;
}

static void test_recorder_scope_macro_ends_on_return(void **state){
  (void)state;
  const char *path = init_at("scope.db");
  assert_int_equal(leave_early(), 1);
  assert_null(tlm_span_current());
  tlm_shutdown();
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE name='scoped'"), 1);
}

static void test_recorder_ends_out_of_order_safely(void **state){
  (void)state;
  const char *path = init_at("order.db");
  tlm_span *outer = tlm_span_begin("outer");
  tlm_span *inner = tlm_span_begin("inner");
  tlm_span_end(outer);                     /* wrong order: still safe */
  assert_ptr_equal(tlm_span_current(), inner);
  tlm_span_end(inner);
  assert_null(tlm_span_current());
  tlm_shutdown();
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 2);
}

static void test_recorder_without_init_does_nothing(void **state){
  (void)state;
  assert_null(tlm_default_recorder());
  tlm_span *s = tlm_span_begin("nothing");
  assert_null(s);
  tlm_span_add_tokens(s, 1, 1);
  tlm_span_set_error(s, "x");
  tlm_record_tokens(1, 1);
  tlm_span_end(s);
  tlm_flush();
  tlm_shutdown();
}

/* ------------------------------------------------- a full queue */

static void test_recorder_full_queue_waits_and_loses_nothing(void **state){
  tlm_options opts;
  tlm_stats stats;
  (void)state;
  const char *path = test_db_path("wait.db");
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.queue_capacity = 4;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  for(int i = 0; i < 20000; i++) tlm_span_end(tlm_span_begin("s"));
  tlm_flush();
  tlm_recorder_stats(NULL, &stats);
  assert_int_equal(stats.spans_written, 20000);
  assert_int_equal(stats.spans_dropped, 0);
  tlm_shutdown();
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 20000);
}

static void test_recorder_full_queue_drops_and_counts(void **state){
  tlm_options opts;
  tlm_stats stats;
  (void)state;
  const char *path = test_db_path("drop.db");
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.queue_capacity = 4;
  opts.flush_interval_ms = 5000;
  opts.on_full = TLM_FULL_DROP;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  tlm_span *root = tlm_span_begin("root");
  for(int i = 0; i < 20000; i++) tlm_span_end(tlm_span_begin("s"));
  tlm_span_end(root);
  tlm_flush();
  tlm_recorder_stats(NULL, &stats);
  tlm_shutdown();
  assert_true(stats.spans_dropped > 0);
  assert_int_equal(stats.spans_written + stats.spans_dropped, 20001);
  /* Nothing lost silently: the database says how many it did not get. */
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), stats.spans_written);
  assert_int_equal(test_db_int(path, "SELECT sum(dropped_spans) FROM traces"),
                   stats.spans_dropped);
}

/* ------------------------------------------------- bad databases */

static void test_recorder_refuses_an_unwritable_path(void **state){
  tlm_options opts;
  (void)state;
  tlm_options_init(&opts);
  opts.db_path = "/nonexistent-folder/for/tracelm.db";
  assert_int_equal(tlm_init(&opts), TLM_EDB);
  assert_string_equal(tlm_last_error(),
    "cannot open database '/nonexistent-folder/for/tracelm.db': unable to open database file");
  assert_null(tlm_default_recorder());
}

static void test_recorder_refuses_a_read_only_database(void **state){
  tlm_options opts;
  char uri[4200];
  (void)state;
  const char *path = test_db_path("ro.db");
  test_db_exec(path, "CREATE TABLE t(x)");
  snprintf(uri, sizeof uri, "file:%s?mode=ro", path);
  tlm_options_init(&opts);
  opts.db_path = uri;
  assert_int_equal(tlm_init(&opts), TLM_EDB);
  assert_non_null(strstr(tlm_last_error(), "is read-only"));
  if( geteuid() != 0 ){                   /* root writes through chmod 444 */
    chmod(path, 0444);
    opts.db_path = path;
    assert_int_equal(tlm_init(&opts), TLM_EDB);
    assert_non_null(strstr(tlm_last_error(), "is read-only"));
  }
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
}

static void test_recorder_refuses_a_newer_schema_and_leaves_it(void **state){
  tlm_options opts;
  (void)state;
  const char *path = test_db_path("newer.db");
  test_db_exec(path, "PRAGMA user_version = 99");
  tlm_options_init(&opts);
  opts.db_path = path;
  assert_int_equal(tlm_init(&opts), TLM_ESCHEMA);
  char message[4300];
  snprintf(message, sizeof message, "database '%s': database schema version 99 is newer"
           " than this TraceLM understands (%d); upgrade TraceLM to use it", path,
           TLM_SCHEMA_VERSION);
  assert_string_equal(tlm_last_error(), message);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM sqlite_schema"), 0);
  assert_int_equal(test_db_int(path, "PRAGMA user_version"), 99);
}

static void test_recorder_rejects_bad_options(void **state){
  tlm_options opts;
  (void)state;
  tlm_options_init(&opts);
  opts.db_path = test_db_path("opts.db");
  opts.sample_rate = 1.5;
  assert_int_equal(tlm_init(&opts), TLM_EINVAL);
  assert_string_equal(tlm_last_error(), "sample_rate must be from 0 to 1, not 1.5");
}

static void test_recorder_init_twice_is_an_error(void **state){
  (void)state;
  init_at("twice.db");
  assert_int_equal(tlm_init(NULL), TLM_ESTATE);
  tlm_shutdown();
}

/* ------------------------------------------------ remote parents */

static void test_recorder_joins_the_trace_in_TRACEPARENT(void **state){
  tlm_options opts;
  char trace[33], parent[17];
  (void)state;
  setenv("TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", 1);
  tlm_options_init(&opts);
  const char *path = opts.db_path = test_db_path("remote.db");
  assert_int_equal(tlm_init(&opts), TLM_OK);
  unsetenv("TRACEPARENT");
  tlm_span *s = tlm_span_begin("entry");
  tlm_span_trace_id(s, trace);
  tlm_span_end(s);
  tlm_shutdown();
  assert_string_equal(trace, "4bf92f3577b34da6a3ce929d0e0e4736");
  test_db_text(path, "SELECT parent_id FROM spans", parent, sizeof parent);
  assert_string_equal(parent, "00f067aa0ba902b7");
}

static void test_recorder_ignores_an_invalid_TRACEPARENT(void **state){
  tlm_options opts;
  (void)state;
  setenv("TRACEPARENT", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", 1);
  tlm_options_init(&opts);
  const char *path = opts.db_path = test_db_path("badremote.db");
  assert_int_equal(tlm_init(&opts), TLM_OK);
  unsetenv("TRACEPARENT");
  tlm_span_end(tlm_span_begin("entry"));
  tlm_shutdown();
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE parent_id IS NULL"
                   " AND trace_id <> '4bf92f3577b34da6a3ce929d0e0e4736'"), 1);
}

/* A failed test must not leave the recorder running for the next one. */
/* ------------------------------------------------ the traces rows */

/* Threads ending spans of several traces at once, so a batch holds many
** short runs of each trace: the writer's once-a-run `traces` upsert must
** leave what the per-span trigger leaves for any other inserter. */
static void *mixed_worker(void *arg){
  tlm_span **roots = arg;
  for(int i = 0; i < 3000; i++){
    tlm_span *s = tlm_span_begin_child(roots[i % 3], i % 7 ? "step" : "llm_call");
    tlm_span_add_tokens(s, i % 5, i % 3);
    tlm_span_add_cost(s, (i % 4) * 0.25);
    if( i % 11 == 0 ) tlm_span_set_error(s, "bad");
    tlm_span_end(s);
  }
  return NULL;
}

/* A root begun on a thread of its own is a new trace, not a child of
** this thread's current span. */
static void *begin_root(void *arg){
  tlm_span **root = arg;
  *root = tlm_span_begin("request");
  return NULL;
}

static void test_recorder_traces_rows_match_the_trigger(void **state){
  char rebuilt[4200];
  pthread_t threads[4];
  tlm_span *roots[3];
  (void)state;
  const char *path = init_at("traces_rows.db");
  char recorded[4200];
  snprintf(recorded, sizeof recorded, "%s", path);
  for(int t = 0; t < 3; t++){
    pthread_t one;
    pthread_create(&one, NULL, begin_root, &roots[t]);
    pthread_join(one, NULL);
  }
  for(int t = 0; t < 4; t++) pthread_create(&threads[t], NULL, mixed_worker, roots);
  for(int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
  tlm_span_set_error(roots[2], "root failed");
  for(int t = 0; t < 3; t++) tlm_span_end(roots[t]);
  assert_int_equal(tlm_shutdown(), TLM_OK);
  assert_int_equal(test_db_int(recorded, "SELECT sum(span_count) FROM traces"), 3 + 4 * 3000);

  /* The same rows inserted through the trigger, into a fresh database. */
  snprintf(rebuilt, sizeof rebuilt, "%s", test_db_path("traces_rebuilt.db"));
  sqlite3 *db;
  char *errmsg = NULL, *sql;
  assert_int_equal(sqlite3_open(rebuilt, &db), SQLITE_OK);
  assert_int_equal(tlm_schema_apply(db, &errmsg), TLM_OK);
  sql = sqlite3_mprintf("ATTACH %Q AS recorded;"
      " INSERT INTO spans SELECT * FROM recorded.spans ORDER BY rowid;"
      " CREATE TEMP TABLE differences AS SELECT count(*) AS n FROM ("
      "  SELECT trace_id, start_ns, end_ns, root_span_id, root_name, service, span_count,"
      "   tokens_in, tokens_out, round(cost, 9), errors FROM main.traces"
      "  EXCEPT SELECT trace_id, start_ns, end_ns, root_span_id, root_name, service, span_count,"
      "   tokens_in, tokens_out, round(cost, 9), errors FROM recorded.traces);", recorded);
  assert_int_equal(sqlite3_exec(db, sql, 0, 0, &errmsg), SQLITE_OK);
  sqlite3_free(sql);
  sqlite3_stmt *stmt;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT n, (SELECT count(*) FROM recorded.traces),"
      " (SELECT sum(errors) FROM recorded.traces) FROM differences", -1, &stmt, 0), SQLITE_OK);
  assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(stmt, 0), 0);       /* no row differs */
  assert_int_equal(sqlite3_column_int(stmt, 1), 3);       /* and all are there */
  assert_int_equal(sqlite3_column_int(stmt, 2), 4 * 273 + 1);   /* i % 11 == 0: 273 of 3000 */
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

/* ------------------------------------------- rings and their threads */

/* Each thread records into a ring of its own; a ring must outlive
** whichever of its thread and its recorder goes first, and nothing may be
** lost or leaked either way (the sanitized build checks the leaks). */
typedef struct ring_job {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  int step;                  /* 1: record 10; 3: record 10 more; 5: exit */
  int done;                  /* the last step finished */
} ring_job;

static void *ring_worker(void *arg){
  ring_job *job = arg;
  pthread_mutex_lock(&job->lock);
  for(int step = 1; step <= 5; step += 2){
    while( job->step < step ) pthread_cond_wait(&job->changed, &job->lock);
    pthread_mutex_unlock(&job->lock);
    if( step < 5 ) for(int i = 0; i < 10; i++) tlm_span_end(tlm_span_begin("ring"));
    pthread_mutex_lock(&job->lock);
    job->done = step;
    pthread_cond_broadcast(&job->changed);
  }
  pthread_mutex_unlock(&job->lock);
  return NULL;
}

static void ring_step(ring_job *job, int step){
  pthread_mutex_lock(&job->lock);
  job->step = step;
  pthread_cond_broadcast(&job->changed);
  while( job->done < step ) pthread_cond_wait(&job->changed, &job->lock);
  pthread_mutex_unlock(&job->lock);
}

static void *short_lived(void *arg){
  (void)arg;
  for(int i = 0; i < 100; i++) tlm_span_end(tlm_span_begin("short"));
  return NULL;
}

static void test_recorder_rings_outlive_threads_and_recorders(void **state){
  ring_job job = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };
  pthread_t worker, gone[4];
  tlm_stats stats;
  char first[4200], second[4200];
  (void)state;
  snprintf(first, sizeof first, "%s", init_at("rings1.db"));
  /* Threads that exit before the recorder: their spans are written and
  ** their rings freed by the writer. */
  for(int t = 0; t < 4; t++) pthread_create(&gone[t], NULL, short_lived, NULL);
  for(int t = 0; t < 4; t++) pthread_join(gone[t], NULL);
  pthread_create(&worker, NULL, ring_worker, &job);
  ring_step(&job, 1);
  assert_int_equal(tlm_flush(), TLM_OK);
  tlm_recorder_stats(NULL, &stats);
  assert_int_equal(stats.spans_enqueued, 410);
  assert_int_equal(stats.spans_written, 410);
  /* The recorder closes while the worker lives; the worker then records
  ** into a new one at the same address, which must get a ring of its own. */
  assert_int_equal(tlm_shutdown(), TLM_OK);
  snprintf(second, sizeof second, "%s", init_at("rings2.db"));
  ring_step(&job, 3);
  ring_step(&job, 5);
  pthread_join(worker, NULL);
  assert_int_equal(tlm_shutdown(), TLM_OK);
  assert_int_equal(test_db_int(first, "SELECT count(*) FROM spans"), 410);
  assert_int_equal(test_db_int(first, "SELECT count(*) FROM spans WHERE name = 'short'"), 400);
  assert_int_equal(test_db_int(second, "SELECT count(*) FROM spans"), 10);
  assert_int_equal(test_db_int(second, "SELECT count(*) FROM spans WHERE name = 'ring'"), 10);
}

static int shut_down(void **state){
  (void)state;
  tlm_shutdown();
  return 0;
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_recorder_nests_spans_on_eight_threads, shut_down),
    cmocka_unit_test_teardown(test_recorder_takes_explicit_parents_across_threads, shut_down),
    cmocka_unit_test_teardown(test_recorder_stores_every_field, shut_down),
    cmocka_unit_test_teardown(test_recorder_genai_helpers, shut_down),
    cmocka_unit_test_teardown(test_recorder_trace_ids_lead_with_the_time, shut_down),
    cmocka_unit_test_teardown(test_recorder_long_names_survive, shut_down),
    cmocka_unit_test_teardown(test_recorder_stores_events_and_scores, shut_down),
    cmocka_unit_test_teardown(test_recorder_scope_macro_ends_on_return, shut_down),
    cmocka_unit_test_teardown(test_recorder_ends_out_of_order_safely, shut_down),
    cmocka_unit_test_teardown(test_recorder_without_init_does_nothing, shut_down),
    cmocka_unit_test_teardown(test_recorder_full_queue_waits_and_loses_nothing, shut_down),
    cmocka_unit_test_teardown(test_recorder_full_queue_drops_and_counts, shut_down),
    cmocka_unit_test_teardown(test_recorder_refuses_an_unwritable_path, shut_down),
    cmocka_unit_test_teardown(test_recorder_refuses_a_read_only_database, shut_down),
    cmocka_unit_test_teardown(test_recorder_refuses_a_newer_schema_and_leaves_it, shut_down),
    cmocka_unit_test_teardown(test_recorder_rejects_bad_options, shut_down),
    cmocka_unit_test_teardown(test_recorder_init_twice_is_an_error, shut_down),
    cmocka_unit_test_teardown(test_recorder_joins_the_trace_in_TRACEPARENT, shut_down),
    cmocka_unit_test_teardown(test_recorder_ignores_an_invalid_TRACEPARENT, shut_down),
    cmocka_unit_test_teardown(test_recorder_traces_rows_match_the_trigger, shut_down),
    cmocka_unit_test_teardown(test_recorder_rings_outlive_threads_and_recorders, shut_down),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
