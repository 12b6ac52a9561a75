/*
** init.c — the extension's entry point: registers every function.
**
**   sqlite> .load ./tracelm
**   >>> conn.load_extension("./tracelm")          # Python
**   sqlite3_auto_extension(sqlite3_tracelm_init)  -- C, linked in statically
**
** A connection gets one tlm_ext (its graph cache), freed with the
** connection.  Adding a function: one file in functions/ and one line
** in functions.h.
*/
#include "tracelm_sqlite.h"
#include "functions.h"
#include "graph.h"
#include "row_scan.h"
#include <string.h>
SQLITE_EXTENSION_INIT1

static int (*const registrations[])(sqlite3 *, tlm_ext *) = {
#define TLM_X_ENTRY(name) tlm_register_##name,
  TLM_FUNCTION_FILES(TLM_X_ENTRY)
#undef TLM_X_ENTRY
};

static void cache_owner_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_null(ctx);
}

static void ext_free(void *p){
  tlm_ext *ext = p;
  tlm_graph_release(ext->cached);
  sqlite3_free(ext);
}

int sqlite3_tracelm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api){
  tlm_ext *ext;
  int rc = SQLITE_OK;
  SQLITE_EXTENSION_INIT2(api);
  ext = sqlite3_malloc(sizeof *ext);
  if( ext == NULL ) return SQLITE_NOMEM;
  memset(ext, 0, sizeof *ext);
  ext->db = db;
  /* The cache dies with the connection: a function that exists only to
  ** carry the destructor (with no callbacks it would delete, not create). */
  rc = sqlite3_create_function_v2(db, "tracelm_cache_owner", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                  ext, cache_owner_func, NULL, NULL, ext_free);
  if( rc != SQLITE_OK ) return rc;   /* xDestroy has freed ext */
  rc = tlm_register_row_scan(db);
  for(size_t i = 0; i < sizeof registrations / sizeof registrations[0] && rc == SQLITE_OK; i++){
    rc = registrations[i](db, ext);
  }
  if( rc != SQLITE_OK ){
    *errmsg = sqlite3_mprintf("tracelm: cannot register functions: %s", sqlite3_errstr(rc));
  }
  return rc;
}
