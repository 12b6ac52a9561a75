/*
** span_stats.c — span_stats(trace_id): per span name, how long and how
** costly; span_stats(NULL): the same over every stored trace.
**
**   sqlite> SELECT name, count, p50_ns, p99_ns, critical_ns
**      ...>   FROM span_stats(NULL) ORDER BY critical_ns DESC LIMIT 3;
**
** Columns: name, count, total_ns, self_ns, min_ns, p50_ns, p90_ns, p99_ns,
** max_ns, critical_ns, tokens_in, tokens_out, cost, errors.  Rows come by
** total_ns, largest first.
**
** HOW IT WORKS
**   CREATE TABLE x(name, ..., errors, trace_id HIDDEN)
** For each trace (one, or all in start order) the graph gives durations
** and self times (graph.c) and the critical path (critical_path.c) gives
** each span's time on it.  Spans are grouped by name through a hash map.
** Percentiles are nearest-rank over the exact durations: p-th = the
** ceil(p/100 * count)-th smallest, so every value is a real duration.
*/
#include "tvf.h"
#include "analyses.h"
#include "arrays.h"
#include "radix_sort.h"
#include "strmap.h"
#include "trace_resolve.h"
#include "span_row.h"
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define STATS_NAME        0
#define STATS_COUNT       1
#define STATS_TOTAL_NS    2
#define STATS_SELF_NS     3
#define STATS_MIN_NS      4
#define STATS_P50_NS      5
#define STATS_P90_NS      6
#define STATS_P99_NS      7
#define STATS_MAX_NS      8
#define STATS_CRITICAL_NS 9
#define STATS_TOKENS_IN   10
#define STATS_TOKENS_OUT  11
#define STATS_COST        12
#define STATS_ERRORS      13
#define STATS_COLUMNS     14
/* The columns, numbered as above, then the hidden arguments. */
static const char span_stats_schema[] =
  "CREATE TABLE x(name, count, total_ns, self_ns, min_ns, p50_ns, p90_ns, p99_ns,"
  " max_ns, critical_ns, tokens_in, tokens_out, cost, errors, trace_id HIDDEN)";

typedef struct name_stats {
  char *name;                /* owned */
  int32_t count;
  int64_t total_ns, self_ns, critical_ns;
  int64_t tokens_in, tokens_out, errors;
  double cost;
  int64_t *durations;        /* every duration, sorted at the end */
  int32_t duration_capacity;
} name_stats;

typedef struct stats_rows {
  name_stats *rows;
  int32_t count, capacity;
  tlm_strmap by_name;
} stats_rows;

static void stats_close(void *state){
  stats_rows *s = state;
  for(int32_t i = 0; i < s->count; i++){
    sqlite3_free(s->rows[i].name);
    sqlite3_free(s->rows[i].durations);
  }
  sqlite3_free(s->rows);
  tlm_strmap_free(&s->by_name);
  sqlite3_free(s);
}

static name_stats *stats_for(stats_rows *s, const char *name){
  int32_t i = tlm_strmap_get(&s->by_name, name);
  if( i >= 0 ) return &s->rows[i];
  if( tlm_grow(&s->rows, s->count, &s->capacity, sizeof *s->rows) ) return NULL;
  name_stats *row = &s->rows[s->count];
  memset(row, 0, sizeof *row);
  row->name = sqlite3_mprintf("%s", name);
  if( row->name == NULL || tlm_strmap_put(&s->by_name, row->name, s->count) ){
    sqlite3_free(row->name);
    return NULL;
  }
  s->count++;
  return row;
}

static int add_graph(stats_rows *s, const tlm_graph *g){
  int64_t *self = tlm_graph_self_ns(g);
  int64_t *critical = tlm_array(g->n, sizeof *critical);
  /* The row of each interned name, found once per name, not per span. */
  int32_t *row_of = tlm_array(g->string_count, sizeof *row_of);
  tlm_segment *path = NULL;
  int32_t path_count = 0;
  int rc = (self && critical && (row_of || g->string_count == 0))
         ? tlm_critical_path(g, &path, &path_count) : SQLITE_NOMEM;
  for(int32_t i = 0; rc == SQLITE_OK && i < g->string_count; i++) row_of[i] = -1;
  if( rc == SQLITE_OK ){
    memset(critical, 0, (uint64_t)g->n * sizeof *critical);
    for(int32_t i = 0; i < path_count; i++){
      critical[path[i].node] += path[i].end_ns - path[i].start_ns;
    }
  }
  for(int32_t i = 0; i < g->n && rc == SQLITE_OK; i++){
    const tlm_node *n = &g->nodes[i];
    name_stats *row;
    if( row_of[n->name] < 0 ){
      if( stats_for(s, tlm_str(g, n->name)) == NULL ){ rc = SQLITE_NOMEM; break; }
      row_of[n->name] = tlm_strmap_get(&s->by_name, tlm_str(g, n->name));
    }
    row = &s->rows[row_of[n->name]];
    if( tlm_grow(&row->durations, row->count, &row->duration_capacity, sizeof *row->durations) ){
      rc = SQLITE_NOMEM;
      break;
    }
    row->durations[row->count++] = tlm_duration(n);
    row->total_ns += tlm_duration(n);
    row->self_ns += self[i];
    row->critical_ns += critical[i];
    row->tokens_in += n->tokens_in;
    row->tokens_out += n->tokens_out;
    row->cost += n->cost;
    row->errors += n->status == TLM_STATUS_ERROR;
  }
  sqlite3_free(self);
  sqlite3_free(critical);
  sqlite3_free(row_of);
  sqlite3_free(path);
  return rc;
}

