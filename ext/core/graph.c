/*
** graph.c — one trace's spans as a checked, ordered tree in memory.
**
** Every analysis starts here.  Building a graph:
**
**   1. Load: one scan of the trace's rows in rowid (write) order, so the
**      cost is the trace's size, never the table's, and the rows come off
**      the disk nearly in sequence; the rows reach C as the arguments of a
**      function the scan calls (row_scan.c says why).  Only the columns
**      of the shape when that is all the caller needs, else all of them
**      (the column lists below).  Names, models and services are
**      interned; ids become 64-bit integers.  A span with tokens and a
**      model but no recorded cost gets its cost from the price table.
**   2. Link: a hash of span id -> node gives each node its parent index.
**      A parent id not in the trace makes the node a "top": the root if it
**      is the only one (a continuation trace, whose parent is remote, is
**      valid), an orphan otherwise.  A duplicate id is flagged and the
**      first span with that id keeps it.
**   3. Times: an unfinished span (end_ns NULL) ends at the trace's last
**      known time; an end before the start becomes the start.  Both are
**      flagged, never fatal.
**   4. Order: children are stored contiguously per parent (CSR), sorted
**      by start time; an iterative depth-first walk gives the order every
**      tree-shaped output uses.  Nothing recurses, so a chain of a million
**      spans is as safe as a flat trace.
**   5. Break cycles, only when the walk missed spans (they hang off a
**      loop): walking up parent links with a colour per node finds every
**      loop in O(n); the node where a walk meets itself is cut from its
**      parent and flagged, and the order is computed again, so every span
**      still appears exactly once.
**
** docs/performance.md has its bytes per span.  A graph is cached on the
** connection, keyed by trace id, the file's data version (changes by other
** connections) and total_changes (changes by this one), so repeated calls
** in a statement or a report share one load and never see stale data; a
** cached shape is given its detail in place when a caller needs it.
*/
#include "graph.h"
#include "arrays.h"
#include "hexid.h"
#include "radix_sort.h"
#include "row_scan.h"
#include "strmap.h"
#include "trace_resolve.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

/* The columns a node holds, as (enum name, SQL expression): the enums and
** the scans' column lists are made from these lists.  The shape is what
** the tree, durations and the critical path need; the detail is the rest,
** read with the shape in one pass for a full graph, or by a second scan
** when a graph loaded for its shape is asked for more (widen()).  Reading
** 8 columns a span instead of 16 is a third less of a 1M-span scan
** (docs/performance.md, "Issue 16, fifth session").  attrs is only
** counted here (its text is read by the exporters that write it,
** span_attrs.c).  flags, trace_state and the OTLP columns are not even
** counted: only export_otel needs them, and testing eight columns per
** span for them was a fifth of every load (span_otlp.c reads them). */
#define SHAPE_COLUMNS(X) \
  X(SPAN_ID, "span_id") X(PARENT_ID, "parent_id") X(NAME, "name") X(KIND, "kind") \
  X(START_NS, "start_ns") X(END_NS, "end_ns") X(STATUS, "status")
#define DETAIL_COLUMNS(X) \
  X(STATUS_MESSAGE, "status_message") X(TOKENS_IN, "tokens_in")                  \
  X(TOKENS_OUT, "tokens_out") X(COST, "cost") X(MODEL, "model")                   \
  X(SERVICE, "service") X(THREAD_ID, "thread_id") X(HAS_ATTRS, "attrs IS NOT NULL")
#define X_ENUM(NAME, expr) LOAD_##NAME,
enum { SHAPE_COLUMNS(X_ENUM) SHAPE_COUNT };
enum { DETAIL_COLUMNS(X_ENUM) DETAIL_COUNT };
#undef X_ENUM
#define X_LIST(NAME, expr) ", " expr
static const char *const shape_columns = SHAPE_COLUMNS(X_LIST);
static const char *const detail_columns = DETAIL_COLUMNS(X_LIST);
#undef X_LIST

/* ------------------------------------------------ id hash (u64 -> i32) */

typedef struct id_slot { uint64_t key; int32_t value; } id_slot;

