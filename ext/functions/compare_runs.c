/*
** compare_runs.c — compare_runs(set_a, set_b [, alpha]): did a change make
** a pipeline slower or dearer, over many runs rather than one against one.
**
**   sqlite> SELECT path, n_a, n_b, p50_a, p50_b, p50_change_pct, p_value, change
**      ...>   FROM compare_runs('main', 'my-branch') WHERE significant;
**   rag/retrieve|50|50|12000000|19500000|62.5|3.1e-09|slower
**
** A set is a run label (traces.label, set by TRACELM_RUN_LABEL or
** `tracelm run --label`) or a read-only SQL query whose first column is
** trace ids ("SELECT trace_id FROM traces WHERE start_ns > ..."); a text
** that starts with SELECT, WITH or VALUES is taken as SQL.
**
** One row per span path (the names from the root down, "rag/retrieve",
** as trace_compare() matches spans), first '*' for whole traces, then
** the paths in the order set A first shows them, then those only B has.
** For each set: n (spans on the path; traces for '*'), the p50/p90/p99 of
** their latency and the p50 of their self time (nearest rank, as
** span_stats), tokens in and out and cost per trace, how often the path
** ran per trace, and the share of its spans that failed.
**
** HOW IT WORKS
**   CREATE TABLE x(path, n_a, n_b, ..., significant, change,
**                  set_a HIDDEN, set_b HIDDEN, alpha HIDDEN)
** Each trace's graph is loaded in turn (graph.c) and its spans' latencies
** and self times appended to their path's samples.  The latency change is
** tested with the Mann–Whitney U test: it asks whether one set's latencies
** tend to be larger without assuming a distribution, which suits latencies
** (skewed, long-tailed, with outliers a t-test would chase).  U is set A's
** statistic (pairs where A's sample is larger, ties counting half); the
** two-sided p-value uses the normal approximation with the tie correction
** and a continuity correction, good from about eight samples a side (with
** fewer, p is conservative).  significant = p < alpha (default 0.05);
** change is 'slower' or 'faster' (significant, by the p50s), 'same',
** 'added' (only in B) or 'removed' (only in A).  docs/reports.md has more.
*/
#include "tvf.h"
#include "analyses.h"
#include "arrays.h"
#include "strmap.h"
#include "span_row.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define DEFAULT_ALPHA 0.05

enum {
  RUNS_PATH, RUNS_N_A, RUNS_N_B, RUNS_P50_A, RUNS_P50_B, RUNS_P90_A, RUNS_P90_B,
  RUNS_P99_A, RUNS_P99_B, RUNS_P50_CHANGE_PCT, RUNS_SELF_P50_A, RUNS_SELF_P50_B,
  RUNS_SELF_CHANGE_PCT, RUNS_TOKENS_IN_A, RUNS_TOKENS_IN_B, RUNS_TOKENS_OUT_A,
  RUNS_TOKENS_OUT_B, RUNS_TOKENS_CHANGE_PCT, RUNS_COST_A, RUNS_COST_B, RUNS_COST_CHANGE_PCT,
  RUNS_PER_TRACE_A, RUNS_PER_TRACE_B, RUNS_ERROR_RATE_A, RUNS_ERROR_RATE_B,
  RUNS_U, RUNS_P_VALUE, RUNS_SIGNIFICANT, RUNS_CHANGE, RUNS_COLUMNS
};
/* The columns, numbered as above, then the hidden arguments. */
static const char compare_runs_schema[] =
  "CREATE TABLE x(path, n_a, n_b, p50_a, p50_b, p90_a, p90_b, p99_a, p99_b,"
  " p50_change_pct, self_p50_a, self_p50_b, self_change_pct, tokens_in_a, tokens_in_b,"
  " tokens_out_a, tokens_out_b, tokens_change_pct, cost_a, cost_b, cost_change_pct,"
  " per_trace_a, per_trace_b, error_rate_a, error_rate_b, u, p_value, significant, change,"
  " set_a HIDDEN, set_b HIDDEN, alpha HIDDEN)";

typedef struct samples { int64_t *values; int32_t count, capacity; } samples;

typedef struct path_side {
  samples latency, self;       /* one value per span (per trace for '*') */
  int64_t tokens_in, tokens_out, errors;
  double cost;
} path_side;

