/*
** trace_set.c — run labels, trace-id queries and time windows as the
** functions over many traces take them (trace_set.h).
*/
#include "trace_set.h"
#include "arrays.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

int tlm_is_sql_set(const char *text){
  static const char *const starts[] = { "select", "with", "values" };
  while( *text == ' ' || *text == '\t' || *text == '\n' || *text == '(' ) text++;
  for(int i = 0; i < 3; i++){
    size_t length = strlen(starts[i]);
    if( sqlite3_strnicmp(text, starts[i], (int)length) == 0
     && (text[length] == 0 || text[length] == ' ' || text[length] == '\n' || text[length] == '\t'
         || text[length] == '(') ){
      return 1;
    }
  }
  return 0;
}

int tlm_label_exists(sqlite3 *db, const char *label){
  sqlite3_stmt *stmt;
  int found;
  if( sqlite3_prepare_v2(db, "SELECT 1 FROM traces WHERE label = ?1 LIMIT 1", -1, &stmt, 0) ) return -1;
  sqlite3_bind_text(stmt, 1, label, -1, SQLITE_STATIC);
  found = sqlite3_step(stmt) == SQLITE_ROW;
  if( sqlite3_finalize(stmt) != SQLITE_OK ) return -1;
  return found;
}

int tlm_trace_set_ids(sqlite3 *db, const char *fn, const char *arg, const char *text,
                      char (**ids)[33], int32_t *count, char **errmsg){
  sqlite3_stmt *stmt;
  int32_t capacity = 0;
  int sql = tlm_is_sql_set(text);
  int rc;
  *ids = NULL;
  *count = 0;
  if( sql ){
    rc = sqlite3_prepare_v2(db, text, -1, &stmt, 0);
    if( rc == SQLITE_OK && !sqlite3_stmt_readonly(stmt) ){
      sqlite3_finalize(stmt);
      *errmsg = sqlite3_mprintf("%s: %s: the query must only read", fn, arg);
      return SQLITE_ERROR;
    }
  }else{
    rc = sqlite3_prepare_v2(db, "SELECT trace_id FROM traces WHERE label = ?1"
                            " AND span_count > 0 ORDER BY start_ns", -1, &stmt, 0);
    if( rc == SQLITE_OK ) sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
  }
  if( rc != SQLITE_OK ){
    *errmsg = sqlite3_mprintf("%s: %s: %s", fn, arg, sqlite3_errmsg(db));
    return SQLITE_ERROR;
  }
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    const char *id = (const char *)sqlite3_column_text(stmt, 0);
    if( id == NULL || strlen(id) != 32 ){
      *errmsg = sqlite3_mprintf("%s: %s: '%s' is not a trace id", fn, arg, id ? id : "NULL");
      rc = SQLITE_ERROR;
      break;
    }
    if( tlm_grow(ids, *count, &capacity, sizeof **ids) ){ rc = SQLITE_NOMEM; break; }
    memcpy((*ids)[(*count)++], id, 33);
  }
  if( rc == SQLITE_DONE ) rc = SQLITE_OK;
  if( rc != SQLITE_OK && *errmsg == NULL ){
    *errmsg = sqlite3_mprintf("%s: %s: %s", fn, arg,
                              rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
  }
  sqlite3_finalize(stmt);
  if( rc == SQLITE_OK && *count == 0 ){
    *errmsg = sqlite3_mprintf(sql ? "%s: %s: the query gave no traces"
                                  : "%s: %s: no traces with label '%s'", fn, arg, text);
    rc = SQLITE_ERROR;
  }
  if( rc != SQLITE_OK ){ sqlite3_free(*ids); *ids = NULL; *count = 0; }
  return rc;
}

int tlm_time_arg(sqlite3 *db, const char *fn, const char *arg, sqlite3_value *value,
                 int64_t fallback, int64_t *out, char **errmsg){
  sqlite3_stmt *stmt;
  const char *text;
  double days = NAN;
  switch( value ? sqlite3_value_type(value) : SQLITE_NULL ){
    case SQLITE_NULL:    *out = fallback; return SQLITE_OK;
    case SQLITE_INTEGER: *out = sqlite3_value_int64(value); return SQLITE_OK;
    case SQLITE_FLOAT:
      if( fabs(sqlite3_value_double(value)) < 9.2e18 ){
        *out = (int64_t)sqlite3_value_double(value);
        return SQLITE_OK;
      }
      *errmsg = sqlite3_mprintf("%s: %s: %g is out of range for ns", fn, arg,
                                sqlite3_value_double(value));
      return SQLITE_ERROR;
    case SQLITE_BLOB:
      *errmsg = sqlite3_mprintf("%s: %s must be ns or a date, not a blob", fn, arg);
      return SQLITE_ERROR;
  }
  text = (const char *)sqlite3_value_text(value);
  /* julianday() reads every date SQLite reads; a leading sign is a
  ** modifier of now, as in date('now', '-7 days'). */
  if( sqlite3_prepare_v2(db, text[0] == '-' || text[0] == '+' ? "SELECT julianday('now', ?1)"
                                                             : "SELECT julianday(?1)",
                         -1, &stmt, 0) != SQLITE_OK ){
    *errmsg = sqlite3_mprintf("%s: %s: %s", fn, arg, sqlite3_errmsg(db));
    return SQLITE_ERROR;
  }
  sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL ){
    days = sqlite3_column_double(stmt, 0);
  }
  sqlite3_finalize(stmt);
  if( isnan(days) ){
    *errmsg = sqlite3_mprintf("%s: %s: '%s' is not a time (ns since 1970, a date such as"
                              " '2026-11-30', or a modifier of now such as '-7 days')", fn, arg, text);
    return SQLITE_ERROR;
  }
  /* To whole milliseconds first: julianday carries no more. */
  *out = (int64_t)llround((days - 2440587.5) * 86400000.0) * 1000000;
  return SQLITE_OK;
}

int tlm_window_args(sqlite3 *db, const char *fn, sqlite3_value *since, sqlite3_value *until,
                    int64_t *since_ns, int64_t *until_ns, char **errmsg){
  int rc = tlm_time_arg(db, fn, "since", since, INT64_MIN, since_ns, errmsg);
  if( rc == SQLITE_OK ) rc = tlm_time_arg(db, fn, "until", until, INT64_MAX, until_ns, errmsg);
  if( rc == SQLITE_OK && *since_ns > *until_ns ){
    *errmsg = sqlite3_mprintf("%s: since (%lld) is after until (%lld)", fn,
                              (long long)*since_ns, (long long)*until_ns);
    rc = SQLITE_ERROR;
  }
  return rc;
}
