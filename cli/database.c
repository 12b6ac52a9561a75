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
