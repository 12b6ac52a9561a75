/*
** test_propagation.c — tracestate rules, and inject/extract through header
** callbacks, as an HTTP integration uses them.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "tracelm/tracelm.h"
#include "test_db.h"

/* ----------------------------------------------------------- tracestate */

static void test_tracestate_accepts_the_spec_examples(void **state){
  (void)state;
  assert_true(tlm_tracestate_valid("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
  assert_true(tlm_tracestate_valid("congo=t61rcWkgMzE"));
  assert_true(tlm_tracestate_valid("fw529a3039@dt=d7f1d,vendor_1/x*-y=a b c"));
  assert_true(tlm_tracestate_valid(" a=1 ,\tb=2 "));
  assert_true(tlm_tracestate_valid("a=1,,b=2"));            /* empty members are allowed */
  assert_true(tlm_tracestate_valid(""));
}

static void test_tracestate_rejects_bad_keys_values_and_counts(void **state){
  char many[32 * 8 + 16] = "";
  (void)state;
  assert_false(tlm_tracestate_valid(NULL));
  assert_false(tlm_tracestate_valid("Rojo=1"));             /* uppercase key */
  assert_false(tlm_tracestate_valid("1rojo=1"));            /* a simple key starts with a letter */
  assert_false(tlm_tracestate_valid("rojo"));               /* no '=' */
  assert_false(tlm_tracestate_valid("rojo="));              /* empty value */
  assert_false(tlm_tracestate_valid("rojo=a\x01b"));        /* a control character */
  assert_false(tlm_tracestate_valid("rojo=a=b"));           /* '=' in a value */
  assert_false(tlm_tracestate_valid("rojo=1,rojo=2"));      /* duplicate key */
  assert_false(tlm_tracestate_valid("t@ABC=1"));            /* system id uppercase */
  assert_false(tlm_tracestate_valid("t@abcdefghijklmno=1"));/* system id over 14 */
  for(int i = 0; i < 33; i++) sprintf(many + strlen(many), "%sk%d=v", i ? "," : "", i);
  assert_false(tlm_tracestate_valid(many));                 /* 33 members */
  *strrchr(many, ',') = 0;
  assert_true(tlm_tracestate_valid(many));                  /* 32 are fine */
}

/* ------------------------------------------------- inject and extract */

typedef struct headers { int count; char name[4][32], value[4][600]; } headers;

static const char *get_header(void *carrier, const char *name){
  headers *h = carrier;
  for(int i = 0; i < h->count; i++) if( !strcasecmp(h->name[i], name) ) return h->value[i];
  return NULL;
}

static void set_header(void *carrier, const char *name, const char *value){
  headers *h = carrier;
  snprintf(h->name[h->count], sizeof h->name[0], "%s", name);
  snprintf(h->value[h->count], sizeof h->value[0], "%s", value);
  h->count++;
}

static const char *start(const char *name){
  tlm_options opts;
  tlm_options_init(&opts);
  const char *path = opts.db_path = test_db_path(name);
  opts.ignore_env_traceparent = 1;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  return path;
}

static void test_extract_continues_the_callers_trace_and_state(void **state){
  headers in = { 2, { "TraceParent", "tracestate" },
    { "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=00f067aa0ba902b7" } };
  headers out = {0};
  char parent[17];
  (void)state;
  const char *path = start("extract.db");
  tlm_span *server = tlm_span_begin_extract(NULL, "GET /answer", get_header, &in);
  tlm_span *inner = tlm_span_begin("work");
  assert_int_equal(tlm_inject(NULL, set_header, &out), TLM_OK);   /* the current span */
  tlm_span_end(inner);
  tlm_span_end(server);
  tlm_shutdown();
  assert_int_equal(out.count, 2);
  assert_string_equal(out.name[0], "traceparent");
  assert_memory_equal(out.value[0], "00-4bf92f3577b34da6a3ce929d0e0e4736-", 36);
  assert_string_equal(out.value[0] + 52, "-01");
  assert_string_equal(out.name[1], "tracestate");
  assert_string_equal(out.value[1], "rojo=00f067aa0ba902b7");   /* carried unchanged */
  test_db_text(path, "SELECT parent_id || ' ' || kind FROM spans WHERE name = 'GET /answer'",
               parent, sizeof parent);
  assert_string_equal(parent, "00f067aa0ba902b7");
  assert_string_equal(tlm_last_error(), tlm_last_error());
  char kind[32];
  test_db_text(path, "SELECT kind FROM spans WHERE name = 'GET /answer'", kind, sizeof kind);
  assert_string_equal(kind, "server");
}

static void test_extract_starts_a_new_trace_for_a_bad_header(void **state){
  headers in = { 2, { "traceparent", "tracestate" },
    { "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "rojo=1" } };
  headers out = {0};
  (void)state;
  const char *path = start("fresh.db");
  tlm_span *server = tlm_span_begin_extract(NULL, "GET /", get_header, &in);
  tlm_inject(server, set_header, &out);
  tlm_span_end(server);
  tlm_shutdown();
  /* A new trace, and tracestate is not read when traceparent is invalid. */
  assert_int_equal(out.count, 1);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE parent_id IS NULL"
                   " AND trace_id <> '4bf92f3577b34da6a3ce929d0e0e4736'"), 1);
}

static void test_extract_drops_an_invalid_tracestate(void **state){
  headers in = { 2, { "traceparent", "tracestate" },
    { "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=1,rojo=2" } };
  headers out = {0};
  (void)state;
  start("badstate.db");
  tlm_span *server = tlm_span_begin_extract(NULL, "GET /", get_header, &in);
  assert_null(tlm_span_tracestate(server));
  tlm_inject(server, set_header, &out);
  tlm_span_end(server);
  tlm_shutdown();
  assert_int_equal(out.count, 1);
}

static void test_unsampled_request_writes_nothing_but_propagates_00(void **state){
  headers in = { 1, { "traceparent" }, { "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00" } };
  headers out = {0};
  (void)state;
  const char *path = start("unsampled.db");
  tlm_span *server = tlm_span_begin_extract(NULL, "GET /", get_header, &in);
  tlm_inject(server, set_header, &out);
  tlm_span_end(server);
  tlm_shutdown();
  assert_string_equal(out.value[0] + 52, "-00");
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans"), 0);
}

static void test_inject_without_a_span_is_an_error(void **state){
  headers out = {0};
  (void)state;
  assert_int_equal(tlm_inject(NULL, set_header, &out), TLM_EINVAL);
  assert_int_equal(out.count, 0);
}

static int shut_down(void **state){ (void)state; tlm_shutdown(); return 0; }

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tracestate_accepts_the_spec_examples),
    cmocka_unit_test(test_tracestate_rejects_bad_keys_values_and_counts),
    cmocka_unit_test_teardown(test_extract_continues_the_callers_trace_and_state, shut_down),
    cmocka_unit_test_teardown(test_extract_starts_a_new_trace_for_a_bad_header, shut_down),
    cmocka_unit_test_teardown(test_extract_drops_an_invalid_tracestate, shut_down),
    cmocka_unit_test_teardown(test_unsampled_request_writes_nothing_but_propagates_00, shut_down),
    cmocka_unit_test(test_inject_without_a_span_is_an_error),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
