/*
** test_failures.c — spans the database could not take reach the caller:
** tlm_flush()/tlm_shutdown() return TLM_ELOST with how many and why, the
** on_error callback and $TRACELM_LOG=stderr hear it as it happens (once,
** not once a span), a full database never hangs a waiting caller, and
** recording resumes by itself once room is made.
**
** A full disk is made portably with the max_db_bytes option (SQLite's
** max_page_count): past it an insert fails with SQLITE_FULL exactly as on
** a full disk.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tracelm/tracelm.h"
#include "internal.h"
#include "test_db.h"
#include <time.h>

/* The on_error callback's record of what it heard. */
static char heard[8][256];
static int heard_count;
static void on_error(const char *message, void *user_data){
  (void)user_data;
  if( heard_count < 8 ) snprintf(heard[heard_count], sizeof heard[0], "%s", message);
  heard_count++;
}

/* A recorder on a database capped at about 1 MiB (64 pages), retrying briefly. */
static const char *init_capped(const char *name, size_t queue, tlm_on_full on_full,
                               unsigned retry_ms){
  tlm_options opts;
  const char *path = test_db_path(name);
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.ignore_env_traceparent = 1;
  opts.max_db_bytes = 1024 * 1024;
  opts.retry_ms = retry_ms;
  opts.queue_capacity = queue;
  opts.on_full = on_full;
  opts.on_error = on_error;
  heard_count = 0;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  return path;
}

/* Spans with a 200-byte attribute each: a few thousand fill the cap. */
static void record(int count, const char *name){
  char padding[201];
  memset(padding, 'x', 200);
  padding[200] = 0;
  tlm_span *root = tlm_span_begin(name);
  for(int i = 1; i < count; i++){
    tlm_span *span = tlm_span_begin("step");
    tlm_span_set_str(span, "padding", padding);
    tlm_span_end(span);
  }
  tlm_span_end(root);
}

static void test_flush_says_how_many_spans_a_full_database_lost(void **state){
  (void)state;
  const char *path = init_capped("full.db", 65536, TLM_FULL_WAIT, 50);
  tlm_stats stats;
  char expected[512];
  record(20000, "too_much");
  assert_int_equal(tlm_flush(), TLM_ELOST);
  tlm_recorder_stats(NULL, &stats);
  assert_true(stats.spans_failed > 0);
  assert_int_equal(stats.spans_written + stats.spans_failed, 20000);
  /* The count is written with thousands separators. */
  char digits[32], with_commas[40];
  int length = snprintf(digits, sizeof digits, "%llu", (unsigned long long)stats.spans_failed), at = 0;
  for(int i = 0; i < length; i++){
    if( i > 0 && (length - i) % 3 == 0 ) with_commas[at++] = ',';
    with_commas[at++] = digits[i];
  }
  with_commas[at] = 0;
  snprintf(expected, sizeof expected, "writer: database or disk is full; %s spans not stored"
           " since the last flush", with_commas);
  assert_string_equal(tlm_last_error(), expected);
  /* Heard as it happened, once: not once a span or a batch. */
  assert_int_equal(heard_count, 1);
  assert_string_equal(heard[0], "writer: database or disk is full");
  /* What was stored is whole and consistent. */
  char check[64];
  test_db_text(path, "PRAGMA integrity_check", check, sizeof check);
  assert_string_equal(check, "ok");
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), (int64_t)stats.spans_written);
  assert_int_equal(test_db_int(path, "SELECT sum(span_count) FROM traces"), (int64_t)stats.spans_written);
  /* The loss was reported once: the next flush has nothing new to say. */
  assert_int_equal(tlm_flush(), TLM_OK);
  assert_int_equal(tlm_shutdown(), TLM_OK);
}

static void test_recording_resumes_once_room_is_made(void **state){
  (void)state;
  const char *path = init_capped("resume.db", 65536, TLM_FULL_WAIT, 50);
  record(20000, "too_much");
  assert_int_equal(tlm_flush(), TLM_ELOST);
  /* Another connection frees the space, as a user's DELETE would; the
  ** degraded writer tries again within a second (PROBE_MS). */
  test_db_exec(path, "DELETE FROM spans");
  usleep(1100 * 1000);
  record(50, "after");
  assert_int_equal(tlm_flush(), TLM_OK);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE trace_id ="
                                     " (SELECT trace_id FROM spans WHERE name = 'after')"), 50);
  assert_int_equal(tlm_shutdown(), TLM_OK);
}

static void test_a_waiting_caller_never_hangs_on_a_full_database(void **state){
  (void)state;
  tlm_stats stats;
  /* A queue of 16 and the default "wait when full": each batch fails
  ** after retry_ms and frees the queue, so the loop below ends (over
  ** 100 batches, each waiting out its retries). */
  init_capped("wait.db", 16, TLM_FULL_WAIT, 5);
  record(16000, "waiting");
  tlm_recorder_stats(NULL, &stats);
  assert_int_equal(tlm_shutdown(), TLM_ELOST);
  assert_non_null(strstr(tlm_last_error(), "spans not stored since the last flush"));
  assert_int_equal(stats.spans_dropped, 0);
}

