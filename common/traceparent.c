/*
** traceparent.c — the W3C Trace Context `traceparent` header.
**
**   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
**   version-trace_id-parent_id-flags
**
** The one parser in TraceLM: the recorder uses it for $TRACEPARENT and
** incoming requests, the extension for traceparent_*() in SQL.
** Rules from the spec (https://www.w3.org/TR/trace-context/#traceparent-header):
**  - every field is lowercase hex of fixed length; anything else is invalid;
**  - version ff is invalid; version 00 must be exactly 55 characters;
**  - a higher version may carry more fields: the first four are read as for
**    00 and what follows must begin with '-' (forward compatibility);
**  - an all-zero trace id or parent id is invalid;
**  - flags other than bit 0 are ignored on read and never written.
*/
#include "tracelm/tracelm.h"
#include "hexid.h"
#include <string.h>

static int is_http_ows(char c){ return c == ' ' || c == '\t'; }

int tlm_traceparent_parse(const char *header, tlm_context *out){
  uint8_t version;
  size_t len;
  if( header == NULL || out == NULL ) return TLM_EINVAL;
  while( is_http_ows(*header) ) header++;
  len = strlen(header);
  while( len > 0 && is_http_ows(header[len-1]) ) len--;
  if( len < TLM_TRACEPARENT_LEN ) return TLM_EINVAL;
  if( tlm_hex_decode(header, 1, &version, 0) ) return TLM_EINVAL;
  if( version == 0xff ) return TLM_EINVAL;
  if( version == 0x00 && len != TLM_TRACEPARENT_LEN ) return TLM_EINVAL;
  if( len > TLM_TRACEPARENT_LEN && header[TLM_TRACEPARENT_LEN] != '-' ){
    return TLM_EINVAL;
  }
  if( header[2] != '-' || header[35] != '-' || header[52] != '-' ){
    return TLM_EINVAL;
  }
  if( tlm_hex_decode(header + 3, 16, out->trace_id, 0)
   || tlm_hex_decode(header + 36, 8, out->span_id, 0)
   || tlm_hex_decode(header + 53, 1, &out->flags, 0) ){
    return TLM_EINVAL;
  }
  if( tlm_bytes_all_zero(out->trace_id, 16) || tlm_bytes_all_zero(out->span_id, 8) ){
    return TLM_EINVAL;
  }
  out->flags &= 0x01;
  return TLM_OK;
}

void tlm_traceparent_format(const tlm_context *ctx, char out[TLM_TRACEPARENT_LEN + 1]){
  uint8_t flags = ctx->flags & 0x01;
  memcpy(out, "00-", 3);
  tlm_hex_encode(ctx->trace_id, 16, out + 3);
  out[35] = '-';
  tlm_hex_encode(ctx->span_id, 8, out + 36);
  out[52] = '-';
  tlm_hex_encode(&flags, 1, out + 53);
}
