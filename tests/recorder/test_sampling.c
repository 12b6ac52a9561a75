/*
** test_sampling.c — head sampling: decided once per trace from its id,
** inherited from a remote parent, and an unsampled trace writes nothing but
** still propagates its context.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <string.h>
#include "internal.h"
#include "test_db.h"

#define TRACES 20000

static const char *record_traces(const char *name, double rate, int traces){
  tlm_options opts;
  tlm_options_init(&opts);
  const char *path = opts.db_path = test_db_path(name);
  opts.sample_rate = rate;
  opts.ignore_env_traceparent = 1;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  for(int i = 0; i < traces; i++){
    tlm_span *root = tlm_span_begin("root");
    tlm_span_end(tlm_span_begin("child"));
    tlm_span_end(root);
  }
  tlm_shutdown();
  return path;
}

static void test_sampling_rate_zero_writes_nothing(void **state){
  (void)state;
  const char *path = record_traces("zero.db", 0.0, 1000);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 0);
}

static void test_sampling_rate_one_writes_everything(void **state){
  (void)state;
  const char *path = record_traces("one.db", 1.0, 1000);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 2000);
}

static void test_sampling_rate_quarter_keeps_a_quarter_of_traces(void **state){
  (void)state;
  const char *path = record_traces("quarter.db", 0.25, TRACES);
  int64_t kept = test_db_int(path, "SELECT count(*) FROM traces");
  /* Binomial sd at n=20000, p=0.25 is 61 traces; 0.02 is over 6 sd. */
  assert_in_range(kept, (int64_t)(TRACES * 0.23), (int64_t)(TRACES * 0.27));
  /* Whole traces are kept: never a root without its child. */
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM traces WHERE span_count <> 2"), 0);
}

static void test_sampling_decision_depends_only_on_the_trace_id(void **state){
  uint8_t id[16] = {0};
  (void)state;
  uint64_t half = tlm_sample_bound(0.5);
  id[8] = 0x3f;                          /* low 63 bits well under half */
  assert_true(tlm_trace_is_sampled(id, half));
  id[8] = 0x7f;                          /* well over half */
  assert_false(tlm_trace_is_sampled(id, half));
  id[8] = 0xbf;                          /* the top bit is ignored */
  assert_true(tlm_trace_is_sampled(id, half));
  assert_false(tlm_trace_is_sampled(id, tlm_sample_bound(0.0)));
  assert_true(tlm_trace_is_sampled(id, tlm_sample_bound(1.0)));
}

static void test_sampling_inherits_the_remote_flag(void **state){
  tlm_options opts;
  char header[TLM_TRACEPARENT_LEN + 1];
  (void)state;
  tlm_options_init(&opts);
  const char *path = opts.db_path = test_db_path("inherit.db");
  opts.sample_rate = 0.0;                /* would drop every new trace */
  assert_int_equal(tlm_init(&opts), TLM_OK);
  tlm_span *kept = tlm_span_begin_remote(NULL,
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "kept");
  assert_true(tlm_span_is_sampled(kept));
  tlm_span_end(tlm_span_begin("child_of_kept"));
  tlm_span_end(kept);
  tlm_shutdown();

  opts.sample_rate = 1.0;                /* would keep every new trace */
  assert_int_equal(tlm_init(&opts), TLM_OK);
  tlm_span *dropped = tlm_span_begin_remote(NULL,
      "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "dropped");
  tlm_span *child = tlm_span_begin("child_of_dropped");
  assert_false(tlm_span_is_sampled(child));
  /* Not recorded, yet its context still travels, marked not sampled. */
  assert_int_equal(tlm_span_traceparent(child, header), TLM_OK);
  assert_memory_equal(header, "00-5bf92f3577b34da6a3ce929d0e0e4736-", 36);
  assert_string_equal(header + 52, "-00");
  tlm_span_end(child);
  tlm_span_end(dropped);
  tlm_shutdown();

  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 2);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE trace_id ="
                   " '4bf92f3577b34da6a3ce929d0e0e4736'"), 2);
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sampling_rate_zero_writes_nothing),
    cmocka_unit_test(test_sampling_rate_one_writes_everything),
    cmocka_unit_test(test_sampling_rate_quarter_keeps_a_quarter_of_traces),
    cmocka_unit_test(test_sampling_decision_depends_only_on_the_trace_id),
    cmocka_unit_test(test_sampling_inherits_the_remote_flag),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
