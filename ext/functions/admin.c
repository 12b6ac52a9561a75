/*
** admin.c — small scalar functions around the database itself.
**
**   tracelm_init()           create or upgrade the TraceLM tables in this
**                            database; returns the schema version.  The
**                            same code the recorder runs (common/schema.c).
**   tracelm_version()        the extension's version, '0.1.0'
**   latest_trace()           the newest trace's id, NULL when there is none
**   resolve_trace(id)        the full id for 'latest', an id or a unique
**                            prefix; an error names the candidates
**   format_duration(ns [, 'ascii'])
**                            '12.345 ms': ns, µs, ms or s with 3 decimals,
**                            as every TraceLM report prints durations
*/
#include "text.h"
#include "trace_resolve.h"
#include "schema.h"
#include "tracelm/tracelm.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

static void tracelm_init_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  char *errmsg = NULL;
  (void)argc; (void)argv;
  if( tlm_schema_apply(sqlite3_context_db_handle(ctx), &errmsg) != 0 ){
    tlm_result_errorf(ctx, "tracelm_init: %s", errmsg);
    sqlite3_free(errmsg);
    return;
  }
  sqlite3_result_int(ctx, TLM_SCHEMA_VERSION);
}

static void tracelm_version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, TLM_VERSION, -1, SQLITE_STATIC);
}

static void latest_trace_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  char *errmsg = tlm_check_database(db, "latest_trace"), trace_id[33];
  int found;
  (void)argc; (void)argv;
  if( errmsg ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  found = tlm_latest_trace(db, trace_id);
  if( found < 0 ) tlm_result_errorf(ctx, "latest_trace: %s", sqlite3_errmsg(db));
  else if( found ) sqlite3_result_text(ctx, trace_id, 32, SQLITE_TRANSIENT);
}

static void resolve_trace_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  char trace_id[33], *errmsg = NULL;
  (void)argc;
  if( tlm_resolve_trace(sqlite3_context_db_handle(ctx), "resolve_trace", argv[0],
                        trace_id, &errmsg) != SQLITE_OK ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  sqlite3_result_text(ctx, trace_id, 32, SQLITE_TRANSIENT);
}

static void format_duration_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  char text[32];
  int ascii = 0;
  int type = sqlite3_value_type(argv[0]);
  if( type == SQLITE_NULL ) return;
  if( type != SQLITE_INTEGER && type != SQLITE_FLOAT ){
    sqlite3_result_error(ctx, "format_duration: ns must be a number", -1);
    return;
  }
  if( argc > 1 ){
    const char *style = (const char *)sqlite3_value_text(argv[1]);
    if( style == NULL || (strcmp(style, "ascii") && strcmp(style, "unicode")) ){
      sqlite3_result_error(ctx, "format_duration: style must be 'unicode' or 'ascii'", -1);
      return;
    }
    ascii = strcmp(style, "ascii") == 0;
  }
  tlm_format_duration(sqlite3_value_int64(argv[0]), ascii, text, sizeof text);
  sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
}

int tlm_register_admin(sqlite3 *db, tlm_ext *ext){
  const int pure = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function(db, "tracelm_init", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                   ext, tracelm_init_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "tracelm_version", 0, pure, ext,
                                                     tracelm_version_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "latest_trace", 0, SQLITE_UTF8, ext,
                                                     latest_trace_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, "resolve_trace", 1, SQLITE_UTF8, ext,
                                                     resolve_trace_func, 0, 0);
  for(int args = 1; args <= 2 && rc == SQLITE_OK; args++){
    rc = sqlite3_create_function(db, "format_duration", args, pure, ext,
                                 format_duration_func, 0, 0);
  }
  return rc;
}
