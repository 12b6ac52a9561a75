/*
** test_text.c — the text buffer's number formatting (ext/text.c).
**
** tlm_text_double() writes most values without printf; the slow path it
** replaced ("%.15g", then 16, then 17 digits, the first that strtod reads
** back exactly) is the reference here.  Every value must print the same
** text as the reference and read back as the same double: costs of the
** kind the recorder stores, random bit patterns over the whole range, and
** the edges of the fast paths.  Integers are checked against printf.
*/
#define SQLITE_CORE 1
#include "text.h"
#include <sqlite3.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "test_filter.h"

int sqlite3_tracelm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

/* The extension allocates through SQLite's api table, which loading it
** into a connection fills in. */
static sqlite3 *db;
static int open_db(void **state){
  (void)state;
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
  return sqlite3_open(":memory:", &db) != SQLITE_OK;
}
static int close_db(void **state){
  (void)state;
  return sqlite3_close(db) != SQLITE_OK;
}

static char *formatted(double value){
  static char out[64];
  tlm_text t = {0};
  int64_t length;
  char *text;
  tlm_text_double(&t, value);
  text = tlm_text_finish(&t, &length);
  assert_non_null(text);
  assert_true(length < (int64_t)sizeof out);
  memcpy(out, text, (size_t)length + 1);
  sqlite3_free(text);
  return out;
}

static void reference(double value, char out[40]){
  if( value != value || value - value != 0 ){ strcpy(out, "null"); return; }
  for(int precision = 15; precision <= 17; precision++){
    snprintf(out, 40, "%.*g", precision, value);
    if( strtod(out, NULL) == value ) return;
  }
}

static void same_as_reference(double value){
  char expected[40];
  const char *got = formatted(value);
  reference(value, expected);
  if( strcmp(got, expected) != 0 ){
    fail_msg("%.17g: got %s, expected %s", value, got, expected);
  }
  if( strcmp(got, "null") != 0 && strtod(got, NULL) != value ){
    fail_msg("%.17g: %s does not read back", value, got);
  }
}

static void test_known_values(void **state){
  (void)state;
  assert_string_equal(formatted(0.0), "0");
  assert_string_equal(formatted(-0.0), "-0");
  assert_string_equal(formatted(3.0), "3");
  assert_string_equal(formatted(0.0021), "0.0021");
  assert_string_equal(formatted(0.00017968), "0.00017968");
  assert_string_equal(formatted(-1234.5), "-1234.5");
  assert_string_equal(formatted(0.1 + 0.2), "0.30000000000000004");
  assert_string_equal(formatted(0.0001), "0.0001");
  assert_string_equal(formatted(0.00005), "5e-05");
  assert_string_equal(formatted(-0.0000123), "-1.23e-05");
  assert_string_equal(formatted(1.5e-7), "1.5e-07");
  assert_string_equal(formatted(1e15), "1e+15");
  assert_string_equal(formatted(999999999999999.0), "999999999999999");
  assert_string_equal(formatted(NAN), "null");
  assert_string_equal(formatted(INFINITY), "null");
}

static uint64_t state_bits = 0x9e3779b97f4a7c15ull;
static uint64_t next_bits(void){
  state_bits ^= state_bits << 13; state_bits ^= state_bits >> 7; state_bits ^= state_bits << 17;
  return state_bits;
}

static void test_costs(void **state){
  (void)state;
  /* Prices per token times token counts: what the cost column holds. */
  for(int i = 0; i < 200000; i++){
    double price = (double)(next_bits() % 100000) * 1e-9;
    same_as_reference(price * (double)(next_bits() % 20000));
    same_as_reference((double)(next_bits() % 1000000) * 1e-6);
  }
}

static void test_random_doubles(void **state){
  (void)state;
  for(int i = 0; i < 200000; i++){
    uint64_t bits = next_bits();
    double value;
    memcpy(&value, &bits, sizeof value);
    same_as_reference(value);
    /* Near the fast path: magnitudes from 1e-6 to 1e17. */
    same_as_reference(ldexp((double)(bits >> 11), -53) * pow(10, (double)(i % 24) - 6));
  }
}

static void test_edges(void **state){
  (void)state;
  const double edges[] = { 1e-4, nextafter(1e-4, 0), nextafter(1e-4, 1), 1e15,
    nextafter(1e15, 0), 999999999999999.9, 9007199254740992.0, 9007199254740993.0,
    0.1, 0.7, 1.0 / 3, 2.0 / 3, 123456789012345.6, 0.000123456789012345678,
    4503599627370495.5, 1e-5, 5e-324, 1.7976931348623157e308 };
  for(size_t i = 0; i < sizeof edges / sizeof edges[0]; i++){
    same_as_reference(edges[i]);
    same_as_reference(-edges[i]);
  }
}

/* Where 16 and 17 digits are worked out in integers: near every power of
** ten and of two in [1e-7, 1e15), where the exponent and the rounding
** gap change, and a million values spread evenly in magnitude. */
static void test_exact_range(void **state){
  (void)state;
  for(int k = -7; k <= 15; k++){
    double power = pow(10, k), v = power;
    for(int step = 0; step < 40; step++) v = nextafter(v, 0);
    for(int step = 0; step < 80; step++){ same_as_reference(v); v = nextafter(v, INFINITY); }
  }
  for(int e = -24; e <= 50; e++){
    double v = ldexp(1, e);
    for(int step = 0; step < 20; step++) v = nextafter(v, 0);
    for(int step = 0; step < 40; step++){ same_as_reference(v); v = nextafter(v, INFINITY); }
  }
  for(int i = 0; i < 1000000; i++){
    double unit = ldexp((double)(next_bits() >> 11), -53);       /* [0, 1) */
    same_as_reference(exp(log(1e-7) + unit * (log(1e15) - log(1e-7))));
  }
}

/* Integers against printf, and "1234.567" microseconds from nanoseconds. */
static void test_integers(void **state){
  const int64_t known[] = { 0, 1, 9, 10, 99, 100, 101, 999, 1000, -1, -10, -100,
                            INT64_MAX, INT64_MIN, 1700000000000000000LL };
  (void)state;
  for(int i = 0; i < 400000; i++){
    int64_t value = i < (int)(sizeof known / sizeof known[0]) ? known[i]
                  : (int64_t)(next_bits() >> (i % 64));
    char expected[32];
    tlm_text t = {0};
    int64_t length;
    char *text;
    snprintf(expected, sizeof expected, "%lld", (long long)value);
    tlm_text_int(&t, value);
    text = tlm_text_finish(&t, &length);
    assert_non_null(text);
    assert_string_equal(text, expected);
    assert_int_equal(length, (int64_t)strlen(expected));
    sqlite3_free(text);
  }
  {
    tlm_text t = {0};
    int64_t length;
    char *text;
    tlm_text_micros(&t, 1234567);
    tlm_text_char(&t, ' ');
    tlm_text_micros(&t, -5);
    tlm_text_char(&t, ' ');
    tlm_text_micros(&t, 1000);
    text = tlm_text_finish(&t, &length);
    assert_string_equal(text, "1234.567 -0.005 1.000");
    sqlite3_free(text);
  }
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_known_values),
    cmocka_unit_test(test_costs),
    cmocka_unit_test(test_random_doubles),
    cmocka_unit_test(test_edges),
    cmocka_unit_test(test_exact_range),
    cmocka_unit_test(test_integers),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, open_db, close_db);
}
