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

/* Each lowercase hex digit's value plus one; 0 for every other byte.  A
** table, because the extension decodes two ids per span it loads. */
static const uint8_t digit_plus_one[256] = {
  ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
  ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13,
  ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static int hex_value(char c, int allow_upper){
  int value = digit_plus_one[(unsigned char)c] - 1;
  if( value < 0 && allow_upper && c >= 'A' && c <= 'F' ) value = c - 'A' + 10;
  return value;
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

int tlm_span_id_from_hex(const char *hex, uint64_t *id){
  uint64_t value = 0;
  int bad = 0;
  /* No early exit: sixteen independent lookups the CPU overlaps. */
  for(int i = 0; i < 16; i++){
    int digit = digit_plus_one[(unsigned char)hex[i]];
    bad |= digit == 0;
    value = value << 4 | (uint64_t)((digit - 1) & 15);
  }
  *id = value;
  return bad ? -1 : 0;
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
