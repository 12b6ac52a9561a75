/*
** stmt_cache.c — prepared statements kept across the traces of one long
** job.  Building the facts of 100,000 small traces prepared the same
** handful of statements for each (the span_cost and span_tokens views
** among them, each costlier to compile than the trace is to read): 32 s,
** nearly all in SQLite's parser.  Between tlm_stmt_cache_begin and _end
** tlm_prepare hands back the statement already compiled for the same
** text; outside, it prepares and tlm_finish finalizes, as before.
**
** Only for the length of a job, never for the connection's life: a
** statement left unfinalized would keep sqlite3_close from closing.
*/
#include "ext.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

#define SLOTS 16

struct tlm_stmt_cache {
  int depth;                 /* begin calls not yet ended */
  int count;
  struct { char *sql; sqlite3_stmt *stmt; int in_use; } slot[SLOTS];
};

int tlm_stmt_cache_begin(tlm_ext *ext){
  if( ext->stmts == NULL ){
    ext->stmts = sqlite3_malloc(sizeof *ext->stmts);
    if( ext->stmts == NULL ) return SQLITE_NOMEM;
    memset(ext->stmts, 0, sizeof *ext->stmts);
  }
  ext->stmts->depth++;
  return SQLITE_OK;
}

void tlm_stmt_cache_end(tlm_ext *ext){
  tlm_stmt_cache *c = ext->stmts;
  if( c == NULL || --c->depth > 0 ) return;
  for(int i = 0; i < c->count; i++){
    sqlite3_finalize(c->slot[i].stmt);
    sqlite3_free(c->slot[i].sql);
  }
  sqlite3_free(c);
  ext->stmts = NULL;
}

int tlm_prepare(tlm_ext *ext, const char *sql, sqlite3_stmt **stmt){
  tlm_stmt_cache *c = ext->stmts;
  int rc;
  *stmt = NULL;
  if( c ){
    for(int i = 0; i < c->count; i++){
      if( !c->slot[i].in_use && strcmp(c->slot[i].sql, sql) == 0 ){
        c->slot[i].in_use = 1;
        *stmt = c->slot[i].stmt;
        return SQLITE_OK;
      }
    }
  }
  rc = sqlite3_prepare_v3(ext->db, sql, -1, c ? SQLITE_PREPARE_PERSISTENT : 0, stmt, 0);
  if( rc != SQLITE_OK || c == NULL || c->count == SLOTS ) return rc;
  c->slot[c->count].sql = sqlite3_mprintf("%s", sql);
  if( c->slot[c->count].sql == NULL ) return SQLITE_OK;   /* used once, then finalized */
  c->slot[c->count].stmt = *stmt;
  c->slot[c->count].in_use = 1;
  c->count++;
  return SQLITE_OK;
}

void tlm_finish(tlm_ext *ext, sqlite3_stmt *stmt){
  tlm_stmt_cache *c = ext->stmts;
  if( stmt == NULL ) return;
  for(int i = 0; c && i < c->count; i++){
    if( c->slot[i].stmt == stmt ){
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      c->slot[i].in_use = 0;
      return;
    }
  }
  sqlite3_finalize(stmt);
}
