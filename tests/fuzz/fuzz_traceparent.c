/*
** fuzz_traceparent.c — the W3C traceparent parser and formatter.
** Any bytes: parse must not crash or read past the input; what parses
** formats to a version-00 header that parses back to the same context
** (flags other than sampled are not carried: W3C version 00 defines none).
*/
#include "tracelm/tracelm.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char *header = malloc(size + 1), again[TLM_TRACEPARENT_LEN + 1];
  tlm_context ctx, back;
  if( header == NULL ) return 0;
  memcpy(header, data, size);
  header[size] = 0;
  if( tlm_traceparent_parse(header, &ctx) == TLM_OK ){
    tlm_traceparent_format(&ctx, again);
    if( tlm_traceparent_parse(again, &back) != TLM_OK || memcmp(&ctx, &back, sizeof ctx) ) abort();
    if( strncmp(header, "00-", 3) == 0 && strncmp(again, header, 53) != 0 ) abort();
  }
  free(header);
  return 0;
}
