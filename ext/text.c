/*
** text.c — a growing text buffer for output the size of a whole trace.
**
** export_chrome(), export_otel() and export_csv() return one string that,
** for a million spans, is hundreds of megabytes.  sqlite3_str would do,
** but cannot be sized ahead or put on huge pages (arrays.c says why that
** matters: 1.5 s of page faults for a 445 MB export), and its printf is
** the slowest way to write the two integers every span has.  So: a plain
** buffer grown by tlm_resize(), integers written digit by digit, and
** doubles in the fewest digits that read back to the same value.
**
** Errors are sticky: after an out-of-memory every append is a no-op and
** tlm_text_finish() returns NULL, so writers need not check each call.
*/
#include "tracelm_ext.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

void tlm_text_reserve(tlm_text *t, int64_t more){
  int64_t wanted = t->n + more + 1;    /* and the terminator */
  int64_t capacity = t->capacity ? t->capacity : 4096;
  if( t->rc || wanted <= t->capacity ) return;
  /* Half again, not double: at hundreds of megabytes the slack is memory. */
  while( capacity < wanted ) capacity += capacity / 2;
  if( capacity > (int64_t)1 << 40 || tlm_resize(&t->z, capacity, 1) ){
    t->rc = SQLITE_NOMEM;
    return;
  }
  t->capacity = capacity;
}

void tlm_text_append(tlm_text *t, const char *bytes, int64_t n){
  if( t->n + n >= t->capacity ) tlm_text_reserve(t, n);
  if( t->rc ) return;
  memcpy(t->z + t->n, bytes, (size_t)n);
  t->n += n;
}

void tlm_text_str(tlm_text *t, const char *s){
  tlm_text_append(t, s, (int64_t)strlen(s));
}

void tlm_text_char(tlm_text *t, char c){
  if( t->n + 1 >= t->capacity ) tlm_text_reserve(t, 1);
  if( t->rc ) return;
  t->z[t->n++] = c;
}

void tlm_text_int(tlm_text *t, int64_t value){
  char digits[24];
  int at = sizeof digits;
  uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
  do{ digits[--at] = (char)('0' + magnitude % 10); magnitude /= 10; }while( magnitude );
  if( value < 0 ) digits[--at] = '-';
  tlm_text_append(t, digits + at, (int64_t)sizeof digits - at);
}

/* "1234.567": a nanosecond count in microseconds, every digit kept. */
void tlm_text_micros(tlm_text *t, int64_t ns){
  uint64_t magnitude = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
  char fraction[4] = { '.', (char)('0' + magnitude / 100 % 10),
                       (char)('0' + magnitude / 10 % 10), (char)('0' + magnitude % 10) };
  if( ns < 0 ) tlm_text_char(t, '-');
  tlm_text_int(t, (int64_t)(magnitude / 1000));
  tlm_text_append(t, fraction, 4);
}

/* The shortest of 15, 16 or 17 significant digits that reads back as the
** same double: 0.0021, not 0.0020999999999999999.  JSON has no NaN or
** infinity; those become null. */
void tlm_text_double(tlm_text *t, double value){
  char digits[40];
  if( value != value || value - value != 0 ){ tlm_text_str(t, "null"); return; }
  for(int precision = 15; precision <= 17; precision++){
    snprintf(digits, sizeof digits, "%.*g", precision, value);
    if( strtod(digits, NULL) == value ) break;
  }
  tlm_text_str(t, digits);
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