static int add_trace(tlm_ext *ext, stats_rows *s, const char *trace_id, char **errmsg){
  tlm_graph *g;
  int rc = tlm_graph_get_id(ext, "span_stats", trace_id, &g, errmsg);
  if( rc != SQLITE_OK ) return rc;
  rc = add_graph(s, g);
  tlm_graph_release(g);
  return rc;
}

static int add_every_trace(tlm_ext *ext, stats_rows *s, char **errmsg){
  sqlite3_stmt *stmt;
  char **ids = NULL;
  int32_t count = 0, capacity = 0;
  int rc;
  if( (*errmsg = tlm_check_database(ext->db, "span_stats")) != NULL ) return SQLITE_ERROR;
  /* Read the ids first: loading a graph runs statements of its own. */
  rc = sqlite3_prepare_v2(ext->db, "SELECT trace_id FROM traces WHERE span_count > 0"
                          " ORDER BY start_ns", -1, &stmt, 0);
  while( rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW ){
    if( tlm_grow(&ids, count, &capacity, sizeof *ids) ){ rc = SQLITE_NOMEM; break; }
    ids[count] = sqlite3_mprintf("%s", sqlite3_column_text(stmt, 0));
    if( ids[count++] == NULL ) rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(stmt);
  for(int32_t i = 0; i < count && rc == SQLITE_OK; i++){
    rc = add_trace(ext, s, ids[i], errmsg);
  }
  tlm_free_strings(ids, count);
  return rc;
}

static int by_total_desc(const void *a, const void *b){
  const name_stats *x = a, *y = b;
  if( x->total_ns != y->total_ns ) return x->total_ns > y->total_ns ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int stats_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                      void **state, int64_t *row_count, char **errmsg){
  stats_rows *s = sqlite3_malloc(sizeof *s);
  int rc;
  (void)argc; (void)used;
  if( s == NULL ) return SQLITE_NOMEM;
  memset(s, 0, sizeof *s);
  if( sqlite3_value_type(argv[0]) == SQLITE_NULL ){
    rc = add_every_trace(ext, s, errmsg);
  }else{
    tlm_graph *g;
    rc = tlm_graph_get(ext, "span_stats", argv[0], &g, errmsg);
    if( rc == SQLITE_OK ){
      rc = add_graph(s, g);
      tlm_graph_release(g);
    }
  }
  if( rc != SQLITE_OK ){ stats_close(s); return rc; }
  /* Durations are never negative (graph.c), so they sort as unsigned. */
  for(int32_t i = 0; i < s->count && rc == SQLITE_OK; i++){
    rc = tlm_radix_sort_values((uint64_t *)s->rows[i].durations, s->rows[i].count);
  }
  if( rc != SQLITE_OK ){ stats_close(s); return rc; }
  /* The map points into rows; it is not used after this sort. */
  tlm_strmap_free(&s->by_name);
  qsort(s->rows, s->count, sizeof *s->rows, by_total_desc);
  *state = s;
  *row_count = s->count;
  return SQLITE_OK;
}

static int64_t nearest_rank(const name_stats *row, int percent){
  return tlm_nearest_rank(row->durations, row->count, percent);
}

static void stats_column(void *state, int64_t row_index, int col, sqlite3_context *ctx){
  const name_stats *row = &((stats_rows *)state)->rows[row_index];
  switch( col ){
    case STATS_NAME:        sqlite3_result_text(ctx, row->name, -1, SQLITE_STATIC); break;
    case STATS_COUNT:       sqlite3_result_int64(ctx, row->count); break;
    case STATS_TOTAL_NS:    sqlite3_result_int64(ctx, row->total_ns); break;
    case STATS_SELF_NS:     sqlite3_result_int64(ctx, row->self_ns); break;
    case STATS_MIN_NS:      sqlite3_result_int64(ctx, row->durations[0]); break;
    case STATS_P50_NS:      sqlite3_result_int64(ctx, nearest_rank(row, 50)); break;
    case STATS_P90_NS:      sqlite3_result_int64(ctx, nearest_rank(row, 90)); break;
    case STATS_P99_NS:      sqlite3_result_int64(ctx, nearest_rank(row, 99)); break;
    case STATS_MAX_NS:      sqlite3_result_int64(ctx, row->durations[row->count - 1]); break;
    case STATS_CRITICAL_NS: sqlite3_result_int64(ctx, row->critical_ns); break;
    case STATS_TOKENS_IN:   sqlite3_result_int64(ctx, row->tokens_in); break;
    case STATS_TOKENS_OUT:  sqlite3_result_int64(ctx, row->tokens_out); break;
    case STATS_COST:        sqlite3_result_double(ctx, row->cost); break;
    case STATS_ERRORS:      sqlite3_result_int64(ctx, row->errors); break;
  }
}

static const tlm_tvf_def span_stats_def = {
  .name = "span_stats",
  .schema = span_stats_schema,
  .column_count = STATS_COLUMNS,
  .arg_count = 1,
  .required_args = 1,
  .open = stats_open,
  .advance = NULL,
  .column = stats_column,
  .close = stats_close,
};

int tlm_register_span_stats(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &span_stats_def);
}
