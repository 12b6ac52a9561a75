/*
** tracelm_ext.h — what the extension's files share.
**
** Every analysis reads one trace through the same trace graph (graph.c):
** loaded by one index range scan, checked, with children indexed and a
** depth-first order computed once, and cached on the connection until the
** database changes.  Table-valued functions are all served by one generic
** virtual table module (tvf.c); an analysis file supplies its columns and
** three callbacks, and one line in init.c registers it.
*/
#ifndef TLM_EXT_H
#define TLM_EXT_H

#include <sqlite3ext.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "hexid.h"
#include "tracelm/tracelm.h"
#include <cjson/cJSON.h>

/* ------------------------------------------------------------ arrays */

/* Ask for the cache line at p ahead of use: walks over a million spans in
** an order other than storage order miss the cache at every span. */
#if defined(__GNUC__) || defined(__clang__)
# define TLM_PREFETCH(p) __builtin_prefetch(p)
#else
# define TLM_PREFETCH(p) ((void)(p))
#endif

/* Arrays of count items (at least one) from sqlite3_malloc, big ones on
** huge pages where the kernel allows (arrays.c says why).  NULL when out
** of memory; sqlite3_free() them. */
void *tlm_array(int64_t count, size_t item_size);
void *tlm_array_zero(int64_t count, size_t item_size);
/* Resize *items to capacity items.  SQLITE_OK or SQLITE_NOMEM; on failure
** *items is unchanged. */
int tlm_resize(void *items, int64_t capacity, size_t item_size);
/* Make room for one more item in *items (count in use, *capacity
** allocated, each item_size bytes), doubling from 16.  SQLITE_OK or
** SQLITE_NOMEM; on failure *items is unchanged. */
int tlm_grow(void *items, int32_t count, int32_t *capacity, size_t item_size);

/* ------------------------------------------------- string -> int map */

typedef struct tlm_strmap {
  const char **keys;        /* borrowed; NULL = empty slot */
  int32_t *values;
  uint64_t mask;
  int32_t count;
} tlm_strmap;
int32_t tlm_strmap_get(const tlm_strmap *m, const char *key);   /* -1: absent */
int tlm_strmap_put(tlm_strmap *m, const char *key, int32_t value);
void tlm_strmap_free(tlm_strmap *m);

/* ------------------------------------------------------------- context */

typedef struct tlm_graph tlm_graph;

/* One per connection: holds the cached graph. */
typedef struct tlm_ext {
  sqlite3 *db;
  tlm_graph *cached;
} tlm_ext;

/* ----------------------------------------------------------- the graph */

/* Why a span is suspect; a span may have several. */
#define TLM_PROBLEM_ORPHAN      0x01   /* parent id not in the trace */
#define TLM_PROBLEM_UNFINISHED  0x02   /* end_ns NULL */
#define TLM_PROBLEM_CYCLE       0x04   /* parent chain loops; cut here */
#define TLM_PROBLEM_DUPLICATE   0x08   /* span id seen before in this trace */
#define TLM_PROBLEM_NEGATIVE    0x10   /* end_ns < start_ns */
#define TLM_PROBLEM_EXTRA_ROOT  0x20   /* a second span with no parent */

#define TLM_KIND_COUNT 6    /* unspecified internal server client producer consumer */
#define TLM_STATUS_UNSET 0
#define TLM_STATUS_OK    1
#define TLM_STATUS_ERROR 2

typedef struct tlm_node {
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
  uint8_t kind;             /* 0..5, see tlm_kind_names */
  uint8_t status;           /* TLM_STATUS_* */
  uint8_t problems;         /* TLM_PROBLEM_* */
} tlm_node;

struct tlm_graph {
  int refs;
  char trace_id[33];
  unsigned data_version;    /* cache key, with total_changes */
  int64_t total_changes;
  int32_t n;                /* spans */
  tlm_node *nodes;          /* in rowid (write) order, as loaded */
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
  int32_t with_attrs;       /* spans whose attrs is not NULL */
  int32_t string_count, string_capacity;
  char **strings;
};

extern const char *const tlm_kind_names[TLM_KIND_COUNT];
extern const char *const tlm_status_names[3];

/* Resolve trace_arg ('latest', an id, or a unique prefix) and give the
** graph of that trace, cached or loaded.  On error returns an SQLite code
** and sets *errmsg ("fn: what was wrong", sqlite3_malloc'd).  Release the
** graph with tlm_graph_release(). */
int tlm_graph_get(tlm_ext *ext, const char *fn, sqlite3_value *trace_arg,
                  tlm_graph **out, char **errmsg);
