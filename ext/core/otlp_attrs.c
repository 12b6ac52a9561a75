/*
** otlp_attrs.c — an attrs column (a JSON object) written as OTLP/JSON
** KeyValues, exactly.
**
** Why not cJSON: it reads every number into a double, so an intValue past
** 2^53 (9007199254740993) would come back rounded, and 2.0 would come back
** as the integer 2.  Here the JSON text is walked and copied: a number
** written with a '.' or an exponent is a doubleValue, any other an
** intValue, each with its digits as stored (import_otel and the recorder
** write doubles so: common/number.c); strings and keys are copied as the
** valid JSON strings they already are; null is the empty AnyValue {}.
*/
#include "otlp_attrs.h"
#include "json_scan.h"
#include <string.h>

typedef struct walk {
  const char *at, *end;
  tlm_text *out;
  int depth;
} walk;

/* JSON nests no deeper than this here: attributes, not documents. */
#define MAX_DEPTH 64

static void skip_blanks(walk *w){ w->at = tlm_json_blanks(w->at, w->end); }

/* Copy the JSON string at w->at, quotes included; 0 when malformed. */
static int copy_string(walk *w){
  const char *past = tlm_json_string_end(w->at, w->end);
  if( past == NULL ) return 0;
  tlm_text_append(w->out, w->at, past - w->at);
  w->at = past;
  return 1;
}

static int any_value(walk *w);

static int key_values(walk *w){
  int first = 1;
  w->at++;                                   /* { */
  skip_blanks(w);
  if( *w->at == '}' ){ w->at++; return 1; }
  for(;;){
    skip_blanks(w);
    if( !first ) tlm_text_char(w->out, ',');
    first = 0;
    tlm_text_str(w->out, "{\"key\":");
    if( !copy_string(w) ) return 0;
    skip_blanks(w);
    if( *w->at++ != ':' ) return 0;
    tlm_text_str(w->out, ",\"value\":");
    if( !any_value(w) ) return 0;
    tlm_text_char(w->out, '}');
    skip_blanks(w);
    if( *w->at == '}' ){ w->at++; return 1; }
    if( *w->at++ != ',' ) return 0;
  }
}

static int number(walk *w){
  const char *start = w->at;
  int is_double = 0;
  if( *w->at == '-' ) w->at++;
  if( !(*w->at >= '0' && *w->at <= '9') ) return 0;
  while( (*w->at >= '0' && *w->at <= '9') || *w->at == '.' || *w->at == 'e' || *w->at == 'E'
         || *w->at == '+' || *w->at == '-' ){
    if( *w->at == '.' || *w->at == 'e' || *w->at == 'E' ) is_double = 1;
    w->at++;
  }
  tlm_text_str(w->out, is_double ? "{\"doubleValue\":" : "{\"intValue\":\"");
  tlm_text_append(w->out, start, w->at - start);
  tlm_text_str(w->out, is_double ? "}" : "\"}");
  return 1;
}

static int any_value(walk *w){
  int ok = 1;
  skip_blanks(w);
  if( ++w->depth > MAX_DEPTH ) return 0;
  switch( *w->at ){
    case '"':
      tlm_text_str(w->out, "{\"stringValue\":");
      ok = copy_string(w);
      tlm_text_char(w->out, '}');
      break;
    case 't': case 'f': case 'n': {
      const char *word = *w->at == 't' ? "true" : *w->at == 'f' ? "false" : "null";
      size_t n = strlen(word);
      if( strncmp(w->at, word, n) ) return 0;
      w->at += n;
      if( word[0] == 'n' ) tlm_text_str(w->out, "{}");
      else tlm_text_str(w->out, word[0] == 't' ? "{\"boolValue\":true}" : "{\"boolValue\":false}");
      break;
    }
    case '[': {
      int first = 1;
      w->at++;
      tlm_text_str(w->out, "{\"arrayValue\":{\"values\":[");
      skip_blanks(w);
      if( *w->at == ']' ){
        w->at++;
      }else{
        for(;;){
          if( !first ) tlm_text_char(w->out, ',');
          first = 0;
          if( !any_value(w) ) return 0;
          skip_blanks(w);
          if( *w->at == ']' ){ w->at++; break; }
          if( *w->at++ != ',' ) return 0;
        }
      }
      tlm_text_str(w->out, "]}}");
      break;
    }
    case '{':
      tlm_text_str(w->out, "{\"kvlistValue\":{\"values\":[");
      ok = key_values(w);
      tlm_text_str(w->out, "]}}");
      break;
    default:
      ok = number(w);
  }
  w->depth--;
  return ok;
}

int tlm_otlp_attrs(tlm_text *out, const char *attrs, int first){
  walk w = { attrs, attrs + strlen(attrs), out, 0 };
  int64_t mark = out->n;
  skip_blanks(&w);
  if( *w.at != '{' ) return -1;
  if( !first ) tlm_text_char(out, ',');
  int64_t inner = out->n;
  if( key_values(&w) ){
    skip_blanks(&w);
    if( *w.at == 0 ){
      /* An empty object wrote only the separator. */
      if( out->n == inner ) out->n = mark;
      return out->n > mark ? 1 : 0;
    }
  }
  out->n = mark;   /* not a JSON object: nothing of it */
  return -1;
}
