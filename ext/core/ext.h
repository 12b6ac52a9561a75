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
typedef struct tlm_stmt_cache tlm_stmt_cache;

/* One per connection: holds the cached graph (graph.c) and, during a long
** job, its compiled statements (stmt_cache.c). */
typedef struct tlm_ext {
  sqlite3 *db;
  tlm_graph *cached;
  tlm_stmt_cache *stmts;     /* NULL outside tlm_stmt_cache_begin/_end */
} tlm_ext;

/* stmt_cache.c: between begin and end, tlm_prepare of a text already
** prepared returns that statement, and tlm_finish resets it; outside,
** they prepare and finalize.  Begin/end nest. */
int tlm_stmt_cache_begin(tlm_ext *ext);
void tlm_stmt_cache_end(tlm_ext *ext);
int tlm_prepare(tlm_ext *ext, const char *sql, sqlite3_stmt **stmt);
void tlm_finish(tlm_ext *ext, sqlite3_stmt *stmt);

/* Report "fn: message" from a scalar function (fmt starts with the name). */
void tlm_result_errorf(sqlite3_context *ctx, const char *fmt, ...);

/* Both importers' words for a span whose (trace_id, span_id) is taken:
** format arguments span id, trace id. */
#define TLM_SPAN_ALREADY_STORED \
  "span %s of trace %s is already stored (twice in this input, or imported before)"

#endif