typedef struct path_row {
  char *path;                  /* owned */
  path_side side[2];
  double u, p_value;           /* computed once all traces are in */
} path_row;

typedef struct run_rows {
  path_row *rows;
  int32_t count, capacity;
  tlm_strmap by_path;
  int64_t traces[2];
  double alpha;
} run_rows;

static void runs_close(void *state){
  run_rows *r = state;
  for(int32_t i = 0; i < r->count; i++){
    sqlite3_free(r->rows[i].path);
    for(int s = 0; s < 2; s++){
      sqlite3_free(r->rows[i].side[s].latency.values);
      sqlite3_free(r->rows[i].side[s].self.values);
    }
  }
  sqlite3_free(r->rows);
  tlm_strmap_free(&r->by_path);
  sqlite3_free(r);
}

static int add_sample(samples *s, int64_t value){
  if( tlm_grow(&s->values, s->count, &s->capacity, sizeof *s->values) ) return SQLITE_NOMEM;
  s->values[s->count++] = value;
  return SQLITE_OK;
}

/* The row of path, created if new; takes ownership of path.  -1: no memory. */
static int32_t row_of_path(run_rows *r, char *path){
  int32_t i;
  if( path == NULL ) return -1;
  if( (i = tlm_strmap_get(&r->by_path, path)) >= 0 ){ sqlite3_free(path); return i; }
  if( tlm_grow(&r->rows, r->count, &r->capacity, sizeof *r->rows) ){ sqlite3_free(path); return -1; }
  memset(&r->rows[r->count], 0, sizeof *r->rows);
  r->rows[r->count].path = path;
  /* The map's keys point into rows' paths, which never move. */
  if( tlm_strmap_put(&r->by_path, path, r->count) ){ sqlite3_free(path); return -1; }
  return r->count++;
}

/* Add one trace's spans to set which (0: A, 1: B). */
static int add_trace(run_rows *r, const tlm_graph *g, int which){
  int32_t *row_of = tlm_array(g->n, sizeof *row_of);
  int64_t *self = tlm_graph_self_ns(g);
  int64_t tokens_in = 0, tokens_out = 0, errors = 0;
  double cost = 0;
  int rc = row_of && self ? SQLITE_OK : SQLITE_NOMEM;
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    int32_t i = g->order[k], parent = g->nodes[i].parent;
    const tlm_node *n = &g->nodes[i];
    const char *name = tlm_str(g, n->name);
    int32_t row = row_of_path(r, parent >= 0
        ? sqlite3_mprintf("%s/%s", r->rows[row_of[parent]].path, name)
        : sqlite3_mprintf("%s", name));
    if( row < 0 ){ rc = SQLITE_NOMEM; break; }
    row_of[i] = row;
    path_side *s = &r->rows[row].side[which];
    if( add_sample(&s->latency, tlm_duration(n)) || add_sample(&s->self, self[i]) ){
      rc = SQLITE_NOMEM;
      break;
    }
    s->tokens_in += n->tokens_in;
    s->tokens_out += n->tokens_out;
    s->cost += n->cost;
    s->errors += n->status == TLM_STATUS_ERROR;
    tokens_in += n->tokens_in;
    tokens_out += n->tokens_out;
    cost += n->cost;
    errors += n->status == TLM_STATUS_ERROR;
  }
  if( rc == SQLITE_OK ){
    path_side *t = &r->rows[0].side[which];   /* '*': the whole trace */
    rc = add_sample(&t->latency, g->end_ns - g->start_ns);
    t->tokens_in += tokens_in;
    t->tokens_out += tokens_out;
    t->cost += cost;
    t->errors += errors > 0;
  }
  sqlite3_free(row_of);
  sqlite3_free(self);
  return rc;
}

/* ------------------------------------------------------------- sets */

static int is_sql(const char *text){
  static const char *const starts[] = { "select", "with", "values" };
  while( *text == ' ' || *text == '\t' || *text == '\n' || *text == '(' ) text++;
  for(int i = 0; i < 3; i++){
    size_t length = strlen(starts[i]);
    if( sqlite3_strnicmp(text, starts[i], (int)length) == 0
     && (text[length] == 0 || text[length] == ' ' || text[length] == '\n' || text[length] == '\t'
         || text[length] == '(') ){
      return 1;
    }
  }
  return 0;
}