/* Key and value side by side: at a million spans the table is far larger
** than the CPU caches, and one miss per probe beats two. */
typedef struct id_map {
  id_slot *slots;           /* key 0 = empty */
  uint64_t mask;
} id_map;

static int id_map_init(id_map *m, int32_t count){
  uint64_t capacity = 16;
  while( capacity < (uint64_t)count * 2 ) capacity <<= 1;
  m->slots = tlm_array_zero((int64_t)capacity, sizeof *m->slots);
  m->mask = capacity - 1;
  return m->slots ? SQLITE_OK : SQLITE_NOMEM;
}

static uint64_t id_slot_of(const id_map *m, uint64_t key){
  /* Span ids are random, but imported ones may not be: mix first. */
  uint64_t h = key * 0x9e3779b97f4a7c15ull;
  return (h ^ (h >> 29)) & m->mask;
}

/* Insert; returns the existing value if the key was there, else -1. */
static int32_t id_map_put(id_map *m, uint64_t key, int32_t value){
  for(uint64_t i = id_slot_of(m, key);; i = (i + 1) & m->mask){
    if( m->slots[i].key == key ) return m->slots[i].value;
    if( m->slots[i].key == 0 ){
      m->slots[i].key = key;
      m->slots[i].value = value;
      return -1;
    }
  }
}

/* Probing a table far larger than the caches is one memory miss per key;
** asking for the slot of a key a few places ahead overlaps those misses. */
#define PREFETCH_AHEAD 8
static void id_map_prefetch(const id_map *m, uint64_t key){
  if( key ) TLM_PREFETCH(&m->slots[id_slot_of(m, key)]);
}

static int32_t id_map_get(const id_map *m, uint64_t key){
  for(uint64_t i = id_slot_of(m, key);; i = (i + 1) & m->mask){
    if( m->slots[i].key == key ) return m->slots[i].value;
    if( m->slots[i].key == 0 ) return -1;
  }
}

static void id_map_free(id_map *m){
  sqlite3_free(m->slots);
}

/* ---------------------------------------------------------- strings */

static int32_t pool_append(tlm_graph *g, const char *text){
  if( tlm_grow(&g->strings, g->string_count, &g->string_capacity, sizeof *g->strings) ) return -2;
  g->strings[g->string_count] = sqlite3_mprintf("%s", text);
  if( g->strings[g->string_count] == NULL ) return -2;
  return g->string_count++;
}

/* The pool index of text, adding it once; -1 for NULL, -2 out of memory. */
static int32_t intern(tlm_graph *g, tlm_strmap *interned, const char *text){
  int32_t index;
  if( text == NULL ) return -1;
  if( (index = tlm_strmap_get(interned, text)) >= 0 ) return index;
  index = pool_append(g, text);
  if( index >= 0 && tlm_strmap_put(interned, g->strings[index], index) ) return -2;
  return index;
}

/* ------------------------------------------------------------ loading */

static uint64_t parse_id(const unsigned char *text, int length){
  uint64_t id;
  if( text == NULL || length != 16 || tlm_span_id_from_hex((const char *)text, &id) ) return 0;
  return id;
}

/* Spans with tokens and a model but no recorded cost get their cost from
** the price table, through the span_cost view (sql/prices_and_runs.sql),
** the one place a price is looked up.  A database without the view (made
** by another tool) keeps recorded costs only. */
static void price_nodes(tlm_ext *ext, tlm_graph *g){
  sqlite3_stmt *stmt = NULL;
  for(int32_t i = 0; i < g->n; i++){
    tlm_node *n = &g->nodes[i];
    if( n->cost != 0 || n->model < 0 || n->tokens_in + n->tokens_out <= 0 ) continue;
    if( stmt == NULL && tlm_prepare(ext, "SELECT cost, cost_source = 'unknown_model',"
            " cost_source = 'price_table' FROM span_cost WHERE span_rowid = ?1", &stmt) != SQLITE_OK ){
      return;
    }
    sqlite3_bind_int64(stmt, 1, n->rowid);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      n->cost = sqlite3_column_double(stmt, 0);
      n->unpriced = sqlite3_column_int(stmt, 1) != 0;
      n->priced = sqlite3_column_int(stmt, 2) != 0;   /* a price of 0 is still a price */
    }
    sqlite3_reset(stmt);
  }
  tlm_finish(ext, stmt);
}

