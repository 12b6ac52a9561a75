/*
** number.h — numbers as text, exactly (see number.c).
*/
#ifndef TLM_NUMBER_H
#define TLM_NUMBER_H
#include <stdint.h>

#define TLM_DOUBLE_TEXT 40
#define TLM_INT64_TEXT 24

/* The decimal digits of v, right-aligned at end; returns where they start. */
char *tlm_decimal_digits(uint64_t v, char *end);

/* The shortest text that reads back as value ("-0" for negative zero,
** which JSON and strtod read back as such), NUL-terminated; returns its
** length, or 0 for NaN and infinities, which have no JSON text. */
int tlm_format_double(double value, char out[TLM_DOUBLE_TEXT]);

/* The same, always with a '.' or an exponent ("2.0", not "2"), so that a
** JSON reader (SQLite's json_type(), export_otel) still sees a double:
** OTLP's doubleValue 2.0 and intValue 2 stay apart in an attrs object. */
int tlm_format_json_double(double value, char out[TLM_DOUBLE_TEXT]);

/* value in decimal, NUL-terminated; returns the length. */
int tlm_format_int64(int64_t value, char out[TLM_INT64_TEXT]);

#endif
