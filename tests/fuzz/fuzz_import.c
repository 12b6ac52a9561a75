/*
** fuzz_import.c — an importer on any bytes, then every analysis and export
** on whatever it stored.  Built twice: FUZZ_IMPORT is "import_otel" or
** "import_csv".  An import either fails whole (nothing stored) or stores
** spans that every function must handle: cycles, orphans, duplicates and
** unfinished spans included.  A failed import that left rows is a bug.
*/
#include "tracelm_sqlite.h"
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

static const char *const analyses[] = {
  "SELECT count(*) FROM trace_tree(?1)", "SELECT count(*) FROM trace_tree(?1, 'ascii')",
  "SELECT count(*) FROM critical_path(?1)", "SELECT count(*) FROM span_stats(?1)",
  "SELECT count(*) FROM trace_anomalies(?1)", "SELECT count(*) FROM span_histogram(?1)",
  "SELECT trace_summary(?1)", "SELECT trace_validate(?1)", "SELECT export_chrome(?1)",
  "SELECT export_otel(?1)", "SELECT export_csv(?1)", "SELECT count(*) FROM trace_compare(?1, ?1)",
  "SELECT import_otel(export_otel(?1))",
};

static int64_t count_spans(sqlite3 *db){
  sqlite3_stmt *stmt;
  int64_t n = -1;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM spans", -1, &stmt, 0);
  if( sqlite3_step(stmt) == SQLITE_ROW ) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  static int registered;
  sqlite3 *db;
  sqlite3_stmt *stmt, *traces;
  if( !registered ){
    sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
    registered = 1;
  }
  if( sqlite3_open(":memory:", &db) != SQLITE_OK ) abort();
  sqlite3_exec(db, "SELECT tracelm_init()", 0, 0, 0);
  sqlite3_prepare_v2(db, "SELECT " FUZZ_IMPORT "(?1)", -1, &stmt, 0);
  sqlite3_bind_blob(stmt, 1, data, (int)size, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if( rc != SQLITE_ROW && count_spans(db) != 0 ) abort();   /* all or nothing */
  sqlite3_prepare_v2(db, "SELECT trace_id FROM traces WHERE span_count > 0", -1, &traces, 0);
  while( sqlite3_step(traces) == SQLITE_ROW ){
    for(size_t q = 0; q < sizeof analyses / sizeof analyses[0]; q++){
      sqlite3_prepare_v2(db, analyses[q], -1, &stmt, 0);
      sqlite3_bind_value(stmt, 1, sqlite3_column_value(traces, 0));
      while( sqlite3_step(stmt) == SQLITE_ROW ){}
      sqlite3_finalize(stmt);
    }
  }
  sqlite3_finalize(traces);
  sqlite3_close(db);
  return 0;
}
