/*
** trace_resolve.h — from what a user types to a trace id.
*/
#ifndef TLM_TRACE_RESOLVE_H
#define TLM_TRACE_RESOLVE_H

#include "ext.h"

/* The newest trace (the one that started last) into out: 1, or 0 when
** there is none, or -1 on an SQL error (sqlite3_errmsg says). */
int tlm_latest_trace(sqlite3 *db, char out[33]);

/* Check the database has TraceLM's tables; NULL, or "fn: why" to free. */
char *tlm_check_database(sqlite3 *db, const char *fn);

/* Turn an argument into a trace id: 'latest', a full id or a unique
** prefix.  SQLITE_OK, or an error with *errmsg "fn: why". */
int tlm_resolve_trace(sqlite3 *db, const char *fn, sqlite3_value *arg,
                      char out[33], char **errmsg);

#endif
