/*
** schema.c — create or upgrade a TraceLM database (see schema.h).
**
** PRAGMA user_version holds the schema version.  Version 0 is "no TraceLM
** tables yet": such a database gets sql/schema.sql, which is always the
** newest layout, whole.  An older one is walked up by upgrades[v], which
** takes version v to v+1 (sql/migrate_N.sql makes version N).  A schema
** change updates schema.sql, adds migrate_N.sql and one line below, and
** raises TLM_SCHEMA_VERSION.
** A database whose version is above ours is refused, never altered: an old
** binary must not write rows a newer one would misread.
*/
#include "schema.h"
#include "tracelm/tracelm.h"
#include "tlm_schema_sql.h"   /* generated from sql/schema.sql */
#include "tlm_migrate_2_sql.h" /* ... sql/migrate_2.sql and the rest of sql/ */
#include "tlm_migrate_3_sql.h"
#include "tlm_migrate_4_sql.h"
#include "tlm_migrate_5_sql.h"
#include "tlm_migrate_6_sql.h"
#include "tlm_migrate_7_sql.h"
#include "tlm_migrate_8_sql.h"
#include "tlm_migrate_9_sql.h"
#include "tlm_facts_sql.h"
#include "tlm_cost_views_sql.h"
#include "tlm_genai_mapping_sql.h"
#include "tlm_genai_views_sql.h"
#include "tlm_facts_ttft_sql.h"
#include "tlm_stored_prices_sql.h"
#include "tlm_genai_content_sql.h"
#include "tlm_facts_cost_index_sql.h"
#include "tlm_prices_cache_writes_sql.h"
#include "tlm_cache_write_rates_sql.h"
#include "tlm_prices_and_runs_sql.h"
#include "tlm_model_prices_sql.h"
#include "tlm_otlp_model_sql.h"

#ifdef TLM_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

/* upgrades[v]: version v to v+1; [0] is unused (version 0 gets schema.sql). */
static const char *const upgrades[TLM_SCHEMA_VERSION] = {
  NULL,
  tlm_migrate_2_sql,
  tlm_migrate_3_sql,
  tlm_migrate_4_sql,
  tlm_migrate_5_sql,
  tlm_migrate_6_sql,
  tlm_migrate_7_sql,
  tlm_migrate_8_sql,
  tlm_migrate_9_sql,
};

/* Parts a new and an upgraded database both get, each once: after
** schema.sql or the migrations, for a database that was below `since`.
** Version 3's tables and the default prices (the price list is the
** user's once it exists); version 5's OTLP tables; version 6's facts
** (after the prices, whose triggers it adds), its cost views, and the
** cache-write column for a price table from before (from_at_least: a
** part only for databases that were at least that version); version 7's
** views of messages and scores, and the cost index for version 6's facts;
** version 8's GenAI mapping, the views on it (made anew), and the time to
** first chunk among facts that version 6 or 7 made; version 9's cost views
** (made anew) and stored prices. */
static const struct { int since, from_at_least; const char *sql; } parts[] = {
  { 3, 0, tlm_prices_and_runs_sql },
  { 3, 0, tlm_model_prices_sql },
  { 5, 0, tlm_otlp_model_sql },
  { 6, 3, tlm_prices_cache_writes_sql },   /* a price table made before 6 */
  { 6, 0, tlm_cache_write_rates_sql },      /* before the facts' price triggers */
  { 6, 0, tlm_facts_sql },
  { 9, 0, tlm_cost_views_sql },           /* 9: the stored price */
  { 8, 0, tlm_genai_content_sql },         /* 8: flat message.content too */
  { 7, 6, tlm_facts_cost_index_sql },      /* facts made by version 6 */
  { 8, 0, tlm_genai_mapping_sql },
  { 8, 0, tlm_genai_views_sql },
  { 8, 6, tlm_facts_ttft_sql },            /* facts made by version 6 or 7 */
  { 9, 0, tlm_stored_prices_sql },         /* after the facts and cost views */
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

  /* A new file returns the pages `tracelm prune` frees with PRAGMA
  ** incremental_vacuum.  SQLite takes that only before the first table,
  ** outside a transaction.  Pages stay SQLite's default 4 KiB: 16 KiB
  ** pages made scans over 10M spans 11-16% quicker but every small
  ** transaction that fires the spans triggers (serve's requests, a user's
  ** INSERTs) half as fast, since each statement copies the pages it
  ** changes into its statement journal (docs/performance.md). */
  if( version == 0 ) sqlite3_exec(db, "PRAGMA auto_vacuum=INCREMENTAL", 0, 0, 0);
  if( sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, &sql_error) != SQLITE_OK ) goto failed;
  /* Another process may have migrated while we waited for the lock. */
  version = tlm_schema_version(db);
  if( version > TLM_SCHEMA_VERSION ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    return newer_schema_error(version, errmsg);
  }
  int from = version;
  if( version == 0 && sqlite3_exec(db, tlm_schema_sql, 0, 0, &sql_error) != SQLITE_OK ){
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    goto failed;
  }
  for(; version > 0 && version < TLM_SCHEMA_VERSION; version++){
    if( sqlite3_exec(db, upgrades[version], 0, 0, &sql_error) != SQLITE_OK ){
      sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
      goto failed;
    }
  }
  for(size_t i = 0; i < sizeof parts / sizeof parts[0]; i++){
    if( from < parts[i].since && from >= parts[i].from_at_least
     && sqlite3_exec(db, parts[i].sql, 0, 0, &sql_error) != SQLITE_OK ){
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
