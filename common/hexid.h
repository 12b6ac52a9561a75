/*
** hexid.h — trace and span ids as bytes and as lowercase hex.
**
** W3C Trace Context and the spans table both spell ids in lowercase hex;
** every conversion in TraceLM goes through these two functions so that the
** rule lives in one place.
*/
#ifndef TLM_HEXID_H
#define TLM_HEXID_H
#include <stddef.h>
#include <stdint.h>

/* Write 2*n lowercase hex digits and a NUL into out. */
void tlm_hex_encode(const uint8_t *bytes, size_t n, char *out);

/* Read exactly 2*n hex digits.  Uppercase is refused unless allow_upper
** (OTLP/JSON ids are case-insensitive; traceparent's are not).
** Returns 0, or -1 on a non-hex character. */
int tlm_hex_decode(const char *hex, size_t n, uint8_t *out, int allow_upper);

/* 1 when all n bytes are zero: the W3C "invalid id". */
int tlm_bytes_all_zero(const uint8_t *bytes, size_t n);

/* Span ids travel as uint64 inside the extension's graph. */
uint64_t tlm_span_id_from_bytes(const uint8_t bytes[8]);
void tlm_span_id_to_hex(uint64_t id, char out[17]);
/* Exactly 16 lowercase hex digits (the spans table's rule) into *id;
** returns 0, or -1 on any other character. */
int tlm_span_id_from_hex(const char *hex, uint64_t *id);

#endif
