/*
** functions.h — every SQL function file, named once.
**
** Each file in functions/ defines tlm_register_NAME(db, ext), which
** registers its function(s) on a connection.  This list yields their
** prototypes and init.c's table, so adding a function is one new file
** (CMake finds it) and one line here.
*/
#ifndef TLM_FUNCTIONS_H
#define TLM_FUNCTIONS_H

#include "ext.h"

#define TLM_FUNCTION_FILES(X) \
  X(admin)                    \
  X(trace_tree)               \
  X(critical_path)            \
  X(span_stats)               \
  X(span_histogram)           \
  X(trace_anomalies)          \
  X(trace_compare)            \
  X(compare_runs)             \
  X(facts_update)             \
  X(trace_summary)            \
  X(trace_summary_set)        \
  X(trace_validate)           \
  X(export_chrome)            \
  X(export_otel)              \
  X(export_html)              \
  X(export_csv)               \
  X(import_otel)              \
  X(import_csv)               \
  X(traceparent)

#define TLM_X_PROTOTYPE(name) int tlm_register_##name(sqlite3 *db, tlm_ext *ext);
TLM_FUNCTION_FILES(TLM_X_PROTOTYPE)
#undef TLM_X_PROTOTYPE

#endif
