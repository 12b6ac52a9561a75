/*
** row_scan.c — a trace's rows handed to C as one statement step.
**
** Loading a 1M-span graph read 18 columns per row through
** sqlite3_column_*(): 21 API calls a row, each taking the connection's
** mutex and checking for malloc failure on the way out, which was most of
** the load (docs/performance.md, "Issue 16, fourth session").  Here the
** query itself calls a C function once per row with every column as an
** argument, and sqlite3_value_*() reads them directly:
**
**   SELECT count(tracelm_scan_row(?2, rowid, span_id, parent_id, ...))
**     FROM spans WHERE trace_id = ?1
**
** One sqlite3_step() runs the whole scan.  ?2 is a pointer bound with
** sqlite3_bind_pointer(), which SQL cannot forge: called from anywhere
** else, tracelm_scan_row() finds no scan and says so.  The function is
** also SQLITE_DIRECTONLY, so a view or trigger in a database file cannot
** name it at all.
*/
#include "row_scan.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

#define POINTER_TYPE "tracelm_row_scan"

typedef struct row_scan {
  tlm_row_fn each;
  void *arg;
  int rc;                   /* the first code each() returned */
} row_scan;

static void scan_row_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  row_scan *scan = sqlite3_value_pointer(argv[0], POINTER_TYPE);
  (void)argc;
  if( scan == NULL ){
    sqlite3_result_error(ctx, "tracelm_scan_row: internal to TraceLM's trace loader,"
                              " not callable from SQL", -1);
    return;
  }
  if( scan->rc == SQLITE_OK ){
    scan->rc = scan->each(scan->arg, sqlite3_value_int64(argv[1]), argv + 2);
  }
  if( scan->rc == SQLITE_NOMEM ) sqlite3_result_error_nomem(ctx);
  else if( scan->rc != SQLITE_OK ) sqlite3_result_error_code(ctx, scan->rc);
}

/* A trace's rows were mostly written together, so they fill a run of
** rowids that few other rows share.  Reading that run straight from the
** table skips the index and a seek per row (docs/performance.md, "Issue 16,
** fifth session").  The run is taken when at most one row in eight of it
** belongs to other traces (count: the rows the caller expects); the rows
** of traces written side by side go through the index.  Sets *first and
** *last, or returns 0 for the index.  The caller's statement holds the
** read transaction, so this and the scan see the same rows. */
static int rowid_run(tlm_ext *ext, const char *trace_id, int64_t count,
                     int64_t *first, int64_t *last){
  sqlite3_stmt *stmt;
  int in_run = 0;
  if( count <= 0 ) return 0;
  /* Named, so each end is one seek; a table without the index (made by
  ** another tool) fails to prepare this and is read the plain way, not
  ** scanned twice more to find its ends. */
  if( tlm_prepare(ext, "SELECT"
                  " (SELECT min(rowid) FROM spans INDEXED BY spans_by_trace WHERE trace_id = ?1),"
                  " (SELECT max(rowid) FROM spans INDEXED BY spans_by_trace WHERE trace_id = ?1)",
                  &stmt) != SQLITE_OK ) return 0;
  sqlite3_bind_text(stmt, 1, trace_id, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_INTEGER ){
    *first = sqlite3_column_int64(stmt, 0);
    *last = sqlite3_column_int64(stmt, 1);
    /* Unsigned: a run across the whole rowid range must not overflow. */
    in_run = (uint64_t)*last - (uint64_t)*first < (uint64_t)count + (uint64_t)count / 8;
  }
  tlm_finish(ext, stmt);
  return in_run;
}

int tlm_scan_rows(tlm_ext *ext, const char *trace_id, int64_t count, const char *columns,
                  tlm_row_fn each, void *arg, char **errmsg){
  row_scan scan = { each, arg, SQLITE_OK };
  sqlite3_stmt *stmt = NULL;
  int64_t first = 0, last = 0;
  int in_run = rowid_run(ext, trace_id, count, &first, &last);
  /* The unary + keeps SQLite from choosing the index for the run. */
  char *sql = sqlite3_mprintf("SELECT count(tracelm_scan_row(?2, rowid%s)) FROM spans WHERE %s",
                              columns, in_run ? "rowid BETWEEN ?3 AND ?4 AND +trace_id = ?1"
                                              : "trace_id = ?1");
  int rc = sql ? tlm_prepare(ext, sql, &stmt) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if( rc == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, trace_id, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(stmt, 2, &scan, POINTER_TYPE, NULL);
    if( in_run ){
      sqlite3_bind_int64(stmt, 3, first);
      sqlite3_bind_int64(stmt, 4, last);
    }
    rc = sqlite3_step(stmt);
    if( rc == SQLITE_ROW ) rc = SQLITE_OK;
  }
  if( rc != SQLITE_OK ){
    if( scan.rc != SQLITE_OK ) rc = scan.rc;
    *errmsg = sqlite3_mprintf("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(ext->db));
  }
  tlm_finish(ext, stmt);
  return rc;
}

int tlm_register_row_scan(sqlite3 *db){
  return sqlite3_create_function(db, "tracelm_scan_row", -1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                 NULL, scan_row_func, NULL, NULL);
}
