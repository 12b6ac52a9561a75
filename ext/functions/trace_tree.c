/*
** trace_tree.c — trace_tree(trace_id [, style]): the trace as a tree.
**
**   sqlite> SELECT line FROM trace_tree('latest');
**   rag_pipeline (142.381 ms)
**   ├── load_prompt (5.127 ms)
**   ├── retrieve_context (48.260 ms)
**   │   ├── retrieve_docs (30.112 ms)
**   │   └── retrieve_faq (41.907 ms)
**   └── llm_call (80.511 ms)
**
** One row per span, depth-first, children by start time.  Columns:
** span_id, parent_id, depth, name, start_ns, end_ns, offset_ns (from the
** trace's start), duration_ns, self_ns, tokens_in, tokens_out, cost, status,
** problem, line.  style 'ascii' draws "+-- ", "\-- ", "|   " and writes
** "us" for microseconds.
**
** HOW IT WORKS
**   CREATE TABLE x(span_id, ..., line, trace_id HIDDEN, style HIDDEN)
** The graph (graph.c) already holds the depth-first order.  self_ns is
** the span's duration minus the union of its children's intervals clipped
** to it, so two parallel children are not subtracted twice (the seed tool
** subtracted their sum and could report negative self time).  The line
** prefix depends on whether each ancestor was a last child; the cursor
** keeps the row before's prefix and where each depth's connector ends in
** it, so a row adds one connector, not its ancestors' walk.  Orphans and cycle breaks are
** extra top-level rows after the root's tree, with `problem` saying why.
** Beyond depth 100 the connectors give way to "[depth N] ": a prefix that
** wide is unreadable and would make the output quadratic.
*/
#include "text.h"
#include "tvf.h"
#include "analyses.h"
#include "arrays.h"
#include "hexid.h"
#include "span_row.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

#define TREE_SPAN_ID     0
#define TREE_PARENT_ID   1
#define TREE_DEPTH       2
#define TREE_NAME        3
#define TREE_START_NS    4
#define TREE_END_NS      5
#define TREE_OFFSET_NS   6
#define TREE_DURATION_NS 7
#define TREE_SELF_NS     8
#define TREE_TOKENS_IN   9
#define TREE_TOKENS_OUT  10
#define TREE_COST        11
#define TREE_STATUS      12
#define TREE_PROBLEM     13
#define TREE_LINE        14
#define TREE_COLUMNS     15
/* The columns, numbered as above, then the hidden arguments. */
static const char trace_tree_schema[] =
  "CREATE TABLE x(span_id, parent_id, depth, name, start_ns, end_ns, offset_ns,"
  " duration_ns, self_ns, tokens_in, tokens_out, cost, status, problem, line,"
  " trace_id HIDDEN, style HIDDEN)";

#define MAX_DRAWN_DEPTH 100

typedef struct tree_rows {
  tlm_graph *graph;
  int64_t *self_ns;          /* per node */
  uint8_t *last_child;       /* per node: the last of its parent's children */
  int32_t *prefix_end;       /* prefix bytes that draw depths 1..d */
  int ascii;
  tlm_text prefix;           /* the current row's ancestors' connectors */
  tlm_text line;             /* the current row's line, reused row to row */
} tree_rows;

static void tree_close(void *state){
  tree_rows *t = state;
  tlm_graph_release(t->graph);
  sqlite3_free(t->self_ns);
  sqlite3_free(t->last_child);
  sqlite3_free(t->prefix_end);
  tlm_text_free(&t->prefix);
  tlm_text_free(&t->line);
  sqlite3_free(t);
}

/* Which nodes are the last child of their parent (tops count as last),
** found in one pass over the children lists: asked row by row, it was
** three dependent cache misses per row of a million-span tree. */
static uint8_t *last_children(const tlm_graph *g){
  uint8_t *last = tlm_array_zero(g->n, 1);
  if( last == NULL ) return NULL;
  for(int32_t t = 0; t < g->top_count; t++) last[g->tops[t]] = 1;
  for(int32_t i = 0; i < g->n; i++){
    if( g->child_count[i] ) last[g->children[g->child_start[i] + g->child_count[i] - 1]] = 1;
  }
  return last;
}

