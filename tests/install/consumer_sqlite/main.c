/* Registers the extension with sqlite3_auto_extension and runs a query
** that only TraceLM's functions answer; prints "ok". */
#include <tracelm/tracelm_sqlite.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

int main(void){
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int ok = 0;
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
  if( sqlite3_open(":memory:", &db) != SQLITE_OK ) return 1;
  if( sqlite3_prepare_v2(db, "SELECT tracelm_init(), format_duration(1500000)", -1, &stmt, 0) == SQLITE_OK
   && sqlite3_step(stmt) == SQLITE_ROW ){
    ok = sqlite3_column_int(stmt, 0) > 0
      && strcmp((const char *)sqlite3_column_text(stmt, 1), "1.500 ms") == 0;
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  puts(ok ? "ok" : "failed");
  return ok ? 0 : 1;
}
