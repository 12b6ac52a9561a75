/*
** graph.h — one trace's spans as a checked, ordered tree (graph.c).
**
** Every analysis reads a trace through this: loaded by one scan, checked,
** with children indexed and a depth-first order computed once, and cached
** on the connection until the database changes.  A graph is full (every
** field below) or, for the analyses that need no more, only its shape:
** ids, name, kind, times, status and everything computed from them.
*/
#ifndef TLM_GRAPH_H
#define TLM_GRAPH_H

#include "ext.h"
#include "row_scan.h"
#include "span_row.h"

/* Why a span is suspect; a span may have several. */
#define TLM_PROBLEM_ORPHAN      0x01   /* parent id not in the trace */
#define TLM_PROBLEM_UNFINISHED  0x02   /* end_ns NULL */
#define TLM_PROBLEM_CYCLE       0x04   /* parent chain loops; cut here */
#define TLM_PROBLEM_DUPLICATE   0x08   /* span id seen before in this trace */
#define TLM_PROBLEM_NEGATIVE    0x10   /* end_ns < start_ns */
#define TLM_PROBLEM_EXTRA_ROOT  0x20   /* a second span with no parent */

/* One span.  The detail (tokens, cost, thread_id, model, service, message,
** priced, unpriced) is loaded only in a full graph (tlm_graph.full); a
** graph loaded for its shape has -1 for those strings and 0 for the rest. */
typedef struct tlm_node {
  int64_t rowid;            /* the span's row in spans */
  int64_t start_ns;
  int64_t end_ns;           /* unfinished: the trace's last known time */
  uint64_t span_id;
  uint64_t parent_id;       /* 0: none */
  int64_t tokens_in, tokens_out;
  double cost;
  int64_t thread_id;
  int32_t parent;           /* index of the parent node, -1 for a top */
  int32_t name;             /* string pool indexes, -1 for NULL */
  int32_t model;
  int32_t service;
  int32_t message;          /* status_message */
  uint8_t kind;             /* TLM_KIND_*, 0..5 (span_row.h) */
  uint8_t status;           /* TLM_STATUS_* */
  uint8_t problems;         /* TLM_PROBLEM_* */
  uint8_t unpriced : 1;     /* tokens and a model, but no cost and no price */
  uint8_t priced : 1;       /* cost from the price table, not recorded */
} tlm_node;

struct tlm_graph {
  int refs;
  char trace_id[33];
  unsigned data_version;    /* cache key, with total_changes */
  int64_t total_changes;
  int32_t n;                /* spans */
  tlm_node *nodes;          /* in rowid (write) order */
  int32_t *child_start;     /* children of i: children[child_start[i] .. +child_count[i]] */
  int32_t *child_count;
  int32_t *children;        /* sorted by start time */
  int32_t top_count;        /* tops[0] is the root; others are orphans */
  int32_t *tops;
  int32_t root;             /* -1 only for an empty trace */
  int32_t *order;           /* depth-first order, children by start time */
  int32_t *by_start;        /* all nodes by start, longer first, then write order */
  int32_t *depth;           /* per node */
  int64_t start_ns, end_ns; /* the trace's first and last known times */
  int full;                 /* detail loaded; else only the shape */
  int32_t with_attrs;       /* spans whose attrs is not NULL (full only) */
  int32_t string_count, string_capacity;
  char **strings;
};

/* Resolve trace_arg ('latest', an id, or a unique prefix) and give the
** graph of that trace, cached or loaded.  On error returns an SQLite code
** and sets *errmsg ("fn: what was wrong", sqlite3_malloc'd).  Release the
** graph with tlm_graph_release(). */
int tlm_graph_get(tlm_ext *ext, const char *fn, sqlite3_value *trace_arg,
                  tlm_graph **out, char **errmsg);
/* For a scalar function: the graph of its trace argument, or NULL after
** reporting the error as the function's result (release it when done). */
tlm_graph *tlm_graph_for_function(sqlite3_context *ctx, const char *fn, sqlite3_value *trace_arg);
/* The same for an analysis that reads only the shape (ids, name, kind,
** times, status, problems): half the columns to read.  A graph already
** cached, full or not, serves; the full getters above give a shape-only
** graph its detail in place. */
int tlm_graph_get_shape(tlm_ext *ext, const char *fn, sqlite3_value *trace_arg,
                        tlm_graph **out, char **errmsg);
tlm_graph *tlm_graph_shape_for_function(sqlite3_context *ctx, const char *fn,
                                        sqlite3_value *trace_arg);

/* Columns a caller needs beyond the graph, read in the same pass as the
** graph's own when this call loads the graph: each(arg, rowid, values)
** sees every span's values of columns (as for tlm_graph_scan), and
** delivered is set.  When the graph comes from the cache, delivered stays
** 0 and the caller scans for itself.  Rowids, not nodes: the nodes are
** not in their final order until the load ends. */
typedef struct tlm_graph_rider {
  const char *columns;
  tlm_row_fn each;
  void *arg;
  int delivered;
} tlm_graph_rider;
tlm_graph *tlm_graph_for_function_with(sqlite3_context *ctx, const char *fn,
                                       sqlite3_value *trace_arg, tlm_graph_rider *rider);
/* The same for an already resolved 32-digit id. */
int tlm_graph_get_id(tlm_ext *ext, const char *fn, const char *trace_id,
                     tlm_graph **out, char **errmsg);
void tlm_graph_release(tlm_graph *g);

/* The string at a pool index, or NULL for -1. */
static inline const char *tlm_str(const tlm_graph *g, int32_t index){
  return index >= 0 ? g->strings[index] : 0;
}
static inline int64_t tlm_duration(const tlm_node *n){ return n->end_ns - n->start_ns; }

/* More columns of the graph's spans, for what the graph leaves out: calls
** each(arg, node, values) per span with the values of columns (SQL
** expressions over spans, each after a comma: ", attrs").  SQLITE_OK, or
** an SQLite code and *errmsg (sqlite3_malloc'd). */
typedef int (*tlm_node_fn)(void *arg, int32_t node, sqlite3_value **values);
int tlm_graph_scan(tlm_ext *ext, const tlm_graph *g, const char *columns,
                   tlm_node_fn each, void *arg, char **errmsg);
/* The node of a span's rowid, or -1; hint: the node expected. */
int32_t tlm_graph_node_of_rowid(const tlm_graph *g, int64_t rowid, int32_t hint);

/* Each span's attrs text (or NULL), in node order; for the exporters
** (span_attrs.c).  Free with tlm_free_strings(*out, g->n). */
int tlm_graph_load_attrs(tlm_ext *ext, const tlm_graph *g, char ***out, char **errmsg);
void tlm_free_strings(char **strings, int32_t count);

/* The problems of one node, as words ("orphan, unfinished"), into buf;
** and "span ID (name): orphan, unfinished" for a node (problems.c). */
void tlm_problem_words(uint8_t problems, char *buf, int size);
char *tlm_problem_line(const tlm_graph *g, int32_t node);

#endif
