/*
** test_traceparent.c — the W3C traceparent rules, case by case from the spec.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <string.h>
#include "tracelm/tracelm.h"
#include "hexid.h"

#define TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define SPAN  "00f067aa0ba902b7"

static int parses(const char *header){
  tlm_context ctx;
  return tlm_traceparent_parse(header, &ctx) == TLM_OK;
}

static void test_traceparent_reads_the_spec_example(void **state){
  tlm_context ctx;
  char hex[33];
  (void)state;
  assert_int_equal(tlm_traceparent_parse("00-" TRACE "-" SPAN "-01", &ctx), TLM_OK);
  tlm_hex_encode(ctx.trace_id, 16, hex);
  assert_string_equal(hex, TRACE);
  tlm_hex_encode(ctx.span_id, 8, hex);
  assert_string_equal(hex, SPAN);
  assert_int_equal(ctx.flags, 1);
  assert_int_equal(tlm_traceparent_parse("00-" TRACE "-" SPAN "-00", &ctx), TLM_OK);
  assert_int_equal(ctx.flags, 0);
}

static void test_traceparent_keeps_only_the_sampled_flag(void **state){
  tlm_context ctx;
  (void)state;
  assert_int_equal(tlm_traceparent_parse("00-" TRACE "-" SPAN "-09", &ctx), TLM_OK);
  assert_int_equal(ctx.flags, 1);
  assert_int_equal(tlm_traceparent_parse("00-" TRACE "-" SPAN "-fe", &ctx), TLM_OK);
  assert_int_equal(ctx.flags, 0);
}

static void test_traceparent_accepts_higher_versions(void **state){
  (void)state;
  assert_true(parses("01-" TRACE "-" SPAN "-01"));
  assert_true(parses("cc-" TRACE "-" SPAN "-01-what-the-future-will-be-like"));
  /* Beyond version 00, extra data must be separated by '-'. */
  assert_false(parses("cc-" TRACE "-" SPAN "-01x"));
}

static void test_traceparent_rejects_version_ff(void **state){
  (void)state;
  assert_false(parses("ff-" TRACE "-" SPAN "-01"));
}

static void test_traceparent_rejects_extra_data_in_version_00(void **state){
  (void)state;
  assert_false(parses("00-" TRACE "-" SPAN "-01-extra"));
  assert_false(parses("00-" TRACE "-" SPAN "-010"));
}

static void test_traceparent_rejects_uppercase(void **state){
  (void)state;
  assert_false(parses("00-4BF92F3577B34DA6A3CE929D0E0E4736-" SPAN "-01"));
  assert_false(parses("00-" TRACE "-00F067AA0BA902B7-01"));
  assert_false(parses("0A-" TRACE "-" SPAN "-01"));
  assert_false(parses("00-" TRACE "-" SPAN "-0A"));
}

static void test_traceparent_rejects_all_zero_ids(void **state){
  (void)state;
  assert_false(parses("00-00000000000000000000000000000000-" SPAN "-01"));
  assert_false(parses("00-" TRACE "-0000000000000000-01"));
}

static void test_traceparent_rejects_wrong_lengths_and_separators(void **state){
  (void)state;
  assert_false(parses(NULL));
  assert_false(parses(""));
  assert_false(parses("00-" TRACE "-" SPAN "-1"));
  assert_false(parses("00-4bf92f3577b34da6a3ce929d0e0e473-" SPAN "-01"));
  assert_false(parses("00-" TRACE "-00f067aa0ba902b-01"));
  assert_false(parses("0-" TRACE "-" SPAN "-01"));
  assert_false(parses("00_" TRACE "-" SPAN "-01"));
  assert_false(parses("00-" TRACE "_" SPAN "-01"));
  assert_false(parses("00-" TRACE "-" SPAN "_01"));
  assert_false(parses("00-4bf92f3577b34da6a3ce929d0e0e47g6-" SPAN "-01"));
  assert_false(parses("00-" TRACE "-" SPAN "-0\x01"));
}

static void test_traceparent_ignores_surrounding_white_space(void **state){
  (void)state;
  assert_true(parses(" \t00-" TRACE "-" SPAN "-01\t "));
  assert_false(parses("00 -" TRACE "-" SPAN "-01"));
}

static void test_span_id_from_hex_reads_lowercase_only(void **state){
  uint64_t id = 1;
  (void)state;
  assert_int_equal(tlm_span_id_from_hex("00f067aa0ba902b7", &id), 0);
  assert_true(id == 0x00f067aa0ba902b7ull);
  assert_int_equal(tlm_span_id_from_hex("ffffffffffffffff", &id), 0);
  assert_true(id == UINT64_MAX);
  assert_int_equal(tlm_span_id_from_hex("00F067AA0BA902B7", &id), -1);
  assert_int_equal(tlm_span_id_from_hex("00f067aa0ba902bg", &id), -1);
  assert_int_equal(tlm_span_id_from_hex("g0f067aa0ba902b7", &id), -1);
  assert_int_equal(tlm_span_id_from_hex("00f067aa0ba902b", &id), -1);   /* the NUL */
}

static void test_traceparent_formats_what_it_parses(void **state){
  tlm_context ctx;
  char header[TLM_TRACEPARENT_LEN + 1];
  (void)state;
  assert_int_equal(tlm_traceparent_parse("00-" TRACE "-" SPAN "-01", &ctx), TLM_OK);
  tlm_traceparent_format(&ctx, header);
  assert_string_equal(header, "00-" TRACE "-" SPAN "-01");
  /* A higher version is answered in the version we speak. */
  assert_int_equal(tlm_traceparent_parse("cc-" TRACE "-" SPAN "-00-future", &ctx), TLM_OK);
  tlm_traceparent_format(&ctx, header);
  assert_string_equal(header, "00-" TRACE "-" SPAN "-00");
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_traceparent_reads_the_spec_example),
    cmocka_unit_test(test_traceparent_keeps_only_the_sampled_flag),
    cmocka_unit_test(test_traceparent_accepts_higher_versions),
    cmocka_unit_test(test_traceparent_rejects_version_ff),
    cmocka_unit_test(test_traceparent_rejects_extra_data_in_version_00),
    cmocka_unit_test(test_traceparent_rejects_uppercase),
    cmocka_unit_test(test_traceparent_rejects_all_zero_ids),
    cmocka_unit_test(test_traceparent_rejects_wrong_lengths_and_separators),
    cmocka_unit_test(test_traceparent_ignores_surrounding_white_space),
    cmocka_unit_test(test_traceparent_formats_what_it_parses),
    cmocka_unit_test(test_span_id_from_hex_reads_lowercase_only),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
