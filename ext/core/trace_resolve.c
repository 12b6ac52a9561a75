/*
** trace_resolve.c — from what a user types to a trace id.
**
** Every function that takes a trace accepts 'latest', a full 32-digit id,
** or any unique prefix ('55df12'), case-insensitive.  A prefix is an index
** range on traces.trace_id: [prefix, prefix || 'g'), since 'g' sorts after
** every hex digit.  Errors name the function, then what was wrong.
*/
#include "trace_resolve.h"
#include <stdio.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

char *tlm_check_database(sqlite3 *db, const char *fn){
  static const char *const required[] = { "spans", "traces" };
  sqlite3_stmt *stmt;
  char *errmsg = NULL;
  if( sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
                         -1, &stmt, 0) != SQLITE_OK ){
    return sqlite3_mprintf("%s: %s", fn, sqlite3_errmsg(db));
  }
  for(int i = 0; i < 2 && errmsg == NULL; i++){
    sqlite3_bind_text(stmt, 1, required[i], -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) != SQLITE_ROW ){
      errmsg = sqlite3_mprintf("%s: no %s table — not a TraceLM database", fn, required[i]);
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  return errmsg;
}

static int one_text(sqlite3 *db, const char *sql, char out[33]){
  sqlite3_stmt *stmt;
  int found = 0;
  if( sqlite3_prepare_v2(db, sql, -1, &stmt, 0) != SQLITE_OK ) return -1;
  if( sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_TEXT ){
    snprintf(out, 33, "%s", (const char *)sqlite3_column_text(stmt, 0));
    found = 1;
  }
  sqlite3_finalize(stmt);
  return found;
}

int tlm_latest_trace(sqlite3 *db, char out[33]){
  return one_text(db, "SELECT trace_id FROM traces WHERE span_count > 0"
                      " ORDER BY start_ns DESC LIMIT 1", out);
}

int tlm_resolve_trace(sqlite3 *db, const char *fn, sqlite3_value *arg,
                      char out[33], char **errmsg){
  const char *text;
  char prefix[34], upper[34];
  int length, matches = 0;
  sqlite3_stmt *stmt;
  sqlite3_str *names;

  if( (*errmsg = tlm_check_database(db, fn)) != NULL ) return SQLITE_ERROR;
  if( arg == NULL || sqlite3_value_type(arg) == SQLITE_NULL ){
    *errmsg = sqlite3_mprintf("%s: the trace id is NULL", fn);
    return SQLITE_ERROR;
  }
  if( sqlite3_value_type(arg) != SQLITE_TEXT ){
    *errmsg = sqlite3_mprintf("%s: the trace id must be text, not %s", fn,
        sqlite3_value_type(arg) == SQLITE_INTEGER ? "an integer" :
        sqlite3_value_type(arg) == SQLITE_FLOAT ? "a real" : "a blob");
    return SQLITE_ERROR;
  }
  text = (const char *)sqlite3_value_text(arg);
  if( strcmp(text, "latest") == 0 ){
    int found = tlm_latest_trace(db, out);
    if( found == 1 ) return SQLITE_OK;
    *errmsg = sqlite3_mprintf("%s: no traces in the database", fn);
    return SQLITE_ERROR;
  }
  length = (int)strlen(text);
  if( length == 0 || length > 32 || strspn(text, "0123456789abcdefABCDEF") != (size_t)length ){
    *errmsg = sqlite3_mprintf("%s: '%s' is not a trace id (expected up to 32 hex"
                              " digits, or 'latest')", fn, text);
    return SQLITE_ERROR;
  }
  for(int i = 0; i <= length; i++){
    char c = text[i];
    prefix[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
  }
  memcpy(upper, prefix, length);
  upper[length] = 'g';
  upper[length + 1] = 0;
  if( sqlite3_prepare_v2(db, "SELECT trace_id FROM traces WHERE trace_id >= ?1"
                         " AND trace_id < ?2 ORDER BY trace_id LIMIT 4", -1, &stmt, 0) ){
    *errmsg = sqlite3_mprintf("%s: %s", fn, sqlite3_errmsg(db));
    return SQLITE_ERROR;
  }
  sqlite3_bind_text(stmt, 1, prefix, length, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, upper, length + 1, SQLITE_STATIC);
  names = sqlite3_str_new(db);
  while( sqlite3_step(stmt) == SQLITE_ROW ){
    const char *id = (const char *)sqlite3_column_text(stmt, 0);
    if( matches == 0 ) snprintf(out, 33, "%s", id);
    if( matches < 3 ) sqlite3_str_appendf(names, "%s%s", matches ? ", " : "", id);
    else sqlite3_str_appendall(names, ", ...");
    matches++;
  }
  sqlite3_finalize(stmt);
  if( matches == 1 ){
    sqlite3_free(sqlite3_str_finish(names));
    return SQLITE_OK;
  }
  char *list = sqlite3_str_finish(names);
  if( matches == 0 ){
    *errmsg = sqlite3_mprintf("%s: no trace matches '%s'", fn, text);
  }else{
    *errmsg = sqlite3_mprintf("%s: '%s' is ambiguous: it matches %s", fn, text, list);
  }
  sqlite3_free(list);
  return SQLITE_ERROR;
}