typedef struct loader {
  tlm_graph *g;
  int32_t capacity;         /* of g->nodes */
  tlm_strmap names;         /* names, models and services, interned */
  int in_rowid_order;       /* every rowid larger than the one before */
  tlm_graph_rider *rider;   /* or NULL */
} loader;

static const char *text_of(sqlite3_value *value){
  return (const char *)sqlite3_value_text(value);
}

/* The detail columns of node n (DETAIL_COLUMNS order). */
static int load_detail(tlm_graph *g, tlm_strmap *names, tlm_node *n, sqlite3_value **v){
  n->message = sqlite3_value_type(v[LOAD_STATUS_MESSAGE]) == SQLITE_NULL ? -1
             : pool_append(g, text_of(v[LOAD_STATUS_MESSAGE]));
  n->tokens_in = sqlite3_value_int64(v[LOAD_TOKENS_IN]);
  n->tokens_out = sqlite3_value_int64(v[LOAD_TOKENS_OUT]);
  n->cost = sqlite3_value_double(v[LOAD_COST]);
  n->model = intern(g, names, text_of(v[LOAD_MODEL]));
  n->service = intern(g, names, text_of(v[LOAD_SERVICE]));
  n->thread_id = sqlite3_value_int64(v[LOAD_THREAD_ID]);
  g->with_attrs += sqlite3_value_int(v[LOAD_HAS_ATTRS]);
  return n->model == -2 || n->service == -2 || n->message == -2 ? SQLITE_NOMEM : SQLITE_OK;
}

/* One span row (tlm_row_fn): the shape, then for a full graph the detail
** and a rider's columns. */
static int load_row(void *arg, int64_t rowid, sqlite3_value **v){
  loader *l = arg;
  tlm_graph *g = l->g;
  tlm_node *n;
  if( tlm_grow(&g->nodes, g->n, &l->capacity, sizeof *g->nodes) ) return SQLITE_NOMEM;
  if( g->n > 0 && rowid <= g->nodes[g->n - 1].rowid ) l->in_rowid_order = 0;
  n = &g->nodes[g->n++];
  memset(n, 0, sizeof *n);
  n->rowid = rowid;
  n->span_id = parse_id(sqlite3_value_text(v[LOAD_SPAN_ID]), sqlite3_value_bytes(v[LOAD_SPAN_ID]));
  n->parent_id = parse_id(sqlite3_value_text(v[LOAD_PARENT_ID]), sqlite3_value_bytes(v[LOAD_PARENT_ID]));
  n->name = intern(g, &l->names, text_of(v[LOAD_NAME]));
  n->kind = (uint8_t)tlm_kind_from_name(text_of(v[LOAD_KIND]));
  n->start_ns = sqlite3_value_int64(v[LOAD_START_NS]);
  if( sqlite3_value_type(v[LOAD_END_NS]) == SQLITE_NULL ){
    n->problems |= TLM_PROBLEM_UNFINISHED;
  }else{
    n->end_ns = sqlite3_value_int64(v[LOAD_END_NS]);
  }
  n->status = (uint8_t)tlm_status_from_name(text_of(v[LOAD_STATUS]));
  if( n->name == -1 ) n->name = intern(g, &l->names, "");
  if( n->name == -2 ) return SQLITE_NOMEM;
  if( !g->full ){
    n->message = n->model = n->service = -1;
    return SQLITE_OK;
  }
  if( load_detail(g, &l->names, n, v + SHAPE_COUNT) ) return SQLITE_NOMEM;
  return l->rider ? l->rider->each(l->rider->arg, rowid, v + SHAPE_COUNT + DETAIL_COUNT) : SQLITE_OK;
}

