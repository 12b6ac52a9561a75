/*
** facts_update.c — facts_update([limit]): build the per-span facts of
** the traces marked since they were last built (facts.c), now rather than
** in the next question over many traces.
**
**   sqlite> SELECT facts_update();          -- every marked trace
**   2
**   sqlite> SELECT facts_update(1000);      -- at most 1000, one transaction
**
** Returns the number of traces built.  `tracelm stats` and the upgrade
** to schema 6 call it in steps of a thousand, showing progress; the
** recorder and the importers only mark.  An error (a read-only database,
** another writer holding the lock past the busy timeout) builds nothing.
*/
#include "facts.h"
#include <stddef.h>
SQLITE_EXTENSION_INIT3

static void facts_update_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  int64_t limit = -1, built = 0;
  char *errmsg = NULL;
  if( argc > 0 && sqlite3_value_type(argv[0]) != SQLITE_NULL ){
    if( sqlite3_value_type(argv[0]) != SQLITE_INTEGER || sqlite3_value_int64(argv[0]) < 1 ){
      sqlite3_result_error(ctx, "facts_update: limit must be a positive integer", -1);
      return;
    }
    limit = sqlite3_value_int64(argv[0]);
  }
  if( tlm_facts_update(sqlite3_user_data(ctx), "facts_update", limit, &built, &errmsg) != SQLITE_OK ){
    sqlite3_result_error(ctx, errmsg ? errmsg : "facts_update: out of memory", -1);
    sqlite3_free(errmsg);
    return;
  }
  sqlite3_result_int64(ctx, built);
}

int tlm_register_facts_update(sqlite3 *db, tlm_ext *ext){
  int rc = SQLITE_OK;
  /* DIRECTONLY: it writes, so no view or trigger may call it behind a user's back. */
  for(int args = 0; args <= 1 && rc == SQLITE_OK; args++){
    rc = sqlite3_create_function(db, "facts_update", args, SQLITE_UTF8 | SQLITE_DIRECTONLY, ext,
                                 facts_update_func, 0, 0);
  }
  return rc;
}