/* Load every trace of one set.  which names the argument in errors. */
static int add_set(tlm_ext *ext, run_rows *r, sqlite3_value *arg, int which, char **errmsg){
  const char *name = which ? "set_b" : "set_a";
  sqlite3_stmt *stmt;
  const char *text;
  int rc;
  if( sqlite3_value_type(arg) != SQLITE_TEXT ){
    *errmsg = sqlite3_mprintf("compare_runs: %s must be a run label or a SQL query (text)", name);
    return SQLITE_ERROR;
  }
  text = (const char *)sqlite3_value_text(arg);
  if( is_sql(text) ){
    rc = sqlite3_prepare_v2(ext->db, text, -1, &stmt, 0);
    if( rc == SQLITE_OK && !sqlite3_stmt_readonly(stmt) ){
      sqlite3_finalize(stmt);
      *errmsg = sqlite3_mprintf("compare_runs: %s: the query must only read", name);
      return SQLITE_ERROR;
    }
  }else{
    rc = sqlite3_prepare_v2(ext->db, "SELECT trace_id FROM traces WHERE label = ?1"
                            " AND span_count > 0 ORDER BY start_ns", -1, &stmt, 0);
    if( rc == SQLITE_OK ) sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
  }
  if( rc != SQLITE_OK ){
    *errmsg = sqlite3_mprintf("compare_runs: %s: %s", name, sqlite3_errmsg(ext->db));
    return SQLITE_ERROR;
  }
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    tlm_graph *g;
    char trace_id[33];
    const char *id = (const char *)sqlite3_column_text(stmt, 0);
    if( id == NULL || strlen(id) != 32 ){
      *errmsg = sqlite3_mprintf("compare_runs: %s: '%s' is not a trace id", name, id ? id : "NULL");
      rc = SQLITE_ERROR;
      break;
    }
    memcpy(trace_id, id, 33);
    rc = tlm_graph_get_id(ext, "compare_runs", trace_id, &g, errmsg);
    if( rc != SQLITE_OK ) break;
    rc = g->n > 0 ? add_trace(r, g, which) : SQLITE_OK;
    r->traces[which] += g->n > 0;
    tlm_graph_release(g);
    if( rc != SQLITE_OK ) break;
  }
  if( rc == SQLITE_DONE ) rc = SQLITE_OK;
  if( rc != SQLITE_OK && *errmsg == NULL ){
    *errmsg = sqlite3_mprintf("compare_runs: %s: %s", name,
                              rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(ext->db));
  }
  sqlite3_finalize(stmt);
  if( rc == SQLITE_OK && r->traces[which] == 0 ){
    *errmsg = sqlite3_mprintf(is_sql(text) ? "compare_runs: %s: the query gave no traces"
                                           : "compare_runs: %s: no traces with label '%s'",
                              name, text);
    rc = SQLITE_ERROR;
  }
  return rc;
}

/* ------------------------------------------------------- statistics */