/* Nodes into rowid order, should SQLite ever have scanned another way. */
static int sort_by_rowid(tlm_graph *g){
  tlm_sort_key *keys = tlm_array(g->n, sizeof *keys);
  tlm_node *sorted = tlm_array(g->n, sizeof *sorted);
  int rc = keys && sorted ? SQLITE_OK : SQLITE_NOMEM;
  for(int32_t i = 0; rc == SQLITE_OK && i < g->n; i++){
    keys[i] = (tlm_sort_key){ tlm_sort_signed(g->nodes[i].rowid), i };
  }
  if( rc == SQLITE_OK ) rc = tlm_radix_sort(keys, g->n);
  if( rc == SQLITE_OK ){
    for(int32_t i = 0; i < g->n; i++) sorted[i] = g->nodes[keys[i].node];
    sqlite3_free(g->nodes);
    g->nodes = sorted;
    sorted = NULL;
  }
  sqlite3_free(keys);
  sqlite3_free(sorted);
  return rc;
}

/* traces.span_count for the trace, or -1 where there is no such row: a
** hint, kept by triggers and the recorder, never trusted for correctness. */
static int64_t span_count_hint(tlm_ext *ext, const char *trace_id){
  sqlite3_stmt *stmt;
  int64_t count = -1;
  if( tlm_prepare(ext, "SELECT span_count FROM traces WHERE trace_id = ?1", &stmt) != SQLITE_OK ) return -1;
  sqlite3_bind_text(stmt, 1, trace_id, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_INTEGER ){
    count = sqlite3_column_int64(stmt, 0);
  }
  tlm_finish(ext, stmt);
  return count;
}

static int load_nodes(tlm_ext *ext, tlm_graph *g, tlm_graph_rider *rider, char **errmsg){
  loader l = { g, 0, {0}, 1, rider };
  char *columns = g->full ? sqlite3_mprintf("%s%s%s", shape_columns, detail_columns,
                                            rider ? rider->columns : "")
                          : sqlite3_mprintf("%s", shape_columns);
  int rc;
  if( columns == NULL ) return SQLITE_NOMEM;
  /* Allocate once at the size traces says: doubling a 100 MB array costs
  ** copies and twice the page faults.  The count is only a hint. */
  int64_t hint = span_count_hint(ext, g->trace_id);
  if( hint > 0 && hint < INT32_MAX / 2 ){
    g->nodes = tlm_array(hint, sizeof *g->nodes);
    if( g->nodes ) l.capacity = (int32_t)hint;
  }
  rc = tlm_scan_rows(ext, g->trace_id, hint, columns, load_row, &l, errmsg);
  sqlite3_free(columns);
  tlm_strmap_free(&l.names);
  if( rc == SQLITE_OK && !l.in_rowid_order ) rc = sort_by_rowid(g);
  if( rc == SQLITE_OK && g->full ) price_nodes(ext, g);
  return rc;
}

/* The scans below expect node `hint`, the one after the last they found,
** and are nearly always right. */
int32_t tlm_graph_node_of_rowid(const tlm_graph *g, int64_t rowid, int32_t hint){
  int32_t lo = 0, hi = g->n;
  if( hint >= 0 && hint < g->n && g->nodes[hint].rowid == rowid ) return hint;
  while( lo < hi ){
    int32_t mid = lo + (hi - lo) / 2;
    if( g->nodes[mid].rowid < rowid ) lo = mid + 1;
    else hi = mid;
  }
  return lo < g->n && g->nodes[lo].rowid == rowid ? lo : -1;
}

typedef struct node_scan {
  const tlm_graph *g;
  tlm_node_fn each;
  void *arg;
  int32_t next;             /* the node the next row most likely is */
} node_scan;

static int scan_node_row(void *arg, int64_t rowid, sqlite3_value **values){
  node_scan *scan = arg;
  int32_t node = tlm_graph_node_of_rowid(scan->g, rowid, scan->next);
  if( node < 0 ) return SQLITE_OK;   /* not in the graph: none can be, but never trust it */
  scan->next = node + 1;
  return scan->each(scan->arg, node, values);
}

int tlm_graph_scan(tlm_ext *ext, const tlm_graph *g, const char *columns,
                   tlm_node_fn each, void *arg, char **errmsg){
  node_scan scan = { g, each, arg, 0 };
  return tlm_scan_rows(ext, g->trace_id, g->n, columns, scan_node_row, &scan, errmsg);
}

