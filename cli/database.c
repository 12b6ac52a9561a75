/*
** database.c — how every command (and serve's pages) opens the database:
** read-write, created unless it must exist, a busy timeout, and
** tracelm_init() to bring the schema to this version.  The extension is
** linked in and registered with sqlite3_auto_extension (main.c).
*/
#include "cli.h"
#include <unistd.h>

int cli_open(const cli *c, int must_exist, sqlite3 **db){
  int flags = SQLITE_OPEN_READWRITE | (must_exist ? 0 : SQLITE_OPEN_CREATE);
  *db = NULL;
  if( must_exist && access(c->db_path, F_OK) != 0 ){
    fprintf(stderr, "%s\n", CLI_NO_TRACES);
    return 1;
  }
  if( sqlite3_open_v2(c->db_path, db, flags, NULL) != SQLITE_OK ){
    int status = cli_fail(c, "cannot open database '%s': %s", c->db_path, sqlite3_errmsg(*db));
    sqlite3_close(*db);
    *db = NULL;
    return status;
  }
  sqlite3_busy_timeout(*db, 5000);
  if( sqlite3_exec(*db, "SELECT tracelm_init()", NULL, NULL, NULL) != SQLITE_OK ){
    int status = cli_fail(c, "database '%s': %s", c->db_path, cli_sql_error(*db));
    sqlite3_close(*db);
    *db = NULL;
    return status;
  }
  return 0;
}

/* A connection that writes spans only through import_otel (serve, import
** of OTLP).  Without the spans triggers import_otel keeps `traces`, the
** facts marks and the stored prices itself, once a trace of a document
** rather than once a span (common/trace_runs.c).  Without the CHECKs:
** import_otel makes every value it writes valid, from ids it decoded and
** wrote back as lowercase hex to attributes cJSON printed, and says
** itself what is wrong with a field; without them serve stores 100-span
** requests 35-46% quicker (docs/performance.md).  tests/cli
** runs PRAGMA integrity_check, which tests every CHECK, on what they
** stored.  import_csv needs both, so its connection keeps them. */
void cli_import_connection(sqlite3 *db){
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)0);
  sqlite3_exec(db, "PRAGMA ignore_check_constraints=ON", NULL, NULL, NULL);
}