static int by_value(const void *a, const void *b){
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Mann–Whitney U of A against B over sorted samples: U is A's count of
** pairs (a, b) with a > b, ties counting one half; p two-sided from the
** normal approximation with tie and continuity corrections. */
static void mann_whitney(const samples *a, const samples *b, double *u, double *p){
  double n1 = a->count, n2 = b->count, total = n1 + n2, rank_sum = 0, ties = 0;
  int32_t i = 0, j = 0;
  *u = NAN;
  *p = NAN;
  if( a->count == 0 || b->count == 0 ) return;
  /* Walk both sorted lists together; a run of equal values shares the
  ** mean of the ranks it spans. */
  while( i < a->count || j < b->count ){
    int64_t v = i < a->count && (j >= b->count || a->values[i] <= b->values[j])
              ? a->values[i] : b->values[j];
    int32_t in_a = 0, in_b = 0;
    while( i < a->count && a->values[i] == v ){ in_a++; i++; }
    while( j < b->count && b->values[j] == v ){ in_b++; j++; }
    double run = in_a + in_b, first = i + j - run + 1;
    rank_sum += in_a * (first + (run - 1) / 2);
    ties += run * run * run - run;
  }
  *u = rank_sum - n1 * (n1 + 1) / 2;
  double mean = n1 * n2 / 2;
  double variance = n1 * n2 / 12 * ((total + 1) - ties / (total * (total - 1)));
  if( !(variance > 0) ){ *p = 1; return; }
  double distance = fabs(*u - mean) - 0.5;
  *p = distance <= 0 ? 1 : erfc(distance / sqrt(variance) / sqrt(2));
}

static int compute(run_rows *r){
  for(int32_t i = 0; i < r->count; i++){
    path_row *row = &r->rows[i];
    for(int s = 0; s < 2; s++){
      samples *lists[2] = { &row->side[s].latency, &row->side[s].self };
      for(int l = 0; l < 2; l++){
        /* An empty list has no array at all, and qsort must not see NULL. */
        if( lists[l]->count > 1 ) qsort(lists[l]->values, lists[l]->count, sizeof(int64_t), by_value);
      }
    }
    mann_whitney(&row->side[0].latency, &row->side[1].latency, &row->u, &row->p_value);
  }
  return SQLITE_OK;
}

static int runs_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                     void **state, int64_t *row_count, char **errmsg){
  run_rows *r = sqlite3_malloc(sizeof *r);
  int rc;
  (void)used;
  if( r == NULL ) return SQLITE_NOMEM;
  memset(r, 0, sizeof *r);
  r->alpha = DEFAULT_ALPHA;
  if( argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL ){
    r->alpha = sqlite3_value_double(argv[2]);
    if( (sqlite3_value_type(argv[2]) != SQLITE_FLOAT && sqlite3_value_type(argv[2]) != SQLITE_INTEGER)
     || !(r->alpha > 0 && r->alpha < 1) ){
      *errmsg = sqlite3_mprintf("compare_runs: alpha must be a number between 0 and 1");
      runs_close(r);
      return SQLITE_ERROR;
    }
  }
  rc = row_of_path(r, sqlite3_mprintf("*")) == 0 ? SQLITE_OK : SQLITE_NOMEM;
  if( rc == SQLITE_OK ) rc = add_set(ext, r, argv[0], 0, errmsg);
  if( rc == SQLITE_OK ) rc = add_set(ext, r, argv[1], 1, errmsg);
  if( rc == SQLITE_OK ) rc = compute(r);
  if( rc != SQLITE_OK ){ runs_close(r); return rc; }
  *state = r;
  *row_count = r->count;
  return SQLITE_OK;
}

/* ---------------------------------------------------------- columns */

static void result_rank(sqlite3_context *ctx, const samples *s, int percent){
  if( s->count == 0 ){ sqlite3_result_null(ctx); return; }
  sqlite3_result_int64(ctx, tlm_nearest_rank(s->values, s->count, percent));
}

/* (b - a) / a in percent; NULL where a side is empty or a is 0. */
static void result_change(sqlite3_context *ctx, int present, double a, double b){
  if( !present || a == 0 ) sqlite3_result_null(ctx);
  else sqlite3_result_double(ctx, (b - a) / a * 100);
}

static void result_per_trace(sqlite3_context *ctx, double total, int64_t traces){
  sqlite3_result_double(ctx, traces ? total / (double)traces : 0);
}

static const char *change_of(const run_rows *r, const path_row *row){
  const samples *a = &row->side[0].latency, *b = &row->side[1].latency;
  if( a->count == 0 ) return "added";
  if( b->count == 0 ) return "removed";
  if( !(row->p_value < r->alpha) ) return "same";
  return tlm_nearest_rank(b->values, b->count, 50) >= tlm_nearest_rank(a->values, a->count, 50)
       ? "slower" : "faster";
}