typedef struct widener {
  tlm_graph *g;
  tlm_strmap names;
} widener;

static int widen_row(void *arg, int32_t node, sqlite3_value **values){
  widener *w = arg;
  return load_detail(w->g, &w->names, &w->g->nodes[node], values);
}

/* A graph loaded for its shape, given its detail columns in place: the
** users of the shape read none of them.  The pool's strings seed the
** interning, so a string is still in the pool once.  Called only while
** the cache key still holds, so the scan sees the rows the graph has. */
static int widen(tlm_ext *ext, tlm_graph *g, char **errmsg){
  widener w = { g, {0} };
  int rc = SQLITE_OK;
  g->with_attrs = 0;
  for(int32_t i = 0; i < g->string_count && rc == SQLITE_OK; i++){
    if( tlm_strmap_get(&w.names, g->strings[i]) < 0 ) rc = tlm_strmap_put(&w.names, g->strings[i], i);
  }
  if( rc == SQLITE_OK ) rc = tlm_graph_scan(ext, g, detail_columns, widen_row, &w, errmsg);
  tlm_strmap_free(&w.names);
  if( rc != SQLITE_OK ) return rc;
  price_nodes(ext, g);
  g->full = 1;
  return SQLITE_OK;
}

/* ---------------------------------------------------------- linking */

static int link_parents(tlm_graph *g){
  id_map ids;
  if( id_map_init(&ids, g->n) != SQLITE_OK ){ id_map_free(&ids); return SQLITE_NOMEM; }
  for(int32_t i = 0; i < g->n; i++){
    if( i + PREFETCH_AHEAD < g->n ) id_map_prefetch(&ids, g->nodes[i + PREFETCH_AHEAD].span_id);
    if( g->nodes[i].span_id == 0 ) continue;
    if( id_map_put(&ids, g->nodes[i].span_id, i) >= 0 ){
      g->nodes[i].problems |= TLM_PROBLEM_DUPLICATE;
    }
  }
  for(int32_t i = 0; i < g->n; i++){
    tlm_node *n = &g->nodes[i];
    if( i + PREFETCH_AHEAD < g->n ) id_map_prefetch(&ids, g->nodes[i + PREFETCH_AHEAD].parent_id);
    n->parent = n->parent_id ? id_map_get(&ids, n->parent_id) : -1;
    if( n->parent == i ){
      n->parent = -1;
      n->problems |= TLM_PROBLEM_CYCLE;
    }
  }
  id_map_free(&ids);
  return SQLITE_OK;
}

/* Colour 0: not seen; 1: on the current upward walk; 2: known to reach a
** top.  A walk that meets colour 1 has found a loop: cut it there. */
static int break_cycles(tlm_graph *g){
  uint8_t *colour = tlm_array(g->n, 1);
  int32_t *path = tlm_array(g->n, sizeof *path);
  if( !colour || !path ){ sqlite3_free(colour); sqlite3_free(path); return SQLITE_NOMEM; }
  memset(colour, 0, g->n);
  for(int32_t i = 0; i < g->n; i++){
    int32_t length = 0, at = i;
    while( at >= 0 && colour[at] == 0 ){
      colour[at] = 1;
      path[length++] = at;
      at = g->nodes[at].parent;
    }
    if( at >= 0 && colour[at] == 1 ){
      g->nodes[at].parent = -1;
      g->nodes[at].problems |= TLM_PROBLEM_CYCLE;
    }
    while( length > 0 ) colour[path[--length]] = 2;
  }
  sqlite3_free(colour);
  sqlite3_free(path);
  return SQLITE_OK;
}

static void fix_times(tlm_graph *g){
  int64_t first = INT64_MAX, last = INT64_MIN;
  for(int32_t i = 0; i < g->n; i++){
    const tlm_node *n = &g->nodes[i];
    if( n->start_ns < first ) first = n->start_ns;
    if( n->start_ns > last ) last = n->start_ns;
    if( !(n->problems & TLM_PROBLEM_UNFINISHED) && n->end_ns > last ) last = n->end_ns;
  }
  g->start_ns = g->n ? first : 0;
  g->end_ns = g->n ? last : 0;
  for(int32_t i = 0; i < g->n; i++){
    tlm_node *n = &g->nodes[i];
    if( n->problems & TLM_PROBLEM_UNFINISHED ) n->end_ns = last;
    if( n->end_ns < n->start_ns ){
      n->end_ns = n->start_ns;
      n->problems |= TLM_PROBLEM_NEGATIVE;
    }
  }
}

