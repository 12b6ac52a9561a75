/*
** hexid.c — lowercase hex encoding of ids (see hexid.h).
*/
#include "hexid.h"

static const char hex_digits[] = "0123456789abcdef";

void tlm_hex_encode(const uint8_t *bytes, size_t n, char *out){
  for(size_t i = 0; i < n; i++){
    out[2*i]   = hex_digits[bytes[i] >> 4];
    out[2*i+1] = hex_digits[bytes[i] & 15];
  }
  out[2*n] = 0;
}

static int hex_value(char c, int allow_upper){
  if( c >= '0' && c <= '9' ) return c - '0';
  if( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
  if( allow_upper && c >= 'A' && c <= 'F' ) return c - 'A' + 10;
  return -1;
}

int tlm_hex_decode(const char *hex, size_t n, uint8_t *out, int allow_upper){
  for(size_t i = 0; i < n; i++){
    int hi = hex_value(hex[2*i], allow_upper);
    int lo = hi < 0 ? -1 : hex_value(hex[2*i+1], allow_upper);
    if( lo < 0 ) return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int tlm_bytes_all_zero(const uint8_t *bytes, size_t n){
  for(size_t i = 0; i < n; i++) if( bytes[i] ) return 0;
  return 1;
}

uint64_t tlm_span_id_from_bytes(const uint8_t bytes[8]){
  uint64_t id = 0;
  for(int i = 0; i < 8; i++) id = id << 8 | bytes[i];
  return id;
}

void tlm_span_id_to_hex(uint64_t id, char out[17]){
  for(int i = 15; i >= 0; i--){ out[i] = hex_digits[id & 15]; id >>= 4; }
  out[16] = 0;
}
