/*
** json_scan.h — where a JSON value ends, found by its quotes and brackets
** alone, without building it.
**
** Two places walk JSON text that something else will check: the OTLP
** attribute writer copies stored attrs verbatim (ext/core/otlp_attrs.c),
** and `tracelm import` cuts a big document into pieces of whole spans
** (cli/otlp_split.c).  Each function takes the text's end and returns a
** pointer past what it skipped, or NULL when the text is not that.
*/
#ifndef TLM_JSON_SCAN_H
#define TLM_JSON_SCAN_H
#include <string.h>

static inline const char *tlm_json_blanks(const char *at, const char *end){
  while( at < end && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r') ) at++;
  return at;
}

/* Past the string that starts at at (its opening quote), escapes kept. */
static inline const char *tlm_json_string_end(const char *at, const char *end){
  if( at >= end || *at != '"' ) return NULL;
  for(at++; at < end; at++){
    if( (unsigned char)*at < 0x20 ) return NULL;      /* raw control characters: not JSON */
    if( *at == '\\' ){ if( ++at >= end ) return NULL; continue; }
    if( *at == '"' ) return at + 1;
  }
  return NULL;
}

/* Past one value (after blanks): a string, an object or array by its
** depth, or a scalar up to the next delimiter. */
static inline const char *tlm_json_value_end(const char *at, const char *end){
  int depth = 0;
  at = tlm_json_blanks(at, end);
  if( at >= end ) return NULL;
  if( *at == '"' ) return tlm_json_string_end(at, end);
  if( *at != '{' && *at != '[' ){
    const char *start = at;
    while( at < end && !strchr(",}] \t\r\n", *at) ) at++;
    return at > start ? at : NULL;
  }
  while( at < end ){
    if( *at == '"' ){
      if( (at = tlm_json_string_end(at, end)) == NULL ) return NULL;
      continue;
    }
    if( *at == '{' || *at == '[' ) depth++;
    if( (*at == '}' || *at == ']') && --depth == 0 ) return at + 1;
    at++;
  }
  return NULL;
}

#endif