/* ----------------------------------------------------------- ordering */

/* Equal starts, rare with nanosecond clocks, are ordered longer first,
** then in write order; such a run is sorted by value. */
typedef struct start_key { int64_t end_ns; int32_t node; } start_key;

static int longer_first(const void *a, const void *b){
  const start_key *x = a, *y = b;
  if( x->end_ns != y->end_ns ) return x->end_ns > y->end_ns ? -1 : 1;
  return x->node - y->node;
}

static int sort_equal_starts(const tlm_graph *g, tlm_sort_key *run, int32_t length){
  start_key small[16], *keys = length <= 16 ? small : tlm_array(length, sizeof *keys);
  if( keys == NULL ) return SQLITE_NOMEM;
  for(int32_t i = 0; i < length; i++){
    keys[i] = (start_key){ g->nodes[run[i].node].end_ns, run[i].node };
  }
  qsort(keys, length, sizeof *keys, longer_first);
  for(int32_t i = 0; i < length; i++) run[i].node = keys[i].node;
  if( keys != small ) sqlite3_free(keys);
  return SQLITE_OK;
}

/* g->by_start: a radix sort on the start (qsort's merge sort showed in
** the load's profile; docs/performance.md), stable, so write order survives. */
static int sort_by_start(tlm_graph *g){
  tlm_sort_key *keys = tlm_array(g->n, sizeof *keys);
  int rc = keys ? SQLITE_OK : SQLITE_NOMEM;
  for(int32_t i = 0; i < g->n && keys; i++){
    keys[i] = (tlm_sort_key){ tlm_sort_signed(g->nodes[i].start_ns), i };
  }
  if( rc == SQLITE_OK ) rc = tlm_radix_sort(keys, g->n);
  for(int32_t lo = 0, hi; rc == SQLITE_OK && lo < g->n; lo = hi){
    for(hi = lo + 1; hi < g->n && keys[hi].key == keys[lo].key; hi++){}
    if( hi - lo > 1 ) rc = sort_equal_starts(g, keys + lo, hi - lo);
  }
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++) g->by_start[k] = keys[k].node;
  sqlite3_free(keys);
  return rc;
}

