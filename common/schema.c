/*
** schema.c — create or upgrade a TraceLM database (see schema.h).
**
** PRAGMA user_version holds the schema version.  migrations[v] takes a
** database from version v to v+1; version 0 is "no TraceLM tables yet", so
** migrations[0] is sql/schema.sql as it stood at version 1.  A later schema
** change adds sql/migrate_N.sql and one line below, and updates schema.sql.
** A database whose version is above ours is refused, never altered: an old
** binary must not write rows a newer one would misread.
*/
#include "schema.h"
#include "tracelm/tracelm.h"
#include "tlm_schema_sql.h"  /* generated from sql/schema.sql */

#ifdef TLM_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

static const char *const migrations[TLM_SCHEMA_VERSION] = {
  tlm_schema_sql,
};

int tlm_schema_version(sqlite3 *db){
  sqlite3_stmt *stmt;
  int version = -1;
  if( sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, 0) != SQLITE_OK ){
    return -1;
  }
  if( sqlite3_step(stmt) == SQLITE_ROW ) version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return version;
}

static int newer_schema_error(int version, char **errmsg){
  *errmsg = sqlite3_mprintf("database schema version %d is newer than this "
      "TraceLM understands (%d); upgrade TraceLM to use it", version,
      TLM_SCHEMA_VERSION);
  return TLM_ESCHEMA;
}

int tlm_schema_apply(sqlite3 *db, char **errmsg){
  int version = tlm_schema_version(db);
  char *sql_error = 0;
  *errmsg = 0;
  if( version < 0 ){
    *errmsg = sqlite3_mprintf("cannot read the database: %s", sqlite3_errmsg(db));
    return TLM_EDB;
  }
  if( version > TLM_SCHEMA_VERSION ) return newer_schema_error(version, errmsg);
  if( version == TLM_SCHEMA_VERSION ) return TLM_OK;

  if( sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, &sql_error) != SQLITE_OK ) goto failed;
  /* Another process may have migrated while we waited for the lock. */
  version = tlm_schema_version(db);
  if( version > TLM_SCHEMA_VERSION ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    return newer_schema_error(version, errmsg);
  }
  for(; version < TLM_SCHEMA_VERSION; version++){
    if( sqlite3_exec(db, migrations[version], 0, 0, &sql_error) != SQLITE_OK ){
      sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      goto failed;
    }
  }
  {
    char *set_version = sqlite3_mprintf("PRAGMA user_version=%d", TLM_SCHEMA_VERSION);
    int rc = sqlite3_exec(db, set_version, 0, 0, &sql_error);
    sqlite3_free(set_version);
    if( rc != SQLITE_OK ){
      sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      goto failed;
    }
  }
  if( sqlite3_exec(db, "COMMIT", 0, 0, &sql_error) != SQLITE_OK ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    goto failed;
  }
  return TLM_OK;

failed:
  *errmsg = sqlite3_mprintf("cannot create the TraceLM tables: %s",
                            sql_error ? sql_error : sqlite3_errmsg(db));
  sqlite3_free(sql_error);
  return TLM_EDB;
}
