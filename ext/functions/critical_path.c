/*
** critical_path.c — critical_path(trace_id): what gated the root's end.
**
**   sqlite> SELECT name, seg_start_ns - min(seg_start_ns) OVER () AS at,
**      ...>        self_ns FROM critical_path('latest');
**   rag_pipeline      0          21000
**   load_prompt       21000      5127000
**   ...
**
** Columns: span_id, name, depth, seg_start_ns, seg_end_ns, self_ns (the
** segment's length).  Rows are in time order, and the segments tile the
** root's interval exactly: sum(self_ns) = the root's duration.
**
** THE ALGORITHM (Jaeger's, with its flaw fixed)
** A span's time is either its own or spent waiting on a child.  Walk
** backwards from the span's end with a cursor:
**   - the child that finished last at or before the cursor is the one the
**     span was waiting for; the gap between that child's end and the
**     cursor is the span's own time;
**   - descend into that child (its own walk covers the child's interval),
**     then move the cursor to the child's start;
**   - when no child ends at or before the cursor, the rest down to the
**     span's start is the span's own.
** Children are first clipped to their parent's window and dropped when
** wholly outside it: a child that outlives its parent only counts up to
** the parent's end.  A CONSUMER child of a PRODUCER span is fire-and-forget
** and never gates the producer.
**
** Jaeger compares child ends with "<" the cursor, so of two back-to-back
** siblings (one ends exactly when the next starts) the first is skipped
** and its time is wrongly charged to the parent.  Here it is "<=".
** Children whose end lies after the cursor are parallel work that did not
** gate anything; the seed tool summed them, double-counting parallel time.
**
** Each span's children are sorted by clipped end, descending, once; since
** the cursor only moves backwards, a child skipped once is skipped for
** good, so the walk is linear after the O(n log n) sort.  It uses an
** explicit stack, never recursion.
*/
#include "tvf.h"
#include "analyses.h"
#include "span_row.h"
#include "tracelm/tracelm.h"
#include "arrays.h"
#include "hexid.h"
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3


typedef struct walk_frame {
  int32_t node;
  int32_t next;            /* next position in the node's children by end */
  int64_t cursor;
} walk_frame;

typedef struct path_builder {
  tlm_segment *segments;
  int32_t count, capacity;
} path_builder;

static int emit(path_builder *p, int32_t node, int64_t start, int64_t end){
  if( end <= start ) return SQLITE_OK;
  if( tlm_grow(&p->segments, p->count, &p->capacity, sizeof *p->segments) ) return SQLITE_NOMEM;
  p->segments[p->count++] = (tlm_segment){ node, start, end };
  return SQLITE_OK;
}

static int by_clipped_end_desc(const void *a, const void *b, void *context){
  const int64_t *hi = context;
  int64_t x = hi[*(const int32_t *)a], y = hi[*(const int32_t *)b];
  if( x != y ) return x > y ? -1 : 1;
  return *(const int32_t *)a - *(const int32_t *)b;
}

