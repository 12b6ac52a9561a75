/*
** tracelm_sqlite.h — the TraceLM SQL functions, linked into a program.
**
**   #include <tracelm/tracelm_sqlite.h>
**   sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
**   ... every connection opened after this has trace_tree(), critical_path(), ...
**
** Link with libtracelm_sqlite.a (CMake: tracelm::sqlite), which needs
** libtracelm, SQLite, cJSON and libcsv.  The same entry point is what
** `.load tracelm` finds in tracelm.so; a program need not link either to
** load the module at run time.
*/
#ifndef TRACELM_SQLITE_H
#define TRACELM_SQLITE_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Register every TraceLM function on db.  SQLITE_OK, or an SQLite error
** code with *errmsg set (sqlite3_malloc'd).  api is the host's routine
** table when loaded as a module, and ignored when linked in. */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int sqlite3_tracelm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

#ifdef __cplusplus
}
#endif

#endif
