/*
** schema.h — create or upgrade a TraceLM database.
**
** Shared by the recorder (at tlm_init) and the extension (tracelm_init()
** in SQL, which the CLI uses), so there is one way a database gets made.
*/
#ifndef TLM_SCHEMA_H
#define TLM_SCHEMA_H

#ifdef TLM_SQLITE_EXTENSION
# include <sqlite3ext.h>
#else
# include <sqlite3.h>
#endif

#define TLM_SCHEMA_VERSION 9

/* Bring db to TLM_SCHEMA_VERSION in one IMMEDIATE transaction.  Returns
** 0, or TLM_ESCHEMA when the database is newer than this build (it is then
** left untouched), or TLM_EDB; *errmsg gets a sqlite3_malloc'd message. */
int tlm_schema_apply(sqlite3 *db, char **errmsg);

/* The schema version a database holds (PRAGMA user_version), or -1. */
int tlm_schema_version(sqlite3 *db);

#endif
