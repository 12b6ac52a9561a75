/*
** trace_compare.c — trace_compare(a, b): what changed between two runs.
**
**   sqlite> SELECT path, total_ns_a, total_ns_b, delta_pct, change
**      ...>   FROM trace_compare('55df12', 'latest');
**   *|142381000|120005000|-15.7|faster
**   rag_pipeline|142381000|120005000|-15.7|faster
**   rag_pipeline/llm_call|80511000|60102000|-25.3|faster
**   rag_pipeline/rerank|||NULL|added
**
** Spans are matched by their path of names from the top ("root/retrieve/
** embed"), so two runs of the same pipeline line up although every id
** differs; spans with the same path are summed.  One row per path, first
** the total row '*' (the whole trace: its duration, all tokens and cost),
** then paths in A's tree order, then those only B has.
**
** Columns: path, count_a, count_b, total_ns_a, total_ns_b, delta_ns,
** delta_pct (NULL when A's time is 0), tokens_in_a, tokens_in_b,
** tokens_in_delta, tokens_out_a, tokens_out_b, tokens_out_delta, cost_a,
** cost_b, cost_delta, change.
**
** change: 'added' (only in B), 'removed' (only in A), else 'same' when
** the time moved by less than 5% or less than 0.1 ms (timer noise on a
** fast span is not a regression), else 'slower' or 'faster'.
*/
#include "tvf.h"
#include "graph.h"
#include "arrays.h"
#include "strmap.h"
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define SAME_RATIO    0.05
#define SAME_FLOOR_NS 100000

enum {
  CMP_PATH, CMP_COUNT_A, CMP_COUNT_B, CMP_TOTAL_NS_A, CMP_TOTAL_NS_B, CMP_DELTA_NS,
  CMP_DELTA_PCT, CMP_TOKENS_IN_A, CMP_TOKENS_IN_B, CMP_TOKENS_IN_DELTA,
  CMP_TOKENS_OUT_A, CMP_TOKENS_OUT_B, CMP_TOKENS_OUT_DELTA, CMP_COST_A, CMP_COST_B,
  CMP_COST_DELTA, CMP_CHANGE, CMP_COLUMNS
};
/* The columns, numbered as above, then the hidden arguments. */
static const char trace_compare_schema[] =
  "CREATE TABLE x(path, count_a, count_b, total_ns_a, total_ns_b, delta_ns, delta_pct,"
  " tokens_in_a, tokens_in_b, tokens_in_delta, tokens_out_a, tokens_out_b,"
  " tokens_out_delta, cost_a, cost_b, cost_delta, change, a HIDDEN, b HIDDEN)";

typedef struct side { int64_t count, total_ns, tokens_in, tokens_out; double cost; } side;

typedef struct compare_row {
  char *path;                 /* owned */
  side a, b;
} compare_row;

typedef struct compare_rows {
  compare_row *rows;
  int32_t count, capacity;
  tlm_strmap by_path;
} compare_rows;

static void compare_close(void *state){
  compare_rows *c = state;
  for(int32_t i = 0; i < c->count; i++) sqlite3_free(c->rows[i].path);
  sqlite3_free(c->rows);
  tlm_strmap_free(&c->by_path);
  sqlite3_free(c);
}

/* The row for path, created if new; takes ownership of path. */
static compare_row *row_for(compare_rows *c, char *path){
  int32_t i;
  if( path == NULL ) return NULL;
  if( (i = tlm_strmap_get(&c->by_path, path)) >= 0 ){
    sqlite3_free(path);
    return &c->rows[i];
  }
  if( tlm_grow(&c->rows, c->count, &c->capacity, sizeof *c->rows) ){
    sqlite3_free(path);
    return NULL;
  }
  memset(&c->rows[c->count], 0, sizeof c->rows[0]);
  c->rows[c->count].path = path;
  if( tlm_strmap_put(&c->by_path, path, c->count) ){ sqlite3_free(path); return NULL; }
  return &c->rows[c->count++];
}

static void add_to(side *s, int64_t duration, const tlm_node *n){
  s->count++;
  s->total_ns += duration;
  s->tokens_in += n->tokens_in;
  s->tokens_out += n->tokens_out;
  s->cost += n->cost;
}

/* Add one trace's spans to side A (which = 0) or B (1). */
static int add_trace(compare_rows *c, const tlm_graph *g, int which){
  /* A node's row, found once per node in tree order: parents come first. */
  int32_t *row_of = tlm_array(g->n, sizeof *row_of);
  compare_row *total;
  if( row_of == NULL ) return SQLITE_NOMEM;
  total = &c->rows[0];
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k], parent = g->nodes[i].parent;
    const char *name = tlm_str(g, g->nodes[i].name);
    char *path = parent >= 0
      ? sqlite3_mprintf("%s/%s", c->rows[row_of[parent]].path, name)
      : sqlite3_mprintf("%s", name);
    compare_row *row = row_for(c, path);
    if( row == NULL ){ sqlite3_free(row_of); return SQLITE_NOMEM; }
    total = &c->rows[0];                      /* rows may have moved */
    row_of[i] = (int32_t)(row - c->rows);
    add_to(which ? &row->b : &row->a, tlm_duration(&g->nodes[i]), &g->nodes[i]);
    side *t = which ? &total->b : &total->a;
    t->tokens_in += g->nodes[i].tokens_in;
    t->tokens_out += g->nodes[i].tokens_out;
    t->cost += g->nodes[i].cost;
  }
  side *t = which ? &total->b : &total->a;
  t->count = g->n;
  t->total_ns = g->end_ns - g->start_ns;
  sqlite3_free(row_of);
  return SQLITE_OK;
}

