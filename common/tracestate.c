/*
** tracestate.c — the W3C `tracestate` header: vendor entries that travel
** with traceparent.  TraceLM adds none of its own; it passes a valid
** header on unchanged and drops an invalid one, as the spec asks
** (https://www.w3.org/TR/trace-context/#tracestate-header):
**
**   list   = member *( OWS "," OWS member ), at most 32 members, keys unique;
**            empty members (",,") are allowed and ignored
**   member = key "=" value
**   key    = lcalpha 0*255( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
**          / tenant "@" system: (lcalpha / DIGIT) 0*240(...) "@" lcalpha 0*13(...)
**   value  = 0*255( %x20-2B / %x2D-3C / %x3E-7E ) ending in a non-space
*/
#include "tracelm/tracelm.h"
#include <string.h>

#define MAX_MEMBERS 32

static int key_char(char c){
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
      || c == '*' || c == '/';
}

static int valid_key(const char *key, size_t length){
  const char *at = memchr(key, '@', length);
  if( at == NULL ){
    if( length < 1 || length > 256 || !(key[0] >= 'a' && key[0] <= 'z') ) return 0;
    for(size_t i = 1; i < length; i++) if( !key_char(key[i]) ) return 0;
    return 1;
  }
  size_t tenant = (size_t)(at - key), system = length - tenant - 1;
  if( tenant < 1 || tenant > 241 || system < 1 || system > 14 ) return 0;
  if( !((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= '0' && key[0] <= '9')) ) return 0;
  for(size_t i = 1; i < tenant; i++) if( !key_char(key[i]) ) return 0;
  if( !(at[1] >= 'a' && at[1] <= 'z') ) return 0;
  for(size_t i = 2; i <= system; i++) if( !key_char(at[i]) ) return 0;
  return 1;
}

static int valid_value(const char *value, size_t length){
  if( length < 1 || length > 256 || value[length - 1] == ' ' ) return 0;
  for(size_t i = 0; i < length; i++){
    unsigned char c = (unsigned char)value[i];
    if( c < 0x20 || c > 0x7e || c == ',' || c == '=' ) return 0;
  }
  return 1;
}

int tlm_tracestate_valid(const char *header){
  struct { const char *key; size_t length; } keys[MAX_MEMBERS];
  int members = 0;
  if( header == NULL ) return 0;
  for(const char *p = header;;){
    const char *end = strchr(p, ',');
    size_t length = end ? (size_t)(end - p) : strlen(p);
    while( length > 0 && (*p == ' ' || *p == '\t') ){ p++; length--; }
    while( length > 0 && (p[length - 1] == ' ' || p[length - 1] == '\t') ) length--;
    if( length > 0 ){
      const char *equals = memchr(p, '=', length);
      if( equals == NULL || members == MAX_MEMBERS ) return 0;
      size_t key_length = (size_t)(equals - p);
      if( !valid_key(p, key_length) || !valid_value(equals + 1, length - key_length - 1) ) return 0;
      for(int k = 0; k < members; k++){
        if( keys[k].length == key_length && memcmp(keys[k].key, p, key_length) == 0 ) return 0;
      }
      keys[members].key = p;
      keys[members].length = key_length;
      members++;
    }
    if( end == NULL ) break;
    p = end + 1;
  }
  return 1;
}
