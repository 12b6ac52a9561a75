/*
** fuzz_tracestate.c — the W3C tracestate grammar check, on any bytes.
*/
#include "tracelm/tracelm.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char *header = malloc(size + 1);
  if( header == NULL ) return 0;
  memcpy(header, data, size);
  header[size] = 0;
  (void)tlm_tracestate_valid(header);
  free(header);
  return 0;
}
