/*
** ext.h — what every file of the extension starts from.
**
** SQLite's loadable-extension header (whose routine table every call goes
** through, unless SQLITE_CORE builds the code into a host), the
** per-connection context, and the one way a SQL function reports an
** error: a message that begins with the function's name.
*/
#ifndef TLM_EXT_H
#define TLM_EXT_H

#include <sqlite3ext.h>
#include <stdint.h>

typedef struct tlm_graph tlm_graph;

/* One per connection: holds the cached graph (graph.c). */
typedef struct tlm_ext {
  sqlite3 *db;
  tlm_graph *cached;
} tlm_ext;

/* Report "fn: message" from a scalar function (fmt starts with the name). */
void tlm_result_errorf(sqlite3_context *ctx, const char *fmt, ...);

/* Both importers' words for a span whose (trace_id, span_id) is taken:
** format arguments span id, trace id. */
#define TLM_SPAN_ALREADY_STORED \
  "span %s of trace %s is already stored (twice in this input, or imported before)"

#endif
