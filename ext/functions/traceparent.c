/*
** traceparent_sql.c — W3C traceparent headers in SQL.
**
**   traceparent(trace_id, span_id [, sampled])
**       -> '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
**   traceparent_trace_id(h), traceparent_span_id(h), traceparent_sampled(h)
**       -> the fields of a valid header, NULL for an invalid one
**
** Parsing is common/traceparent.c, the recorder's own parser: SQL and C
** agree on what a valid header is because they run the same code.
*/
#include "ext.h"
#include "hexid.h"
#include "tracelm/tracelm.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

/* Read a lowercase-hex id argument of `bytes` bytes, or report why not. */
static int id_argument(sqlite3_context *ctx, sqlite3_value *arg, const char *what,
                       uint8_t *out, int bytes){
  const char *text = (const char *)sqlite3_value_text(arg);
  if( sqlite3_value_type(arg) != SQLITE_TEXT || (int)strlen(text) != 2 * bytes
   || tlm_hex_decode(text, bytes, out, 0) || tlm_bytes_all_zero(out, bytes) ){
    tlm_result_errorf(ctx, "traceparent: %s must be %d lowercase hex digits, not all"
                      " zero; got %s%s%s", what, 2 * bytes,
                      text ? "'" : "", text ? text : "NULL", text ? "'" : "");
    return 0;
  }
  return 1;
}

static void traceparent_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_context tp;
  char header[TLM_TRACEPARENT_LEN + 1];
  if( !id_argument(ctx, argv[0], "trace_id", tp.trace_id, 16) ) return;
  if( !id_argument(ctx, argv[1], "span_id", tp.span_id, 8) ) return;
  tp.flags = 1;
  if( argc > 2 ){
    int type = sqlite3_value_type(argv[2]);
    if( type != SQLITE_INTEGER || (sqlite3_value_int64(argv[2]) & ~1LL) ){
      sqlite3_result_error(ctx, "traceparent: sampled must be 0 or 1", -1);
      return;
    }
    tp.flags = (uint8_t)sqlite3_value_int(argv[2]);
  }
  tlm_traceparent_format(&tp, header);
  sqlite3_result_text(ctx, header, TLM_TRACEPARENT_LEN, SQLITE_TRANSIENT);
}

/* NULL for NULL or an invalid header; a non-text argument is an error. */
static int parse_argument(sqlite3_context *ctx, sqlite3_value *arg, tlm_context *out){
  int type = sqlite3_value_type(arg);
  if( type == SQLITE_NULL ) return 0;
  if( type != SQLITE_TEXT ){
    tlm_result_errorf(ctx, "%s: the header must be text", (const char *)sqlite3_user_data(ctx));
    return 0;
  }
  return tlm_traceparent_parse((const char *)sqlite3_value_text(arg), out) == TLM_OK;
}

static void trace_id_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_context tp;
  char hex[33];
  (void)argc;
  if( !parse_argument(ctx, argv[0], &tp) ) return;
  tlm_hex_encode(tp.trace_id, 16, hex);
  sqlite3_result_text(ctx, hex, 32, SQLITE_TRANSIENT);
}

static void span_id_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_context tp;
  char hex[17];
  (void)argc;
  if( !parse_argument(ctx, argv[0], &tp) ) return;
  tlm_hex_encode(tp.span_id, 8, hex);
  sqlite3_result_text(ctx, hex, 16, SQLITE_TRANSIENT);
}

static void sampled_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_context tp;
  (void)argc;
  if( !parse_argument(ctx, argv[0], &tp) ) return;
  sqlite3_result_int(ctx, tp.flags & 1);
}

int tlm_register_traceparent(sqlite3 *db, tlm_ext *ext){
  const int pure = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc;
  (void)ext;
  rc = sqlite3_create_function(db, "traceparent", 2, pure, 0, traceparent_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "traceparent", 3, pure, 0,
                                                     traceparent_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "traceparent_trace_id", 1, pure,
                                                     (void *)"traceparent_trace_id", trace_id_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "traceparent_span_id", 1, pure,
                                                     (void *)"traceparent_span_id", span_id_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "traceparent_sampled", 1, pure,
                                                     (void *)"traceparent_sampled", sampled_func, 0, 0);
  return rc;
}
