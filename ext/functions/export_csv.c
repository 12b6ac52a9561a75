/*
** export_csv.c — export_csv(trace): one trace's spans as CSV (RFC 4180).
**
**   sqlite> SELECT export_csv('latest');
**   trace_id,span_id,parent_id,name,kind,start_ns,...
**
** One header row naming every column of spans (common/span_row.h), then
** one row per span in start order.  A NULL is an empty field, an empty
** string a quoted "" (libcsv quotes), so import_csv() reads back exactly
** what was written; doubles are the shortest text that reads back the
** same (core/text.c), as in every other export.
*/
#include "text.h"
#include "trace_resolve.h"
#include "span_row.h"
#include <csv.h>
SQLITE_EXTENSION_INIT3

/* A quoted field, written by libcsv straight into the buffer. */
static void append_field(tlm_text *out, const char *text, int length){
  int64_t room = (int64_t)length * 2 + 3;
  tlm_text_reserve(out, room);
  if( out->rc ) return;
  out->n += (int64_t)csv_write(out->z + out->n, (size_t)room, text, (size_t)length);
}

static void export_csv_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  sqlite3 *db = sqlite3_context_db_handle(ctx);
  char trace_id[33], *errmsg = NULL, *sql;
  sqlite3_stmt *stmt;
  tlm_text out = {0};
  int rc;
  (void)argc;
  if( tlm_resolve_trace(db, "export_csv", argv[0], trace_id, &errmsg) != SQLITE_OK ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  sql = sqlite3_mprintf("SELECT %s FROM spans WHERE trace_id = ?1 ORDER BY start_ns, span_id",
                        tlm_span_column_list);
  rc = sql ? sqlite3_prepare_v2(db, sql, -1, &stmt, 0) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if( rc != SQLITE_OK ){
    tlm_result_errorf(ctx, "export_csv: %s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
    return;
  }
  for(int c = 0; c < TLM_SPAN_COLUMN_COUNT; c++){
    if( c ) tlm_text_char(&out, ',');
    tlm_text_str(&out, tlm_span_columns[c].name);
  }
  tlm_text_append(&out, "\r\n", 2);   /* RFC 4180 line ends */
  sqlite3_bind_text(stmt, 1, trace_id, -1, SQLITE_STATIC);
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    for(int c = 0; c < TLM_SPAN_COLUMN_COUNT; c++){
      if( c ) tlm_text_char(&out, ',');
      switch( sqlite3_column_type(stmt, c) ){
        case SQLITE_NULL: break;
        case SQLITE_INTEGER: tlm_text_int(&out, sqlite3_column_int64(stmt, c)); break;
        case SQLITE_FLOAT: tlm_text_double(&out, sqlite3_column_double(stmt, c)); break;
        default:
          append_field(&out, (const char *)sqlite3_column_text(stmt, c), sqlite3_column_bytes(stmt, c));
      }
    }
    tlm_text_append(&out, "\r\n", 2);
  }
  sqlite3_finalize(stmt);
  if( rc != SQLITE_DONE ){
    tlm_text_free(&out);
    tlm_result_errorf(ctx, "export_csv: %s", sqlite3_errmsg(db));
    return;
  }
  tlm_text_result(&out, ctx);
}

int tlm_register_export_csv(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_csv", 1, SQLITE_UTF8, ext, export_csv_func, 0, 0);
}
