/*
** sql_box.c — the browser's SQL box: any one query a user types, run on a
** connection of its own that cannot change anything.  Three locks, each
** enough alone: the file is opened read-only; an authorizer allows reading
** and functions but refuses every write, ATTACH, load_extension() and any
** PRAGMA but a few that only read; a progress handler ends a query past
** its time and the caller stops at its row limit.  Errors are SQLite's
** own messages ("not authorized", "interrupted").
*/
#include "ui.h"
#include <string.h>
#include <strings.h>
#include <time.h>

/* PRAGMAs that only report: without an argument, or with the name of
** what to describe. */
static const char *const reporting_pragmas[] = {
  "user_version", "schema_version", "data_version", "page_count", "page_size",
  "freelist_count", "compile_options", "encoding", "journal_mode", "table_list",
  "function_list", "pragma_list", "module_list", "collation_list",
};
static const char *const describing_pragmas[] = {
  "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
};

static int listed(const char *name, const char *const *list, size_t count){
  for(size_t i = 0; name && i < count; i++) if( strcasecmp(name, list[i]) == 0 ) return 1;
  return 0;
}

static int authorize(void *unused, int action, const char *a, const char *b, const char *db,
                     const char *trigger){
  (void)unused; (void)db; (void)trigger;
  switch( action ){
    case SQLITE_SELECT: case SQLITE_READ: case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      /* b is the function's name; a is NULL. */
      return b && strcasecmp(b, "load_extension") == 0 ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_PRAGMA:
      if( b == NULL && listed(a, reporting_pragmas, sizeof reporting_pragmas / sizeof *reporting_pragmas) ) return SQLITE_OK;
      if( listed(a, describing_pragmas, sizeof describing_pragmas / sizeof *describing_pragmas) ) return SQLITE_OK;
      return SQLITE_DENY;
    case SQLITE_UPDATE:
      /* A table-valued function's first use declares its columns, which
      ** SQLite checks as an update of sqlite_master; the connection is
      ** read-only, so nothing can be written. */
      return a && (strcmp(a, "sqlite_master") == 0 || strcmp(a, "sqlite_temp_master") == 0) ? SQLITE_OK : SQLITE_DENY;
    default:
      return SQLITE_DENY;
  }
}

int cli_sql_box_open(const char *path, sqlite3 **db){
  int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
  if( rc != SQLITE_OK ) return rc;
  sqlite3_busy_timeout(*db, 2000);
  sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
  sqlite3_limit(*db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(*db, SQLITE_LIMIT_LENGTH, 64 << 20);
  return sqlite3_set_authorizer(*db, authorize, NULL);
}

static int64_t now_ms(void){ return cli_now_ns() / 1000000; }

static int past_deadline(void *deadline){
  return now_ms() > *(int64_t *)deadline;
}

/* Whether text after the first statement holds another (not only blanks,
** semicolons and comments). */
static int more_statements(sqlite3 *db, const char *tail){
  sqlite3_stmt *next = NULL;
  while( tail && *tail ){
    if( sqlite3_prepare_v2(db, tail, -1, &next, &tail) != SQLITE_OK ) return 1;
    if( next ){ sqlite3_finalize(next); return 1; }
  }
  return 0;
}

char *cli_sql_box_run(sqlite3 *db, const char *sql, size_t size, int64_t limit, int time_ms,
                      char **error){
  sqlite3_stmt *stmt = NULL;
  const char *tail = NULL;
  int64_t deadline = now_ms() + time_ms;
  char *json = NULL;
  sqlite3_progress_handler(db, 10000, past_deadline, &deadline);
  if( sqlite3_prepare_v2(db, sql, (int)size, &stmt, &tail) != SQLITE_OK ){
    *error = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  }else if( stmt == NULL ){
    *error = sqlite3_mprintf("no query to run");
  }else if( more_statements(db, tail) ){
    *error = sqlite3_mprintf("one statement at a time");
  }else if( !sqlite3_stmt_readonly(stmt) ){
    *error = sqlite3_mprintf("only queries that read are run here");
  }else{
    json = cli_rows_json(stmt, limit, error);
    if( json == NULL && *error && sqlite3_errcode(db) == SQLITE_INTERRUPT ){
      sqlite3_free(*error);
      *error = sqlite3_mprintf("stopped after %d ms (the time limit)", time_ms);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_progress_handler(db, 0, NULL, NULL);
  return json;
}