int tlm_critical_path(const tlm_graph *g, tlm_segment **out, int32_t *count){
  path_builder path = {0};
  int32_t n = g->n, height = 0;
  int64_t *lo, *hi;
  int32_t *by_end;
  walk_frame *stack;
  int rc = SQLITE_OK;
  *out = NULL;
  *count = 0;
  if( g->root < 0 ) return SQLITE_OK;
  lo = tlm_array(n, sizeof *lo);
  hi = tlm_array(n, sizeof *hi);
  by_end = tlm_array(n, sizeof *by_end);
  stack = tlm_array(n, sizeof *stack);
  if( !lo || !hi || !by_end || !stack ){ rc = SQLITE_NOMEM; goto done; }

  /* Clip every window to its parent's, top-down (order is depth-first). */
  for(int32_t k = 0; k < n; k++){
    int32_t i = g->order[k], parent = g->nodes[i].parent;
    lo[i] = g->nodes[i].start_ns;
    hi[i] = g->nodes[i].end_ns;
    if( parent >= 0 ){
      if( lo[i] < lo[parent] ) lo[i] = lo[parent];
      if( hi[i] > hi[parent] ) hi[i] = hi[parent];
    }
  }
  memcpy(by_end, g->children, (uint64_t)n * sizeof *by_end);
  for(int32_t i = 0; i < n; i++){
    int32_t *kids = by_end + g->child_start[i], many = g->child_count[i];
    if( many > 16 ){
      qsort_r(kids, many, sizeof *kids, by_clipped_end_desc, hi);
      continue;
    }
    /* Most spans have a child or two: sorted in place, not through a
    ** qsort_r call each (which perf showed at 5 % of the function). */
    for(int32_t a = 1; a < many; a++){
      int32_t c = kids[a], b = a;
      for(; b > 0 && by_clipped_end_desc(&kids[b - 1], &c, hi) > 0; b--) kids[b] = kids[b - 1];
      kids[b] = c;
    }
  }

  stack[height++] = (walk_frame){ g->root, 0, hi[g->root] };
  while( height > 0 && rc == SQLITE_OK ){
    walk_frame *f = &stack[height - 1];
    const tlm_node *span = &g->nodes[f->node];
    int32_t chosen = -1;
    while( f->next < g->child_count[f->node] ){
      int32_t c = by_end[g->child_start[f->node] + f->next++];
      if( hi[c] <= lo[c] ) continue;                          /* outside the parent */
      if( span->kind == TLM_KIND_PRODUCER && g->nodes[c].kind == TLM_KIND_CONSUMER ) continue;
      if( hi[c] <= f->cursor ){ chosen = c; break; }
    }
    if( chosen < 0 ){
      rc = emit(&path, f->node, lo[f->node], f->cursor);
      height--;
      continue;
    }
    rc = emit(&path, f->node, hi[chosen], f->cursor);
    f->cursor = lo[chosen];
    stack[height++] = (walk_frame){ chosen, 0, hi[chosen] };
  }

  /* Built from the end backwards: reverse into time order. */
  for(int32_t a = 0, b = path.count - 1; a < b; a++, b--){
    tlm_segment swap = path.segments[a];
    path.segments[a] = path.segments[b];
    path.segments[b] = swap;
  }
done:
  sqlite3_free(lo);
  sqlite3_free(hi);
  sqlite3_free(by_end);
  sqlite3_free(stack);
  if( rc != SQLITE_OK ){
    sqlite3_free(path.segments);
    return rc;
  }
  *out = path.segments;
  *count = path.count;
  return SQLITE_OK;
}

/* ------------------------------------------------------- SQL binding */

#define PATH_SPAN_ID      0
#define PATH_NAME         1
#define PATH_DEPTH        2
#define PATH_SEG_START_NS 3
#define PATH_SEG_END_NS   4
#define PATH_SELF_NS      5
#define PATH_COLUMNS      6
/* The columns, numbered as above, then the hidden arguments. */
static const char critical_path_schema[] =
  "CREATE TABLE x(span_id, name, depth, seg_start_ns, seg_end_ns, self_ns,"
  " trace_id HIDDEN)";

typedef struct path_rows {
  tlm_graph *graph;
  tlm_segment *segments;
} path_rows;

static void path_close(void *state){
  path_rows *p = state;
  tlm_graph_release(p->graph);
  sqlite3_free(p->segments);
  sqlite3_free(p);
}

static int path_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                     void **state, int64_t *row_count, char **errmsg){
  path_rows *p = sqlite3_malloc(sizeof *p);
  int32_t count;
  int rc;
  (void)argc; (void)used;
  if( p == NULL ) return SQLITE_NOMEM;
  memset(p, 0, sizeof *p);
  rc = tlm_graph_get_shape(ext, "critical_path", argv[0], &p->graph, errmsg);
  if( rc == SQLITE_OK ) rc = tlm_critical_path(p->graph, &p->segments, &count);
  if( rc != SQLITE_OK ){ path_close(p); return rc; }
  *state = p;
  *row_count = count;
  return SQLITE_OK;
}

static void path_column(void *state, int64_t row, int col, sqlite3_context *ctx){
  path_rows *p = state;
  const tlm_segment *s = &p->segments[row];
  const tlm_node *n = &p->graph->nodes[s->node];
  char hex[17];
  switch( col ){
    case PATH_SPAN_ID:
      tlm_span_id_to_hex(n->span_id, hex);
      sqlite3_result_text(ctx, hex, 16, SQLITE_TRANSIENT);
      break;
    case PATH_NAME:  sqlite3_result_text(ctx, tlm_str(p->graph, n->name), -1, SQLITE_STATIC); break;
    case PATH_DEPTH: sqlite3_result_int(ctx, p->graph->depth[s->node]); break;
    case PATH_SEG_START_NS: sqlite3_result_int64(ctx, s->start_ns); break;
    case PATH_SEG_END_NS:   sqlite3_result_int64(ctx, s->end_ns); break;
    case PATH_SELF_NS:      sqlite3_result_int64(ctx, s->end_ns - s->start_ns); break;
  }
}

static const tlm_tvf_def critical_path_def = {
  .name = "critical_path",
  .schema = critical_path_schema,
  .column_count = PATH_COLUMNS,
  .arg_count = 1,
  .required_args = 1,
  .open = path_open,
  .advance = NULL,
  .column = path_column,
  .close = path_close,
};

int tlm_register_critical_path(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &critical_path_def);
}
