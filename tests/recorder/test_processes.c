/*
** test_processes.c — fork() and several processes on one database.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tracelm/tracelm.h"
#include "test_db.h"

static int wait_for(pid_t pid){
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if( WIFSIGNALED(status) ) fail_msg("child killed by signal %d", WTERMSIG(status));
  return WEXITSTATUS(status);
}

static void test_fork_child_writes_its_own_spans_once(void **state){
  tlm_options opts;
  char root_id[17], sql[256];
  (void)state;
#if defined(__SANITIZE_ADDRESS__)
  /* GCC 12's AddressSanitizer allocator has no fork handlers: a child of a
  ** process with a second thread can inherit one of its locks held and hang
  ** in malloc (seen under load, in the child's own new thread).  The plain
  ** build runs this test; a sanitized one cannot run it reliably. */
  print_message("skipped under AddressSanitizer: its allocator is not fork-safe in GCC 12\n");
  skip();
#endif
  tlm_options_init(&opts);
  const char *path = opts.db_path = test_db_path("fork.db");
  opts.flush_interval_ms = 10000;        /* keep the parent's spans queued */
  opts.ignore_env_traceparent = 1;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  tlm_span *root = tlm_span_begin("root");
  tlm_span_id(root, root_id);
  for(int i = 0; i < 100; i++) tlm_span_end(tlm_span_begin("before_fork"));

  pid_t pid = fork();
  if( pid == 0 ){
    tlm_stats stats;
    alarm(20);                           /* a deadlock fails the test */
    tlm_span *work = tlm_span_begin("child_root");
    for(int i = 0; i < 50; i++) tlm_span_end(tlm_span_begin("child_step"));
    tlm_span_end(work);
    tlm_flush();
    tlm_recorder_stats(NULL, &stats);
    /* The parent's 100 queued spans are not the child's to write. */
    _exit(stats.spans_written == 51 && stats.spans_failed == 0 ? 0 : 1);
  }
  assert_int_equal(wait_for(pid), 0);
  tlm_span_end(root);
  tlm_shutdown();
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 152);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM spans WHERE name = 'child_root'"
           " AND parent_id = '%s'", root_id);
  assert_int_equal(test_db_int(path, sql), 1);
  assert_int_equal(test_db_int(path, "SELECT count(DISTINCT trace_id) FROM spans"), 1);
}

#define WRITERS 3
#define SPANS_EACH 5000

static void test_processes_share_one_database(void **state){
  pid_t pids[WRITERS];
  (void)state;
  const char *path = test_db_path("shared.db");
  for(int p = 0; p < WRITERS; p++){
    pids[p] = fork();
    if( pids[p] == 0 ){
      tlm_options opts;
      alarm(60);
      tlm_options_init(&opts);
      opts.db_path = path;
      opts.queue_capacity = 256;         /* many small transactions collide */
      opts.ignore_env_traceparent = 1;
      if( tlm_init(&opts) != TLM_OK ){
        fprintf(stderr, "writer %d: %s\n", p, tlm_last_error());
        _exit(2);
      }
      for(int i = 0; i < SPANS_EACH; i++) tlm_span_end(tlm_span_begin("w"));
      tlm_stats stats;
      tlm_flush();
      tlm_recorder_stats(NULL, &stats);
      tlm_shutdown();
      _exit(stats.spans_written == SPANS_EACH ? 0 : 1);
    }
  }
  for(int p = 0; p < WRITERS; p++) assert_int_equal(wait_for(pids[p]), 0);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), WRITERS * SPANS_EACH);
}

/* A failed test must not leave the recorder running for the next one. */
static int shut_down(void **state){
  (void)state;
  tlm_shutdown();
  return 0;
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(test_fork_child_writes_its_own_spans_once, shut_down),
    cmocka_unit_test_teardown(test_processes_share_one_database, shut_down),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
