/*
** text.c — a growing text buffer for output the size of a whole trace.
**
** export_chrome(), export_otel() and export_csv() return one string that,
** for a million spans, is hundreds of megabytes.  sqlite3_str would do,
** but cannot be sized ahead (growing means copying hundreds of
** megabytes), and its printf is the slowest way to write the two
** integers every span has.  So: a plain
** buffer grown by tlm_resize(), integers written digit by digit, and
** doubles in the fewest digits that read back to the same value.
**
** Errors are sticky: after an out-of-memory every append is a no-op and
** tlm_text_finish() returns NULL, so writers need not check each call.
*/
#include "text.h"
#include "arrays.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

void tlm_text_reserve(tlm_text *t, int64_t more){
  int64_t wanted = t->n + more + 1;    /* and the terminator */
  /* Half again, not double: at hundreds of megabytes the slack is memory.
  ** A reservation bigger than that (an export's estimate of its whole
  ** size) is taken as asked: growing to it by halves overshot a 529 MB
  ** estimate to 785 MB. */
  int64_t capacity = t->capacity + t->capacity / 2;
  if( t->rc || wanted <= t->capacity ) return;
  if( capacity < wanted ) capacity = wanted;
  if( capacity < 4096 ) capacity = 4096;
  if( capacity > (int64_t)1 << 40 || tlm_resize(&t->z, capacity, 1) ){
    t->rc = SQLITE_NOMEM;
    return;
  }
  t->capacity = capacity;
}

void tlm_text_char(tlm_text *t, char c){
  if( t->n + 1 >= t->capacity ) tlm_text_reserve(t, 1);
  if( t->rc ) return;
  t->z[t->n++] = c;
}

char *tlm_thousandths(uint64_t thousandths, char *end){
  for(int i = 0; i < 3; i++){ *--end = (char)('0' + thousandths % 10); thousandths /= 10; }
  *--end = '.';
  return tlm_decimal_digits(thousandths, end);
}

void tlm_text_int(tlm_text *t, int64_t value){
  char digits[24], *at;
  uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
  at = tlm_decimal_digits(magnitude, digits + sizeof digits);
  if( value < 0 ) *--at = '-';
  tlm_text_append(t, at, digits + sizeof digits - at);
}

/* "1234.567": a nanosecond count in microseconds, every digit kept. */
void tlm_text_micros(tlm_text *t, int64_t ns){
  char text[32], *at;
  at = tlm_thousandths(ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns, text + sizeof text);
  if( ns < 0 ) *--at = '-';
  tlm_text_append(t, at, text + sizeof text - at);
}

/* The shortest of 15, 16 or 17 significant digits that reads back as the
** same double (common/number.c).  JSON has no NaN or infinity; those
** become null. */
void tlm_text_double(tlm_text *t, double value){
  char digits[TLM_DOUBLE_TEXT];
  int length = tlm_format_double(value, digits);
  if( length == 0 ) tlm_text_str(t, "null");
  else tlm_text_append(t, digits, length);
}

void tlm_text_printf(tlm_text *t, const char *format, ...){
  va_list ap;
  char *formatted;
  va_start(ap, format);
  formatted = sqlite3_vmprintf(format, ap);
  va_end(ap);
  if( formatted == NULL ){ t->rc = SQLITE_NOMEM; return; }
  tlm_text_str(t, formatted);
  sqlite3_free(formatted);
}

char *tlm_text_finish(tlm_text *t, int64_t *length){
  char *text;
  if( t->rc == SQLITE_OK ) tlm_text_reserve(t, 0);
  if( t->rc ){
    sqlite3_free(t->z);
    memset(t, 0, sizeof *t);
    return NULL;
  }
  text = t->z;
  text[t->n] = 0;
  *length = t->n;
  memset(t, 0, sizeof *t);
  return text;
}

void tlm_text_free(tlm_text *t){
  sqlite3_free(t->z);
  memset(t, 0, sizeof *t);
}

/* Integer arithmetic, rounding half up: as exact as "%.3f", and digit
** by digit, since trace_tree formats one for each of a million lines
** and snprintf showed in its profile (docs/performance.md). */
void tlm_format_duration(int64_t ns, int ascii, char *buf, int size){
  char text[48], *at = text + sizeof text;
  uint64_t magnitude = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
  uint64_t unit;
  const char *name;
  int length;
  if( magnitude < 1000 ){ unit = 0; name = "ns"; }
  else if( magnitude < 1000000 ){ unit = 1; name = ascii ? "us" : "\xc2\xb5s"; }
  else if( magnitude < 1000000000 ){ unit = 1000; name = "ms"; }
  else { unit = 1000000; name = "s"; }
  length = (int)strlen(name);
  at -= length;
  memcpy(at, name, length);
  *--at = ' ';
  at = unit ? tlm_thousandths((magnitude + unit / 2) / unit, at)
            : tlm_decimal_digits(magnitude, at);
  if( ns < 0 ) *--at = '-';
  length = (int)(text + sizeof text - at);
  if( size <= 0 ) return;
  if( length > size - 1 ) length = size - 1;
  memcpy(buf, at, length);
  buf[length] = 0;
}

void tlm_text_result(tlm_text *t, sqlite3_context *ctx){
  int64_t length;
  char *text = tlm_text_finish(t, &length);
  if( text == NULL ){ sqlite3_result_error_nomem(ctx); return; }
  if( length > INT_MAX ){
    sqlite3_free(text);
    sqlite3_result_error_toobig(ctx);
    return;
  }
  /* Length -1: SQLite then knows the text is NUL-terminated and hands it
  ** to sqlite3_column_text() as is; with the length given it would copy
  ** hundreds of megabytes to add the terminator it already has. */
  sqlite3_result_text(ctx, text, -1, sqlite3_free);
}
