/*
** row_scan.h — read a trace's rows through a function the query calls
** (row_scan.c), not through sqlite3_column_*().
*/
#ifndef TLM_ROW_SCAN_H
#define TLM_ROW_SCAN_H

#include "ext.h"

/* Called once per row of the trace with its rowid and the values of the
** scan's columns, in order.  Returns SQLITE_OK, or a code that ends the
** scan (the scan then returns it). */
typedef int (*tlm_row_fn)(void *arg, int64_t rowid, sqlite3_value **values);

/* For every span of trace_id, call each(arg, rowid, values), where values
** are those of columns: SQL expressions over the spans table, each after a
** comma (", attrs, flags").  count: how many spans the caller expects
** (a graph's n, or traces.span_count; 0 or less if unknown), which decides
** whether the trace is read as a run of rowids or through spans_by_trace;
** correctness never rests on it.  Rows come in rowid order either way, as
** SQLite plans them; callers that need rowid order check the rowids they
** are given rather than trust the plan.  On error returns an SQLite code
** and sets *errmsg (sqlite3_malloc'd). */
int tlm_scan_rows(tlm_ext *ext, const char *trace_id, int64_t count, const char *columns,
                  tlm_row_fn each, void *arg, char **errmsg);

/* The SQL function the scan runs through; once per connection (init.c). */
int tlm_register_row_scan(sqlite3 *db);

#endif