/* The same for an already resolved 32-digit id. */
int tlm_graph_get_id(tlm_ext *ext, const char *fn, const char *trace_id,
                     tlm_graph **out, char **errmsg);
void tlm_graph_release(tlm_graph *g);

/* The string at a pool index, or NULL for -1. */
static inline const char *tlm_str(const tlm_graph *g, int32_t index){
  return index >= 0 ? g->strings[index] : 0;
}
static inline int64_t tlm_duration(const tlm_node *n){ return n->end_ns - n->start_ns; }

/* Stable sort of (key, node) pairs by key (radix_sort.c).  A signed
** value keeps its order as a key with tlm_sort_signed(). */
typedef struct tlm_sort_key { uint64_t key; int32_t node; } tlm_sort_key;
int tlm_radix_sort(tlm_sort_key *keys, int32_t n);
static inline uint64_t tlm_sort_signed(int64_t v){ return (uint64_t)v ^ ((uint64_t)1 << 63); }

/* Self time of every node: its duration minus the union of its children's
** intervals clipped to it.  An array of g->n, sqlite3_free() it. */
int64_t *tlm_graph_self_ns(const tlm_graph *g);

/* The problems of one node, as words ("orphan, unfinished"), into buf. */
void tlm_problem_words(uint8_t problems, char *buf, int size);

/* Check the database has TraceLM's tables; 0 or an error message. */
char *tlm_check_database(sqlite3 *db, const char *fn);

/* Turn an argument into a trace id: 'latest', a full id or a unique prefix. */
int tlm_resolve_trace(sqlite3 *db, const char *fn, sqlite3_value *arg,
                      char out[33], char **errmsg);

/* Both importers' words for a span whose (trace_id, span_id) is taken:
** format arguments span id, trace id. */
#define TLM_SPAN_ALREADY_STORED \
  "span %s of trace %s is already stored (twice in this input, or imported before)"

/* Each span's attrs text (or NULL), in node order; for the exporters. */
int tlm_graph_load_attrs(tlm_ext *ext, const tlm_graph *g, char ***out, char **errmsg);
void tlm_free_strings(char **strings, int32_t count);

/* "span ID (name): orphan, unfinished" for a node with problems. */
char *tlm_problem_line(const tlm_graph *g, int32_t node);

/* ------------------------------------------------- text of any size */

/* Output that grows to hundreds of megabytes (text.c).  Zero-initialise;
** errors are sticky (rc), so appends need no checks. */
typedef struct tlm_text {
  char *z;
  int64_t n, capacity;
  int rc;                   /* SQLITE_OK or SQLITE_NOMEM */
} tlm_text;
void tlm_text_reserve(tlm_text *t, int64_t more);     /* room for more bytes */
/* Inline: an export appends a dozen pieces a span, most of them literals
** whose length and copy the compiler then works out.  After an error the
** buffer may still take bytes that fit; tlm_text_finish() drops them. */
static inline void tlm_text_append(tlm_text *t, const char *bytes, int64_t n){
  if( t->n + n >= t->capacity ){
    tlm_text_reserve(t, n);
    if( t->rc ) return;
  }
  memcpy(t->z + t->n, bytes, (size_t)n);
  t->n += n;
}
static inline void tlm_text_str(tlm_text *t, const char *s){
  tlm_text_append(t, s, (int64_t)strlen(s));
}
void tlm_text_char(tlm_text *t, char c);
/* Digits written backwards, ending at end; each returns where they start:
** v in decimal, or a count of thousandths as "W.ddd". */
char *tlm_decimal_digits(uint64_t v, char *end);
char *tlm_thousandths(uint64_t thousandths, char *end);
void tlm_text_int(tlm_text *t, int64_t value);
void tlm_text_micros(tlm_text *t, int64_t ns);        /* ns as "µs.nnn" */
void tlm_text_double(tlm_text *t, double value);      /* shortest exact */
void tlm_text_printf(tlm_text *t, const char *format, ...);   /* sqlite3_mprintf's formats */
/* The NUL-terminated text (sqlite3_free it) and its length, or NULL when
** out of memory.  Either way t is empty again. */
char *tlm_text_finish(tlm_text *t, int64_t *length);
void tlm_text_free(tlm_text *t);

/* ------------------------------------------------------ JSON as text */

