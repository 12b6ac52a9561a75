/*
** otlp_split.c — one big OTLP/JSON document as a series of small ones, so
** that `tracelm import` never holds a parse tree of the whole: cJSON's
** tree is about ten times the text it came from.
**
** Each piece is {"resourceSpans":[{<the resource's own members>,
** "scopeSpans":[{<the scope's own members>,"spans":[<whole spans>]}]}]},
** a valid document that import_otel stores exactly as it would the
** original (resources and scopes are stored once however many pieces
** name them).  The scan only finds where values begin and end
** (common/json_scan.h): it checks nothing else.  Anything it does not expect (another shape, broken JSON)
** stops it, and the caller imports the document whole, which says exactly
** what is wrong.
*/
#include "cli.h"
#include "../common/json_scan.h"
#include <stdlib.h>
#include <string.h>

typedef struct scan { const char *at, *end; } scan;

static void blanks(scan *s){ s->at = tlm_json_blanks(s->at, s->end); }

static int eat(scan *s, char c){
  blanks(s);
  if( s->at < s->end && *s->at == c ){ s->at++; return 1; }
  return 0;
}

static int skip_string(scan *s){
  const char *past = tlm_json_string_end(s->at, s->end);
  if( past ) s->at = past;
  return past != NULL;
}

static int skip_value(scan *s){
  const char *past = tlm_json_value_end(s->at, s->end);
  if( past ) s->at = past;
  return past != NULL;
}

int cli_json_is_whole(const char *text, size_t length){
  scan s = { text, text + length };
  blanks(&s);
  if( s.at == s.end ) return 1;
  if( !skip_value(&s) ) return 0;
  blanks(&s);
  return s.at == s.end;
}

/* A growing output text. */
typedef struct out { char *z; size_t n, capacity; int failed; } out;

static void put(out *o, const char *text, size_t n){
  if( o->failed ) return;
  if( o->n + n + 1 > o->capacity ){
    size_t wanted = (o->n + n + 1) * 2;
    char *grown = realloc(o->z, wanted);
    if( grown == NULL ){ o->failed = 1; return; }
    o->z = grown;
    o->capacity = wanted;
  }
  memcpy(o->z + o->n, text, n);
  o->n += n;
  o->z[o->n] = 0;
}
#define PUT(o, literal) put(o, literal, sizeof literal - 1)

/* The members of the object at s (its '{' next) other than `key`, as
** "k":v,... into header; the value of `key` is left in *inner.  0 when the
** object is not one. */
static int members(scan *s, const char *key, out *header, scan *inner){
  size_t key_length = strlen(key);
  inner->at = inner->end = NULL;
  if( !eat(s, '{') ) return 0;
  if( eat(s, '}') ) return 1;
  do{
    const char *name, *value;
    blanks(s);
    name = s->at;
    if( !skip_string(s) || !eat(s, ':') ) return 0;
    blanks(s);
    value = s->at;
    if( !skip_value(s) ) return 0;
    if( (size_t)(value - name) >= key_length + 2 && name[0] == '"'
     && !strncmp(name + 1, key, key_length) && name[key_length + 1] == '"' ){
      inner->at = value;
      inner->end = s->at;
    }else{
      if( header->n ) PUT(header, ",");
      put(header, name, (size_t)(s->at - name));
    }
  }while( eat(s, ',') );
  return eat(s, '}');
}

typedef struct splitter {
  size_t piece_bytes;
  cli_piece_fn fn;
  void *user;
  out piece;
  int pieces;
} splitter;

static int emit(splitter *sp, const out *resource, const out *scope, const char *spans,
                size_t length){
  out *p = &sp->piece;
  p->n = 0;
  PUT(p, "{\"resourceSpans\":[{");
  if( resource->n ) put(p, resource->z, resource->n);
  if( resource->n ) PUT(p, ",");
  PUT(p, "\"scopeSpans\":[{");
  if( scope->n ) put(p, scope->z, scope->n);
  if( scope->n ) PUT(p, ",");
  PUT(p, "\"spans\":[");
  if( length ) put(p, spans, length);
  PUT(p, "]}]}]}");
  if( p->failed ) return -1;
  sp->pieces++;
  return sp->fn(p->z, p->n, sp->user);
}

/* The spans array of one scope, in pieces of about piece_bytes. */
static int split_spans(splitter *sp, const out *resource, const out *scope, scan *spans){
  const char *first;
  if( spans->at == NULL ) return emit(sp, resource, scope, "", 0) ? -1 : 0;
  if( !eat(spans, '[') ) return -1;
  blanks(spans);
  first = spans->at;
  if( eat(spans, ']') ) return emit(sp, resource, scope, "", 0) ? -1 : 0;
  for(;;){
    const char *last_end;
    if( !skip_value(spans) ) return -1;
    last_end = spans->at;
    if( eat(spans, ',') ){
      if( (size_t)(last_end - first) < sp->piece_bytes ) continue;
      if( emit(sp, resource, scope, first, (size_t)(last_end - first)) ) return -1;
      blanks(spans);
      first = spans->at;
      continue;
    }
    if( !eat(spans, ']') ) return -1;
    return emit(sp, resource, scope, first, (size_t)(last_end - first)) ? -1 : 0;
  }
}

int cli_otlp_split(const char *text, size_t length, size_t piece_bytes, cli_piece_fn fn, void *user){
  scan doc = { text, text + length }, list;
  out top = {0}, resource = {0}, scope = {0};
  splitter sp = { piece_bytes, fn, user, {0}, 0 };
  int rc = -1;
  if( !members(&doc, "resourceSpans", &top, &list) || top.n || list.at == NULL ) goto done;
  blanks(&doc);
  if( doc.at != doc.end || !eat(&list, '[') ) goto done;
  if( eat(&list, ']') ){ rc = 1; goto done; }   /* nothing to split: import it whole */
  do{
    scan scopes, one;
    resource.n = 0;
    if( !members(&list, "scopeSpans", &resource, &scopes) || resource.failed ) goto done;
    if( scopes.at == NULL || !eat(&scopes, '[') ) goto done;   /* old or odd: whole */
    if( eat(&scopes, ']') ){
      scope.n = 0;
      if( emit(&sp, &resource, &scope, "", 0) ) goto done;
      continue;
    }
    do{
      scope.n = 0;
      if( !members(&scopes, "spans", &scope, &one) || scope.failed ) goto done;
      if( split_spans(&sp, &resource, &scope, &one) ) goto done;
    }while( eat(&scopes, ',') );
    if( !eat(&scopes, ']') ) goto done;
  }while( eat(&list, ',') );
  rc = eat(&list, ']') ? 0 : -1;
done:
  free(top.z);
  free(resource.z);
  free(scope.z);
  free(sp.piece.z);
  return rc;
}