static void runs_column(void *state, int64_t index, int col, sqlite3_context *ctx){
  const run_rows *r = state;
  const path_row *row = &r->rows[index];
  const path_side *a = &row->side[0], *b = &row->side[1];
  int both = a->latency.count > 0 && b->latency.count > 0;
  int whole = index == 0;      /* '*': per trace, not per span; no self time */
  switch( col ){
    case RUNS_PATH:        sqlite3_result_text(ctx, row->path, -1, SQLITE_STATIC); break;
    case RUNS_N_A:         sqlite3_result_int64(ctx, a->latency.count); break;
    case RUNS_N_B:         sqlite3_result_int64(ctx, b->latency.count); break;
    case RUNS_P50_A:       result_rank(ctx, &a->latency, 50); break;
    case RUNS_P50_B:       result_rank(ctx, &b->latency, 50); break;
    case RUNS_P90_A:       result_rank(ctx, &a->latency, 90); break;
    case RUNS_P90_B:       result_rank(ctx, &b->latency, 90); break;
    case RUNS_P99_A:       result_rank(ctx, &a->latency, 99); break;
    case RUNS_P99_B:       result_rank(ctx, &b->latency, 99); break;
    case RUNS_P50_CHANGE_PCT:
      result_change(ctx, both, both ? (double)tlm_nearest_rank(a->latency.values, a->latency.count, 50) : 0,
                    both ? (double)tlm_nearest_rank(b->latency.values, b->latency.count, 50) : 0);
      break;
    case RUNS_SELF_P50_A:  if( whole ) sqlite3_result_null(ctx); else result_rank(ctx, &a->self, 50); break;
    case RUNS_SELF_P50_B:  if( whole ) sqlite3_result_null(ctx); else result_rank(ctx, &b->self, 50); break;
    case RUNS_SELF_CHANGE_PCT:
      result_change(ctx, both && !whole,
                    both && !whole ? (double)tlm_nearest_rank(a->self.values, a->self.count, 50) : 0,
                    both && !whole ? (double)tlm_nearest_rank(b->self.values, b->self.count, 50) : 0);
      break;
    case RUNS_TOKENS_IN_A:  result_per_trace(ctx, (double)a->tokens_in, r->traces[0]); break;
    case RUNS_TOKENS_IN_B:  result_per_trace(ctx, (double)b->tokens_in, r->traces[1]); break;
    case RUNS_TOKENS_OUT_A: result_per_trace(ctx, (double)a->tokens_out, r->traces[0]); break;
    case RUNS_TOKENS_OUT_B: result_per_trace(ctx, (double)b->tokens_out, r->traces[1]); break;
    case RUNS_TOKENS_CHANGE_PCT:
      result_change(ctx, 1, (double)(a->tokens_in + a->tokens_out) / (double)r->traces[0],
                    (double)(b->tokens_in + b->tokens_out) / (double)r->traces[1]);
      break;
    case RUNS_COST_A:      result_per_trace(ctx, a->cost, r->traces[0]); break;
    case RUNS_COST_B:      result_per_trace(ctx, b->cost, r->traces[1]); break;
    case RUNS_COST_CHANGE_PCT:
      result_change(ctx, 1, a->cost / (double)r->traces[0], b->cost / (double)r->traces[1]);
      break;
    case RUNS_PER_TRACE_A: result_per_trace(ctx, (double)a->latency.count, r->traces[0]); break;
    case RUNS_PER_TRACE_B: result_per_trace(ctx, (double)b->latency.count, r->traces[1]); break;
    case RUNS_ERROR_RATE_A:
      if( a->latency.count ) sqlite3_result_double(ctx, (double)a->errors / a->latency.count);
      else sqlite3_result_null(ctx);
      break;
    case RUNS_ERROR_RATE_B:
      if( b->latency.count ) sqlite3_result_double(ctx, (double)b->errors / b->latency.count);
      else sqlite3_result_null(ctx);
      break;
    case RUNS_U:           if( both ) sqlite3_result_double(ctx, row->u); else sqlite3_result_null(ctx); break;
    case RUNS_P_VALUE:     if( both ) sqlite3_result_double(ctx, row->p_value); else sqlite3_result_null(ctx); break;
    case RUNS_SIGNIFICANT: sqlite3_result_int(ctx, both && row->p_value < r->alpha); break;
    case RUNS_CHANGE:      sqlite3_result_text(ctx, change_of(r, row), -1, SQLITE_STATIC); break;
  }
}

static const tlm_tvf_def compare_runs_def = {
  .name = "compare_runs",
  .schema = compare_runs_schema,
  .column_count = RUNS_COLUMNS,
  .arg_count = 3,
  .required_args = 2,
  .open = runs_open,
  .advance = NULL,
  .column = runs_column,
  .close = runs_close,
};

int tlm_register_compare_runs(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &compare_runs_def);
}