static int tree_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                     void **state, int64_t *row_count, char **errmsg){
  tree_rows *t;
  int ascii = 0, max_depth = 0;
  if( argc > 1 ){
    const char *style = (const char *)sqlite3_value_text(argv[1]);
    if( sqlite3_value_type(argv[1]) != SQLITE_TEXT
     || (strcmp(style, "ascii") && strcmp(style, "unicode")) ){
      *errmsg = sqlite3_mprintf("trace_tree: style must be 'unicode' or 'ascii'");
      return SQLITE_ERROR;
    }
    ascii = strcmp(style, "ascii") == 0;
  }
  t = sqlite3_malloc(sizeof *t);
  if( t == NULL ) return SQLITE_NOMEM;
  memset(t, 0, sizeof *t);
  t->ascii = ascii;
  /* Only tokens and cost need the graph's detail; the tree, the lines
  ** and the times need its shape, half the columns to read. */
  uint64_t detail = (uint64_t)1 << TREE_TOKENS_IN | (uint64_t)1 << TREE_TOKENS_OUT
                  | (uint64_t)1 << TREE_COST;
  int rc = (used & detail) ? tlm_graph_get(ext, "trace_tree", argv[0], &t->graph, errmsg)
                           : tlm_graph_get_shape(ext, "trace_tree", argv[0], &t->graph, errmsg);
  if( rc != SQLITE_OK ){ sqlite3_free(t); return rc; }
  for(int32_t i = 0; i < t->graph->n; i++){
    if( t->graph->depth[i] > max_depth ) max_depth = t->graph->depth[i];
  }
  if( max_depth > MAX_DRAWN_DEPTH ) max_depth = MAX_DRAWN_DEPTH;
  t->self_ns = tlm_graph_self_ns(t->graph);
  t->last_child = last_children(t->graph);
  t->prefix_end = sqlite3_malloc64(((uint64_t)max_depth + 1) * sizeof *t->prefix_end);
  if( !t->self_ns || !t->last_child || !t->prefix_end ){
    tree_close(t);
    return SQLITE_NOMEM;
  }
  t->prefix_end[0] = 0;
  *state = t;
  *row_count = t->graph->n;
  return SQLITE_OK;
}

/* Rows come in depth-first order, so the connectors of a row's ancestors
** are those of the row before it up to its parent's depth: the prefix is
** cut there and one connector added, instead of drawn again per row. */
static void tree_advance(void *state, int64_t row){
  tree_rows *t = state;
  const tlm_graph *g = t->graph;
  int32_t node = g->order[row];
  int32_t depth = g->depth[node];
  /* Rows follow the depth-first order, not storage: ask for a later
  ** row's span ahead, as the graph's loader does. */
  if( row + 8 < g->n ){
    int32_t ahead = g->order[row + 8];
    TLM_PREFETCH(&g->nodes[ahead]);
    TLM_PREFETCH(&g->depth[ahead]);
    TLM_PREFETCH(&t->self_ns[ahead]);
    TLM_PREFETCH(&t->last_child[ahead]);
  }
  if( depth < 1 || depth > MAX_DRAWN_DEPTH ) return;
  t->prefix.n = t->prefix_end[depth - 1];
  tlm_text_str(&t->prefix, t->last_child[node] ? "    " : (t->ascii ? "|   " : "│   "));
  t->prefix_end[depth] = (int32_t)t->prefix.n;
}