static int order_graph(tlm_graph *g){
  int32_t n = g->n, filled = 0, root = -1;
  int32_t *next = tlm_array(n, sizeof(int32_t));
  int32_t *stack = tlm_array(n, sizeof(int32_t));
  if( !g->child_start ) g->child_start = tlm_array(n, sizeof(int32_t));
  if( !g->child_count ) g->child_count = tlm_array(n, sizeof(int32_t));
  if( !g->children ) g->children = tlm_array(n, sizeof(int32_t));
  if( !g->tops ) g->tops = tlm_array(n, sizeof(int32_t));
  if( !g->order ) g->order = tlm_array(n, sizeof(int32_t));
  if( !g->depth ) g->depth = tlm_array(n, sizeof(int32_t));
  if( !g->by_start ) g->by_start = tlm_array(n, sizeof(int32_t));
  if( !next || !stack || !g->child_start || !g->child_count || !g->children
   || !g->tops || !g->order || !g->depth || !g->by_start || sort_by_start(g) != SQLITE_OK ){
    sqlite3_free(next); sqlite3_free(stack);
    return SQLITE_NOMEM;
  }

  /* Children per parent, laid out contiguously in start order. */
  memset(g->child_count, 0, n * sizeof(int32_t));
  for(int32_t i = 0; i < n; i++){
    if( g->nodes[i].parent >= 0 ) g->child_count[g->nodes[i].parent]++;
  }
  for(int32_t i = 0, offset = 0; i < n; i++){
    g->child_start[i] = offset;
    next[i] = offset;
    offset += g->child_count[i];
  }
  g->top_count = 0;
  for(int32_t k = 0; k < n; k++){
    int32_t i = g->by_start[k], parent = g->nodes[i].parent;
    if( parent >= 0 ) g->children[next[parent]++] = i;
    else g->tops[g->top_count++] = i;
  }

  /* The root: the earliest top with no parent id at all; failing that
  ** (a continuation, whose parent lives in another process), the earliest
  ** top.  Every other top is suspect. */
  for(int32_t t = 0; t < g->top_count && root < 0; t++){
    if( g->nodes[g->tops[t]].parent_id == 0 ) root = t;
  }
  if( root < 0 && g->top_count > 0 ) root = 0;
  if( root > 0 ){
    int32_t chosen = g->tops[root];
    memmove(&g->tops[1], &g->tops[0], root * sizeof(int32_t));
    g->tops[0] = chosen;
  }
  g->root = g->top_count ? g->tops[0] : -1;

  /* Depth-first, iteratively: push children in reverse so they pop in order. */
  int32_t height = 0;
  for(int32_t t = g->top_count - 1; t >= 0; t--){
    stack[height++] = g->tops[t];
    g->depth[g->tops[t]] = 0;
  }
  while( height > 0 ){
    int32_t at = stack[--height];
    g->order[filled++] = at;
    for(int32_t c = g->child_count[at] - 1; c >= 0; c--){
      int32_t child = g->children[g->child_start[at] + c];
      g->depth[child] = g->depth[at] + 1;
      stack[height++] = child;
    }
  }
  sqlite3_free(next);
  sqlite3_free(stack);
  /* Spans the walk never reached hang off a loop: the caller cuts the
  ** loops and orders again. */
  if( filled != n ) return SQLITE_CORRUPT;
  for(int32_t t = 1; t < g->top_count; t++){
    tlm_node *top = &g->nodes[g->tops[t]];
    if( top->problems & TLM_PROBLEM_CYCLE ) continue;
    top->problems |= top->parent_id ? TLM_PROBLEM_ORPHAN : TLM_PROBLEM_EXTRA_ROOT;
  }
  return SQLITE_OK;
}

/* -------------------------------------------------------- the graph */

static void graph_free(tlm_graph *g){
  if( g == NULL ) return;
  sqlite3_free(g->nodes);
  sqlite3_free(g->child_start);
  sqlite3_free(g->child_count);
  sqlite3_free(g->children);
  sqlite3_free(g->tops);
  sqlite3_free(g->order);
  sqlite3_free(g->depth);
  sqlite3_free(g->by_start);
  tlm_free_strings(g->strings, g->string_count);
  sqlite3_free(g);
}

void tlm_graph_release(tlm_graph *g){
  if( g && --g->refs == 0 ) graph_free(g);
}

static void cache_key(sqlite3 *db, unsigned *data_version, int64_t *total_changes){
  *data_version = 0;
  sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, data_version);
  *total_changes = sqlite3_total_changes64(db);
}

static int graph_build(tlm_ext *ext, const char *trace_id, int full, tlm_graph_rider *rider,
                       tlm_graph **out, char **errmsg){
  tlm_graph *g = sqlite3_malloc64(sizeof *g);
  int rc;
  *out = NULL;
  if( g == NULL ) return SQLITE_NOMEM;
  memset(g, 0, sizeof *g);
  g->refs = 1;
  g->full = full;
  snprintf(g->trace_id, sizeof g->trace_id, "%s", trace_id);
  rc = load_nodes(ext, g, rider, errmsg);
  if( rc == SQLITE_OK ) rc = link_parents(g);
  if( rc == SQLITE_OK ){ fix_times(g); rc = order_graph(g); }
  /* Loops are rare and cost a walk up every parent chain to find, so
  ** look for them only when the depth-first walk missed spans. */
  if( rc == SQLITE_CORRUPT ){
    rc = break_cycles(g);
    if( rc == SQLITE_OK ) rc = order_graph(g);
  }
  if( rc != SQLITE_OK ){
    if( *errmsg == NULL ) *errmsg = sqlite3_mprintf("%s", sqlite3_errstr(rc));
    graph_free(g);
    return rc;
  }
  *out = g;
  return SQLITE_OK;
}