static void test_a_full_database_is_waited_for_once_not_per_batch(void **state){
  (void)state;
  tlm_stats stats;
  /* A queue of 64: 20,000 spans are over 300 batches.  Each used to be
  ** tried for retry_ms; now the first is, and the rest fail at once but
  ** for a probe a second.  Counted in transactions tried, not in time. */
  init_capped("once.db", 64, TLM_FULL_WAIT, 300);
  double start = test_seconds_now();
  record(20000, "flood");
  assert_int_equal(tlm_flush(), TLM_ELOST);
  double elapsed = test_seconds_now() - start;
  tlm_recorder *rec = tlm_resolve(NULL);
  tlm_recorder_stats(NULL, &stats);
  assert_true(stats.spans_failed > 0);
  assert_int_equal(stats.spans_written + stats.spans_failed, 20000);
  /* One batch waited out its retries; the others were each tried once
  ** (the degraded ones not at all), but for one probe a second. */
  assert_true(rec->batches_retried <= 1);   /* 0 where the first try alone outlasted retry_ms */
  assert_true(rec->probes <= (uint64_t)elapsed + 1);
  assert_int_equal(rec->degraded, 1);
  assert_int_equal(tlm_shutdown(), TLM_OK);
}

static void test_TRACELM_RETRY_MS_sets_the_wait(void **state){
  (void)state;
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = test_db_path("retry_env.db");
  opts.ignore_env_traceparent = 1;
  setenv("TRACELM_RETRY_MS", "1234", 1);
  assert_int_equal(tlm_init(&opts), TLM_OK);
  assert_int_equal(tlm_resolve(NULL)->retry_ms, 1234);
  assert_int_equal(tlm_shutdown(), TLM_OK);
  /* A program's own value wins over the environment. */
  opts.retry_ms = 77;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  assert_int_equal(tlm_resolve(NULL)->retry_ms, 77);
  assert_int_equal(tlm_shutdown(), TLM_OK);
  opts.retry_ms = 30000;
  setenv("TRACELM_RETRY_MS", "soon", 1);
  assert_int_equal(tlm_init(&opts), TLM_EINVAL);
  assert_string_equal(tlm_last_error(),
                      "TRACELM_RETRY_MS must be a whole number of milliseconds up to 86400000, not 'soon'");
  unsetenv("TRACELM_RETRY_MS");
}

static void test_shutdown_reports_drops_from_a_full_queue(void **state){
  (void)state;
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = test_db_path("drops.db");
  opts.ignore_env_traceparent = 1;
  opts.queue_capacity = 4;
  opts.flush_interval_ms = 60000;
  opts.on_full = TLM_FULL_DROP;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  record(2000, "dropping");
  tlm_stats stats;
  tlm_recorder_stats(NULL, &stats);
  assert_true(stats.spans_dropped > 0);
  assert_int_equal(tlm_shutdown(), TLM_ELOST);
  assert_non_null(strstr(tlm_last_error(), " dropped (the queue was full) since the last flush"));
}

static void test_flush_is_ok_when_nothing_was_lost(void **state){
  (void)state;
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = test_db_path("fine.db");
  opts.ignore_env_traceparent = 1;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  record(100, "fine");
  assert_int_equal(tlm_flush(), TLM_OK);
  assert_int_equal(tlm_shutdown(), TLM_OK);
}

/* TRACELM_LOG=stderr in a program that set no callback: one line while it
** runs, and the total at exit. */
static void test_TRACELM_LOG_stderr_says_it_once_and_at_exit(void **state){
  (void)state;
  const char *path = test_db_path("log.db");
  char log_path[4200];
  snprintf(log_path, sizeof log_path, "%s.stderr", path);
  pid_t child = fork();
  if( child == 0 ){
    int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDERR_FILENO);
    setenv("TRACELM_LOG", "stderr", 1);
    tlm_options opts;
    tlm_options_init(&opts);
    opts.db_path = path;
    opts.ignore_env_traceparent = 1;
    opts.max_db_bytes = 1024 * 1024;
    opts.retry_ms = 20;
    if( tlm_init(&opts) != TLM_OK ) _exit(2);
    record(20000, "logged");
    exit(0);   /* atexit flushes and says what was lost */
  }
  int status;
  waitpid(child, &status, 0);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  FILE *log = fopen(log_path, "r");
  char lines[4][512];
  int count = 0;
  assert_non_null(log);
  while( count < 4 && fgets(lines[count], sizeof lines[0], log) ) count++;
  fclose(log);
  assert_int_equal(count, 2);
  assert_string_equal(lines[0], "tracelm: writer: database or disk is full\n");
  assert_non_null(strstr(lines[1], "tracelm: writer: database or disk is full; "));
  assert_non_null(strstr(lines[1], " spans not stored since the last flush\n"));
}

static int shut_down(void **state){
  (void)state;
  tlm_shutdown();
  return 0;
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_flush_says_how_many_spans_a_full_database_lost, shut_down),
    cmocka_unit_test_teardown(test_recording_resumes_once_room_is_made, shut_down),
    cmocka_unit_test_teardown(test_a_waiting_caller_never_hangs_on_a_full_database, shut_down),
    cmocka_unit_test_teardown(test_a_full_database_is_waited_for_once_not_per_batch, shut_down),
    cmocka_unit_test_teardown(test_TRACELM_RETRY_MS_sets_the_wait, shut_down),
    cmocka_unit_test_teardown(test_shutdown_reports_drops_from_a_full_queue, shut_down),
    cmocka_unit_test_teardown(test_flush_is_ok_when_nothing_was_lost, shut_down),
    cmocka_unit_test_teardown(test_TRACELM_LOG_stderr_says_it_once_and_at_exit, shut_down),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