static void tree_line(tree_rows *t, int32_t node, sqlite3_context *ctx){
  const tlm_graph *g = t->graph;
  const tlm_node *n = &g->nodes[node];
  int32_t depth = g->depth[node];
  tlm_text *line = &t->line;
  char duration[32], problems[96];
  line->n = 0;
  if( depth > MAX_DRAWN_DEPTH ){
    tlm_text_printf(line, "[depth %d] ", depth);
  }else{
    if( depth > 1 ) tlm_text_append(line, t->prefix.z, t->prefix_end[depth - 1]);
    if( depth > 0 ){
      tlm_text_str(line, t->last_child[node]
          ? (t->ascii ? "\\-- " : "└── ") : (t->ascii ? "+-- " : "├── "));
    }
  }
  tlm_format_duration(tlm_duration(n), t->ascii, duration, sizeof duration);
  tlm_text_str(line, tlm_str(g, n->name));
  tlm_text_append(line, " (", 2);
  tlm_text_str(line, duration);
  tlm_text_char(line, ')');
  if( n->status == TLM_STATUS_ERROR ) tlm_text_str(line, " [error]");
  if( n->problems ){
    tlm_problem_words(n->problems, problems, sizeof problems);
    tlm_text_append(line, " [", 2);
    tlm_text_str(line, problems);
    tlm_text_char(line, ']');
  }
  if( line->rc ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, line->z, (int)line->n, SQLITE_TRANSIENT);
}

static void result_id(sqlite3_context *ctx, uint64_t id){
  char hex[17];
  if( id == 0 ){ sqlite3_result_null(ctx); return; }
  tlm_span_id_to_hex(id, hex);
  sqlite3_result_text(ctx, hex, 16, SQLITE_TRANSIENT);
}

static void tree_column(void *state, int64_t row, int col, sqlite3_context *ctx){
  tree_rows *t = state;
  const tlm_graph *g = t->graph;
  int32_t node = g->order[row];
  const tlm_node *n = &g->nodes[node];
  switch( col ){
    case TREE_SPAN_ID:     result_id(ctx, n->span_id); break;
    case TREE_PARENT_ID:   result_id(ctx, n->parent_id); break;
    case TREE_DEPTH:       sqlite3_result_int(ctx, g->depth[node]); break;
    case TREE_NAME:        sqlite3_result_text(ctx, tlm_str(g, n->name), -1, SQLITE_STATIC); break;
    case TREE_START_NS:    sqlite3_result_int64(ctx, n->start_ns); break;
    case TREE_END_NS:      sqlite3_result_int64(ctx, n->end_ns); break;
    case TREE_OFFSET_NS:   sqlite3_result_int64(ctx, n->start_ns - g->start_ns); break;
    case TREE_DURATION_NS: sqlite3_result_int64(ctx, tlm_duration(n)); break;
    case TREE_SELF_NS:     sqlite3_result_int64(ctx, t->self_ns[node]); break;
    case TREE_TOKENS_IN:   sqlite3_result_int64(ctx, n->tokens_in); break;
    case TREE_TOKENS_OUT:  sqlite3_result_int64(ctx, n->tokens_out); break;
    case TREE_COST:        sqlite3_result_double(ctx, n->cost); break;
    case TREE_STATUS:      sqlite3_result_text(ctx, tlm_status_names[n->status], -1, SQLITE_STATIC); break;
    case TREE_PROBLEM:
      if( n->problems ){
        char words[96];
        tlm_problem_words(n->problems, words, sizeof words);
        sqlite3_result_text(ctx, words, -1, SQLITE_TRANSIENT);
      }
      break;
    case TREE_LINE:        tree_line(t, node, ctx); break;
  }
}

static const tlm_tvf_def trace_tree_def = {
  .name = "trace_tree",
  .schema = trace_tree_schema,
  .column_count = TREE_COLUMNS,
  .arg_count = 2,
  .required_args = 1,
  .open = tree_open,
  .advance = tree_advance,
  .column = tree_column,
  .close = tree_close,
};

int tlm_register_trace_tree(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &trace_tree_def);
}