static int compare_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                        void **state, int64_t *row_count, char **errmsg){
  compare_rows *c = sqlite3_malloc(sizeof *c);
  tlm_graph *a = NULL, *b = NULL;
  int rc;
  (void)argc; (void)used;
  if( c == NULL ) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  rc = tlm_graph_get(ext, "trace_compare", argv[0], &a, errmsg);
  if( rc == SQLITE_OK ) rc = tlm_graph_get(ext, "trace_compare", argv[1], &b, errmsg);
  if( rc == SQLITE_OK ) rc = row_for(c, sqlite3_mprintf("*")) ? SQLITE_OK : SQLITE_NOMEM;
  if( rc == SQLITE_OK ) rc = add_trace(c, a, 0);
  if( rc == SQLITE_OK ) rc = add_trace(c, b, 1);
  tlm_graph_release(a);
  tlm_graph_release(b);
  if( rc != SQLITE_OK ){ compare_close(c); return rc; }
  *state = c;
  *row_count = c->count;
  return SQLITE_OK;
}

static const char *change_of(const compare_row *r){
  int64_t delta = r->b.total_ns - r->a.total_ns;
  int64_t magnitude = delta < 0 ? -delta : delta;
  if( r->a.count == 0 ) return "added";
  if( r->b.count == 0 ) return "removed";
  if( magnitude < SAME_FLOOR_NS || magnitude < SAME_RATIO * (double)r->a.total_ns ) return "same";
  return delta > 0 ? "slower" : "faster";
}

static void compare_column(void *state, int64_t row, int col, sqlite3_context *ctx){
  const compare_row *r = &((compare_rows *)state)->rows[row];
  switch( col ){
    case CMP_PATH:             sqlite3_result_text(ctx, r->path, -1, SQLITE_STATIC); break;
    case CMP_COUNT_A:          sqlite3_result_int64(ctx, r->a.count); break;
    case CMP_COUNT_B:          sqlite3_result_int64(ctx, r->b.count); break;
    case CMP_TOTAL_NS_A:       sqlite3_result_int64(ctx, r->a.total_ns); break;
    case CMP_TOTAL_NS_B:       sqlite3_result_int64(ctx, r->b.total_ns); break;
    case CMP_DELTA_NS:         sqlite3_result_int64(ctx, r->b.total_ns - r->a.total_ns); break;
    case CMP_DELTA_PCT:
      if( r->a.total_ns > 0 ){
        double pct = 100.0 * (double)(r->b.total_ns - r->a.total_ns) / (double)r->a.total_ns;
        sqlite3_result_double(ctx, (double)(int64_t)(pct * 10 + (pct < 0 ? -0.5 : 0.5)) / 10);
      }
      break;
    case CMP_TOKENS_IN_A:      sqlite3_result_int64(ctx, r->a.tokens_in); break;
    case CMP_TOKENS_IN_B:      sqlite3_result_int64(ctx, r->b.tokens_in); break;
    case CMP_TOKENS_IN_DELTA:  sqlite3_result_int64(ctx, r->b.tokens_in - r->a.tokens_in); break;
    case CMP_TOKENS_OUT_A:     sqlite3_result_int64(ctx, r->a.tokens_out); break;
    case CMP_TOKENS_OUT_B:     sqlite3_result_int64(ctx, r->b.tokens_out); break;
    case CMP_TOKENS_OUT_DELTA: sqlite3_result_int64(ctx, r->b.tokens_out - r->a.tokens_out); break;
    case CMP_COST_A:           sqlite3_result_double(ctx, r->a.cost); break;
    case CMP_COST_B:           sqlite3_result_double(ctx, r->b.cost); break;
    case CMP_COST_DELTA:       sqlite3_result_double(ctx, r->b.cost - r->a.cost); break;
    case CMP_CHANGE:           sqlite3_result_text(ctx, change_of(r), -1, SQLITE_STATIC); break;
  }
}

static const tlm_tvf_def trace_compare_def = {
  .name = "trace_compare",
  .schema = trace_compare_schema,
  .column_count = CMP_COLUMNS,
  .arg_count = 2,
  .required_args = 2,
  .open = compare_open,
  .advance = NULL,
  .column = compare_column,
  .close = compare_close,
};

int tlm_register_trace_compare(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &trace_compare_def);
}
