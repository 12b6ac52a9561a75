/*
** trace_set.h — which traces a question over many traces is about
** (trace_set.c): a run label, a read-only SQL query of trace ids, or a
** time window, as compare_runs() and span_stats() take them.
*/
#ifndef TLM_TRACE_SET_H
#define TLM_TRACE_SET_H

#include "ext.h"

/* A text that starts with SELECT, WITH or VALUES is a query. */
int tlm_is_sql_set(const char *text);

/* Does any trace carry this run label?  1, 0, or -1 on an SQL error. */
int tlm_label_exists(sqlite3 *db, const char *label);

/* The trace ids of a set: label's traces in start order, or the rows of a
** read-only query (its first column).  arg names the argument in errors
** ("fn: set_a: ..."); a set with no traces is an error.  *ids is
** sqlite3_malloc'd. */
int tlm_trace_set_ids(sqlite3 *db, const char *fn, const char *arg, const char *text,
                      char (**ids)[33], int32_t *count, char **errmsg);

/* A time argument in ns since 1970: NULL gives fallback; an integer or a
** real is ns; a text is a date SQLite reads ('2026-11-30', '2026-11-30
** 12:00:00'), or a modifier of now ('-7 days').  SQLITE_OK, or an error
** "fn: arg: why". */
int tlm_time_arg(sqlite3 *db, const char *fn, const char *arg, sqlite3_value *value,
                 int64_t fallback, int64_t *out, char **errmsg);

/* The window [since, until) of two time arguments, checked in order. */
int tlm_window_args(sqlite3 *db, const char *fn, sqlite3_value *since, sqlite3_value *until,
                    int64_t *since_ns, int64_t *until_ns, char **errmsg);

#endif
