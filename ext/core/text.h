/*
** text.h — output text of any size, and the one way numbers become text.
**
** Exports grow to hundreds of megabytes.  Zero-initialise a tlm_text;
** errors are sticky (rc), so appends need no checks.  Every export (JSON,
** CSV, HTML) writes doubles with tlm_text_double, so one value prints the
** same everywhere: the shortest text that reads back as the same double.
*/
#ifndef TLM_TEXT_H
#define TLM_TEXT_H

#include "ext.h"
#include "number.h"
#include <string.h>

typedef struct tlm_text {
  char *z;
  int64_t n, capacity;
  int rc;                   /* SQLITE_OK or SQLITE_NOMEM */
} tlm_text;
void tlm_text_reserve(tlm_text *t, int64_t more);     /* room for more bytes */
/* Inline: an export appends a dozen pieces a span, most of them literals
** whose length and copy the compiler then works out.  After an error the
** buffer may still take bytes that fit; tlm_text_finish() drops them. */
static inline void tlm_text_append(tlm_text *t, const char *bytes, int64_t n){
  if( t->n + n >= t->capacity ){
    tlm_text_reserve(t, n);
    if( t->rc ) return;
  }
  memcpy(t->z + t->n, bytes, (size_t)n);
  t->n += n;
}
static inline void tlm_text_str(tlm_text *t, const char *s){
  tlm_text_append(t, s, (int64_t)strlen(s));
}
void tlm_text_char(tlm_text *t, char c);
/* Digits written backwards, ending at end, returning where they start: a
** count of thousandths as "W.ddd" (tlm_decimal_digits: number.h). */
char *tlm_thousandths(uint64_t thousandths, char *end);
void tlm_text_int(tlm_text *t, int64_t value);
void tlm_text_micros(tlm_text *t, int64_t ns);        /* ns as "µs.nnn" */
void tlm_text_double(tlm_text *t, double value);      /* shortest exact */
void tlm_text_printf(tlm_text *t, const char *format, ...);   /* sqlite3_mprintf's formats */
/* The NUL-terminated text (sqlite3_free it) and its length, or NULL when
** out of memory.  Either way t is empty again. */
char *tlm_text_finish(tlm_text *t, int64_t *length);
void tlm_text_free(tlm_text *t);
/* Hand a finished tlm_text to SQLite as the result, without a copy. */
void tlm_text_result(tlm_text *t, sqlite3_context *ctx);

/* "12.345 ms": ns below 1 µs, then µs, ms, s with three decimals. */
void tlm_format_duration(int64_t ns, int ascii, char *buf, int size);

#endif