/* The graph of trace_id, from the cache when it still holds (given its
** detail if full is asked and it has only its shape), else loaded and
** cached.  A rider makes the load full. */
static int graph_get_id(tlm_ext *ext, const char *fn, const char *trace_id, int full,
                        tlm_graph_rider *rider, tlm_graph **out, char **errmsg){
  unsigned data_version;
  int64_t total_changes;
  char *why = NULL;
  int rc;
  if( rider ) full = 1;
  cache_key(ext->db, &data_version, &total_changes);
  if( ext->cached && strcmp(ext->cached->trace_id, trace_id) == 0
   && ext->cached->data_version == data_version
   && ext->cached->total_changes == total_changes ){
    if( full && !ext->cached->full && (rc = widen(ext, ext->cached, &why)) ){
      *errmsg = sqlite3_mprintf("%s: %s", fn, why ? why : sqlite3_errstr(rc));
      sqlite3_free(why);
      return rc;
    }
    ext->cached->refs++;
    *out = ext->cached;
    return SQLITE_OK;
  }
  rc = graph_build(ext, trace_id, full, rider, out, &why);
  if( rc != SQLITE_OK ){
    *errmsg = sqlite3_mprintf("%s: %s", fn, why);
    sqlite3_free(why);
    return rc;
  }
  if( rider ) rider->delivered = 1;
  (*out)->data_version = data_version;
  (*out)->total_changes = total_changes;
  tlm_graph_release(ext->cached);
  ext->cached = *out;
  (*out)->refs++;
  return SQLITE_OK;
}

int tlm_graph_get_id(tlm_ext *ext, const char *fn, const char *trace_id,
                     tlm_graph **out, char **errmsg){
  return graph_get_id(ext, fn, trace_id, 1, NULL, out, errmsg);
}

static int graph_get(tlm_ext *ext, const char *fn, sqlite3_value *trace_arg, int full,
                     tlm_graph_rider *rider, tlm_graph **out, char **errmsg){
  char trace_id[33];
  int rc = tlm_resolve_trace(ext->db, fn, trace_arg, trace_id, errmsg);
  if( rc != SQLITE_OK ) return rc;
  return graph_get_id(ext, fn, trace_id, full, rider, out, errmsg);
}

int tlm_graph_get(tlm_ext *ext, const char *fn, sqlite3_value *trace_arg,
                  tlm_graph **out, char **errmsg){
  return graph_get(ext, fn, trace_arg, 1, NULL, out, errmsg);
}

int tlm_graph_get_shape(tlm_ext *ext, const char *fn, sqlite3_value *trace_arg,
                        tlm_graph **out, char **errmsg){
  return graph_get(ext, fn, trace_arg, 0, NULL, out, errmsg);
}

static tlm_graph *graph_for_function(sqlite3_context *ctx, const char *fn,
                                     sqlite3_value *trace_arg, int full, tlm_graph_rider *rider){
  tlm_graph *g;
  char *errmsg = NULL;
  if( graph_get(sqlite3_user_data(ctx), fn, trace_arg, full, rider, &g, &errmsg) != SQLITE_OK ){
    sqlite3_result_error(ctx, errmsg ? errmsg : "out of memory", -1);
    sqlite3_free(errmsg);
    return NULL;
  }
  return g;
}

tlm_graph *tlm_graph_for_function_with(sqlite3_context *ctx, const char *fn,
                                       sqlite3_value *trace_arg, tlm_graph_rider *rider){
  return graph_for_function(ctx, fn, trace_arg, 1, rider);
}

tlm_graph *tlm_graph_for_function(sqlite3_context *ctx, const char *fn, sqlite3_value *trace_arg){
  return graph_for_function(ctx, fn, trace_arg, 1, NULL);
}

tlm_graph *tlm_graph_shape_for_function(sqlite3_context *ctx, const char *fn,
                                        sqlite3_value *trace_arg){
  return graph_for_function(ctx, fn, trace_arg, 0, NULL);
}