/* Exports stream JSON text, one span at a time, so a million-span trace
** never becomes a million-node cJSON tree.  Strings are escaped by cJSON;
** each pooled string is escaped once. */
typedef struct tlm_json_out {
  tlm_text text;
  const tlm_graph *graph;
  char **quoted;            /* per pool string, cJSON-escaped, lazily */
} tlm_json_out;
int tlm_json_out_init(tlm_json_out *j, const tlm_graph *g);
void tlm_json_string(tlm_json_out *j, const char *text);        /* "..." */
void tlm_json_pooled(tlm_json_out *j, int32_t index);           /* "..." or null */
void tlm_json_item(tlm_json_out *j, const cJSON *item);          /* any value */
/* Make the text the function's result; or, when rc is an error, report
** "fn: errmsg" (errmsg may be NULL) and drop the text.  Frees errmsg. */
void tlm_json_out_result(tlm_json_out *j, sqlite3_context *ctx, const char *fn,
                         int rc, char *errmsg);
/* Hand a finished tlm_text to SQLite as the result, without a copy. */
void tlm_text_result(tlm_text *t, sqlite3_context *ctx);

/* ---------------------------------------------------- shared analyses */

typedef struct tlm_segment {
  int32_t node;
  int64_t start_ns, end_ns;
} tlm_segment;

/* The critical path of the root, in time order; sqlite3_free(*out). */
int tlm_critical_path(const tlm_graph *g, tlm_segment **out, int32_t *count);

typedef struct tlm_anomaly {
  int32_t node;
  const char *kind;
  char *detail;             /* sqlite3_malloc'd */
} tlm_anomaly;
int tlm_find_anomalies(const tlm_graph *g, tlm_anomaly **out, int32_t *count);
void tlm_free_anomalies(tlm_anomaly *a, int32_t count);

typedef struct tlm_bucket {
  char label[48];
  double lower_ms, upper_ms;   /* upper_ms < 0: no upper bound */
  int64_t count;
} tlm_bucket;
#define TLM_MAX_BUCKETS 65
/* bounds_json NULL: the default bounds.  Returns the bucket count, or -1
** with *errmsg set. */
int tlm_histogram(const tlm_graph *g, const char *bounds_json, tlm_bucket *out,
                  char **errmsg);

/* "12.345 ms": ns below 1 µs, then µs, ms, s with three decimals. */
void tlm_format_duration(int64_t ns, int ascii, char *buf, int size);

/* ------------------------------------------- table-valued functions */

typedef struct tlm_tvf_def {
  const char *name;
  const char *schema;       /* CREATE TABLE x(col, ..., arg HIDDEN, ...) */
  int column_count;         /* visible columns; the hidden arguments follow */
  int arg_count;
  int required_args;
  /* Compute the rows for these arguments (argc may be below arg_count). */
  int (*open)(tlm_ext *ext, sqlite3_value **argv, int argc, void **state,
              int64_t *row_count, char **errmsg);
  /* Called for every row in order, before its columns; may be NULL. */
  void (*advance)(void *state, int64_t row);
  void (*column)(void *state, int64_t row, int col, sqlite3_context *ctx);
  void (*close)(void *state);
} tlm_tvf_def;

int tlm_tvf_register(sqlite3 *db, tlm_ext *ext, const tlm_tvf_def *def);

/* Registration, one per analysis file (init.c calls them all). */
int tlm_register_trace_tree(sqlite3 *db, tlm_ext *ext);
int tlm_register_critical_path(sqlite3 *db, tlm_ext *ext);
int tlm_register_span_stats(sqlite3 *db, tlm_ext *ext);
int tlm_register_span_histogram(sqlite3 *db, tlm_ext *ext);
int tlm_register_trace_anomalies(sqlite3 *db, tlm_ext *ext);
int tlm_register_trace_compare(sqlite3 *db, tlm_ext *ext);
int tlm_register_trace_summary(sqlite3 *db, tlm_ext *ext);
int tlm_register_trace_validate(sqlite3 *db, tlm_ext *ext);
int tlm_register_export_chrome(sqlite3 *db, tlm_ext *ext);
int tlm_register_export_otel(sqlite3 *db, tlm_ext *ext);
int tlm_register_import_otel(sqlite3 *db, tlm_ext *ext);
int tlm_register_csv(sqlite3 *db, tlm_ext *ext);
int tlm_register_traceparent(sqlite3 *db, tlm_ext *ext);
int tlm_register_admin(sqlite3 *db, tlm_ext *ext);

/* Scalar-function helpers: report "fn: message" and return. */
void tlm_result_errorf(sqlite3_context *ctx, const char *fmt, ...);

#endif
