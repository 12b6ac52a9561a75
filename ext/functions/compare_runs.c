/*
** compare_runs.c — compare_runs(set_a, set_b [, alpha, since, until]): did a change make
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
**                  set_a HIDDEN, set_b HIDDEN, alpha HIDDEN, since HIDDEN, until HIDDEN)
** Each trace's per-span facts (facts.c: stored once per trace, or computed
** from its graph where not yet built) give its spans' paths, latencies and
** self times, appended to their path's samples; since and until keep the
** traces that start in [since, until).  Rows are keyed by path id, their
** text made once at the end.  The latency change is
** tested with the Mann–Whitney U test: it asks whether one set's latencies
** tend to be larger without assuming a distribution, which suits latencies
** (skewed, long-tailed, with outliers a t-test would chase).  U is set A's
** statistic (pairs where A's sample is larger, ties counting half); the
** two-sided p-value uses the normal approximation with the tie correction
** and a continuity correction, good from about eight samples a side (with
** fewer, p is conservative).  significant = p < alpha (default 0.05);
** change is 'slower' or 'faster' (significant, by the p50s), 'same',
** 'added' (only in B) or 'removed' (only in A).  docs/reports.md has more.
**
** LLM calls: ttft_p50_a/_b, ttft_change_pct and ttft_p_value compare the
** time to first chunk (the facts' ttft_ns) of the path's calls, '*' of
** every call, by the same test.  Evaluations: one more row per
** gen_ai.evaluation.name found in span_scores for the sets' traces, kind
** 'score' (the others are 'trace' for '*' and 'span'), path the
** evaluation's name, n its scores, p50/p90/p99 of the score values,
** per_trace the scores per trace, the same U test, and change 'better'
** or 'worse' (significant, by which set's scores tend to be higher: U
** against its mean), else 'same'.  Score rows come last, by name.
*/
#include "tvf.h"
#include "analyses.h"
#include "facts.h"
#include "radix_sort.h"
#include "trace_set.h"
#include "arrays.h"
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
  RUNS_U, RUNS_P_VALUE, RUNS_SIGNIFICANT, RUNS_CHANGE, RUNS_TTFT_P50_A, RUNS_TTFT_P50_B,
  RUNS_TTFT_CHANGE_PCT, RUNS_TTFT_P_VALUE, RUNS_KIND, RUNS_COLUMNS
};
/* The columns, numbered as above, then the hidden arguments. */
static const char compare_runs_schema[] =
  "CREATE TABLE x(path, n_a, n_b, p50_a, p50_b, p90_a, p90_b, p99_a, p99_b,"
  " p50_change_pct, self_p50_a, self_p50_b, self_change_pct, tokens_in_a, tokens_in_b,"
  " tokens_out_a, tokens_out_b, tokens_change_pct, cost_a, cost_b, cost_change_pct,"
  " per_trace_a, per_trace_b, error_rate_a, error_rate_b, u, p_value, significant, change,"
  " ttft_p50_a, ttft_p50_b, ttft_change_pct, ttft_p_value, kind,"
  " set_a HIDDEN, set_b HIDDEN, alpha HIDDEN, since HIDDEN, until HIDDEN)";

typedef struct samples { int64_t *values; int32_t count, capacity; } samples;

typedef struct path_side {
  samples latency, self;       /* one value per span (per trace for '*');
                               ** a score row's values are score_key()s */
  samples ttft;                /* the path's LLM calls' (every call's for '*') */
  int64_t tokens_in, tokens_out, errors;
  double cost;
} path_side;

typedef struct path_row {
  int32_t path_id;             /* facts.h; 0 for '*'; -1 for a score row */
  char *path;                  /* owned, made once all traces are in */
  path_side side[2];
  double u, p_value;           /* computed once all traces are in */
  double ttft_u, ttft_p_value;
} path_row;

/* Sorted trace ids, for finding a score's trace among a set's. */
typedef struct id_list { char (*ids)[33]; int32_t count, capacity; } id_list;

typedef struct run_rows {
  sqlite3 *db;
  path_row *rows;
  int32_t count, capacity;
  int32_t *row_of_path_id;     /* facts path id -> row, -1 not yet */
  int32_t path_row_count;
  int64_t traces[2];
  id_list members[2];          /* the traces of each set in the window */
  int32_t score_rows;          /* the last rows; their paths are names */
  double alpha;
} run_rows;

static void runs_close(void *state){
  run_rows *r = state;
  for(int32_t i = 0; i < r->count; i++){
    sqlite3_free(r->rows[i].path);
    for(int s = 0; s < 2; s++){
      sqlite3_free(r->rows[i].side[s].latency.values);
      sqlite3_free(r->rows[i].side[s].self.values);
      sqlite3_free(r->rows[i].side[s].ttft.values);
    }
  }
  sqlite3_free(r->members[0].ids);
  sqlite3_free(r->members[1].ids);
  sqlite3_free(r->rows);
  sqlite3_free(r->row_of_path_id);
  sqlite3_free(r);
}

static int add_sample(samples *s, int64_t value){
  if( tlm_grow(&s->values, s->count, &s->capacity, sizeof *s->values) ) return SQLITE_NOMEM;
  s->values[s->count++] = value;
  return SQLITE_OK;
}

/* A new row for a path id; -1: no memory.  Rows never move once the
** last trace is in, and a path's row is found through row_of_path_id. */
static int32_t new_row(run_rows *r, int32_t path_id){
  if( tlm_grow(&r->rows, r->count, &r->capacity, sizeof *r->rows) ) return -1;
  memset(&r->rows[r->count], 0, sizeof *r->rows);
  r->rows[r->count].path_id = path_id;
  return r->count++;
}

/* What the facts callback needs besides the rows. */
typedef struct run_visit {
  run_rows *r;
  tlm_facts *facts;
  int which;                   /* 0: set A, 1: set B */
  int64_t since, until;
} run_visit;

/* Add one trace's spans to its set (a tlm_facts_fn). */
static int add_trace(void *arg, const tlm_trace_fact *t, const tlm_fact *spans, int32_t count){
  run_visit *v = arg;
  run_rows *r = v->r;
  int rc = SQLITE_OK;
  if( t->start_ns < v->since || t->start_ns >= v->until ) return SQLITE_OK;
  /* The row of each path id, found once per path, not per span. */
  if( r->path_row_count < tlm_facts_path_count(v->facts) ){
    int32_t from = r->path_row_count, to = tlm_facts_path_count(v->facts);
    if( tlm_resize(&r->row_of_path_id, to, sizeof *r->row_of_path_id) ) return SQLITE_NOMEM;
    for(int32_t i = from; i < to; i++) r->row_of_path_id[i] = -1;
    r->path_row_count = to;
  }
  for(int32_t k = 0; k < count; k++){
    const tlm_fact *f = &spans[k];
    int32_t row = r->row_of_path_id[f->path];
    if( row < 0 ){
      if( (row = new_row(r, f->path)) < 0 ) return SQLITE_NOMEM;
      r->row_of_path_id[f->path] = row;
    }
    path_side *s = &r->rows[row].side[v->which];
    if( add_sample(&s->latency, f->duration_ns) || add_sample(&s->self, f->self_ns) ){
      return SQLITE_NOMEM;
    }
    if( f->ttft_ns >= 0 && (add_sample(&s->ttft, f->ttft_ns)
                            || add_sample(&r->rows[0].side[v->which].ttft, f->ttft_ns)) ){
      return SQLITE_NOMEM;
    }
    s->tokens_in += f->tokens_in;
    s->tokens_out += f->tokens_out;
    s->cost += f->cost;
    s->errors += f->error;
  }
  path_side *whole = &r->rows[0].side[v->which];   /* '*': the whole trace */
  rc = add_sample(&whole->latency, t->end_ns - t->start_ns);
  whole->tokens_in += t->tokens_in;
  whole->tokens_out += t->tokens_out;
  whole->cost += t->cost;
  whole->errors += t->errors > 0;
  r->traces[v->which]++;
  id_list *m = &r->members[v->which];
  if( rc == SQLITE_OK && tlm_grow(&m->ids, m->count, &m->capacity, sizeof *m->ids) ) rc = SQLITE_NOMEM;
  if( rc == SQLITE_OK ) memcpy(m->ids[m->count++], t->trace_id, sizeof *m->ids);
  return rc;
}

/* ----------------------------------------------------------- scores */

/* Scores are doubles; the U test and the sort want int64s in the same
** order.  A double's bits are in order for positive values and in
** reverse for negative ones: flipping all but the sign bit of a negative
** one puts them in order too. */
static int64_t score_key(double value){
  int64_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits < 0 ? bits ^ INT64_MAX : bits;
}
static double score_value(int64_t key){
  double value;
  key = key < 0 ? key ^ INT64_MAX : key;
  memcpy(&value, &key, sizeof value);
  return value;
}

static int by_trace_id(const void *a, const void *b){ return memcmp(a, b, 32); }
static int by_key(const void *a, const void *b){
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* One row per evaluation name, from span_scores over the traces of both
** sets (one scan: the events are few beside the spans). */
static int add_scores(run_rows *r, char **errmsg){
  sqlite3_stmt *stmt;
  int rc;
  int32_t first = r->count;
  for(int s = 0; s < 2; s++){
    if( r->members[s].count > 1 ) qsort(r->members[s].ids, r->members[s].count, sizeof *r->members[s].ids, by_trace_id);
  }
  rc = sqlite3_prepare_v2(r->db, "SELECT trace_id, name, value FROM span_scores"
                          " WHERE name IS NOT NULL AND typeof(value) IN ('integer', 'real')", -1, &stmt, 0);
  if( rc != SQLITE_OK ) return SQLITE_OK;     /* no span_scores: a database before version 7 */
  while( rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW ){
    const char *trace_id = (const char *)sqlite3_column_text(stmt, 0);
    const char *name = (const char *)sqlite3_column_text(stmt, 1);
    double value = sqlite3_column_double(stmt, 2);
    char key[33];
    if( trace_id == NULL || strlen(trace_id) != 32 || !isfinite(value) ) continue;
    memcpy(key, trace_id, sizeof key);
    for(int s = 0; s < 2 && rc == SQLITE_OK; s++){
      const id_list *m = &r->members[s];
      if( m->count == 0 || bsearch(key, m->ids, m->count, sizeof *m->ids, by_trace_id) == NULL ) continue;
      int32_t row = first;
      while( row < r->count && strcmp(r->rows[row].path, name) ) row++;
      if( row == r->count ){
        if( (row = new_row(r, -1)) < 0 || (r->rows[row].path = sqlite3_mprintf("%s", name)) == NULL ){
          rc = SQLITE_NOMEM;
          break;
        }
        r->score_rows++;
      }
      rc = add_sample(&r->rows[row].side[s].latency, score_key(value));
    }
  }
  if( rc == SQLITE_OK && (rc = sqlite3_finalize(stmt)) != SQLITE_OK ){
    *errmsg = sqlite3_mprintf("compare_runs: span_scores: %s", sqlite3_errmsg(r->db));
  }else if( rc != SQLITE_OK ){
    sqlite3_finalize(stmt);
  }
  /* By name, after the paths. */
  for(int32_t i = first + 1; i < r->count && rc == SQLITE_OK; i++){
    path_row row = r->rows[i];
    int32_t j = i;
    while( j > first && strcmp(r->rows[j - 1].path, row.path) > 0 ){ r->rows[j] = r->rows[j - 1]; j--; }
    r->rows[j] = row;
  }
  return rc;
}

/* ------------------------------------------------------------- sets */

/* Every trace of one set.  which names the argument in errors. */
static int add_set(run_visit *v, sqlite3_value *arg, char **errmsg){
  const char *name = v->which ? "set_b" : "set_a";
  sqlite3 *db = v->r->db;
  char (*ids)[33] = NULL;
  int32_t count = 0;
  int rc;
  if( sqlite3_value_type(arg) != SQLITE_TEXT ){
    *errmsg = sqlite3_mprintf("compare_runs: %s must be a run label or a SQL query (text)", name);
    return SQLITE_ERROR;
  }
  const char *text = (const char *)sqlite3_value_text(arg);
  rc = tlm_trace_set_ids(db, "compare_runs", name, text, &ids, &count, errmsg);
  for(int32_t i = 0; i < count && rc == SQLITE_OK; i++){
    rc = tlm_facts_of_trace(v->facts, ids[i], add_trace, v, errmsg);
  }
  sqlite3_free(ids);
  if( rc == SQLITE_OK && v->r->traces[v->which] == 0 ){
    *errmsg = sqlite3_mprintf("compare_runs: %s: no traces of '%s' start in the window", name, text);
    rc = SQLITE_ERROR;
  }
  if( rc != SQLITE_OK && *errmsg == NULL ){
    *errmsg = sqlite3_mprintf("compare_runs: %s: %s", name, rc == SQLITE_NOMEM ? "out of memory"
                                                                               : sqlite3_errmsg(db));
  }
  return rc;
}

/* ------------------------------------------------------- statistics */

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
      samples *lists[3] = { &row->side[s].latency, &row->side[s].self, &row->side[s].ttft };
      if( row->path_id < 0 ){
        /* Score keys may be negative: a signed sort. */
        if( lists[0]->count > 1 ) qsort(lists[0]->values, lists[0]->count, sizeof *lists[0]->values, by_key);
        continue;
      }
      for(int l = 0; l < 3; l++){
        /* Latencies, self times and times to first chunk are never
        ** negative (graph.c, facts.c), so they sort as unsigned; an
        ** empty list has no array at all. */
        if( lists[l]->count > 1
         && tlm_radix_sort_values((uint64_t *)lists[l]->values, lists[l]->count) ) return SQLITE_NOMEM;
      }
    }
    mann_whitney(&row->side[0].latency, &row->side[1].latency, &row->u, &row->p_value);
    mann_whitney(&row->side[0].ttft, &row->side[1].ttft, &row->ttft_u, &row->ttft_p_value);
  }
  return SQLITE_OK;
}

/* Whether any span's facts may hold a time to first chunk: some built
** one does, or some trace is still to be built (an error: no). */
static int any_ttft(sqlite3 *db){
  sqlite3_stmt *stmt;
  int yes = 0;
  if( sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM span_facts WHERE ttft_ns IS NOT NULL)"
                         " OR EXISTS (SELECT 1 FROM facts_dirty)", -1, &stmt, 0) ){
    return 0;
  }
  yes = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return yes;
}

static int runs_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                     void **state, int64_t *row_count, char **errmsg){
  run_rows *r = sqlite3_malloc(sizeof *r);
  run_visit v = { r, NULL, 0, INT64_MIN, INT64_MAX };
  int rc;
  (void)used;
  if( r == NULL ) return SQLITE_NOMEM;
  memset(r, 0, sizeof *r);
  r->db = ext->db;
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
  rc = tlm_window_args(ext->db, "compare_runs", argc > 3 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL,
                       &v.since, &v.until, errmsg);
  if( rc == SQLITE_OK ) rc = new_row(r, 0) == 0 ? SQLITE_OK : SQLITE_NOMEM;
  /* The time to first chunk costs a column more a span: read only where
  ** some call has one (its partial index answers at once). */
  if( rc == SQLITE_OK ){
    rc = tlm_facts_open(ext, "compare_runs", -1, any_ttft(ext->db) ? TLM_FACTS_TTFT : 0, &v.facts, errmsg);
  }
  if( rc == SQLITE_OK ) rc = add_set(&v, argv[0], errmsg);
  if( rc == SQLITE_OK ){ v.which = 1; rc = add_set(&v, argv[1], errmsg); }
  for(int32_t i = 0; i < r->count && rc == SQLITE_OK; i++){
    r->rows[i].path = i == 0 ? sqlite3_mprintf("*") : tlm_facts_path(v.facts, r->rows[i].path_id);
    if( r->rows[i].path == NULL ) rc = SQLITE_NOMEM;
  }
  tlm_facts_close(v.facts);
  if( rc == SQLITE_OK ) rc = add_scores(r, errmsg);
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

static void result_score(sqlite3_context *ctx, const samples *s, int percent){
  if( s->count == 0 ){ sqlite3_result_null(ctx); return; }
  sqlite3_result_double(ctx, score_value(tlm_nearest_rank(s->values, s->count, percent)));
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

/* A score row's columns; NULL where they say nothing of scores. */
static void score_column(const run_rows *r, const path_row *row, int col, sqlite3_context *ctx){
  const samples *a = &row->side[0].latency, *b = &row->side[1].latency;
  int both = a->count > 0 && b->count > 0;
  double p50_a = a->count ? score_value(tlm_nearest_rank(a->values, a->count, 50)) : 0;
  double p50_b = b->count ? score_value(tlm_nearest_rank(b->values, b->count, 50)) : 0;
  switch( col ){
    case RUNS_PATH: sqlite3_result_text(ctx, row->path, -1, SQLITE_STATIC); break;
    case RUNS_N_A:  sqlite3_result_int64(ctx, a->count); break;
    case RUNS_N_B:  sqlite3_result_int64(ctx, b->count); break;
    case RUNS_P50_A: result_score(ctx, a, 50); break;
    case RUNS_P50_B: result_score(ctx, b, 50); break;
    case RUNS_P90_A: result_score(ctx, a, 90); break;
    case RUNS_P90_B: result_score(ctx, b, 90); break;
    case RUNS_P99_A: result_score(ctx, a, 99); break;
    case RUNS_P99_B: result_score(ctx, b, 99); break;
    case RUNS_P50_CHANGE_PCT: result_change(ctx, both, p50_a, p50_b); break;
    case RUNS_PER_TRACE_A: result_per_trace(ctx, (double)a->count, r->traces[0]); break;
    case RUNS_PER_TRACE_B: result_per_trace(ctx, (double)b->count, r->traces[1]); break;
    case RUNS_U:       if( both ) sqlite3_result_double(ctx, row->u); else sqlite3_result_null(ctx); break;
    case RUNS_P_VALUE: if( both ) sqlite3_result_double(ctx, row->p_value); else sqlite3_result_null(ctx); break;
    case RUNS_SIGNIFICANT: sqlite3_result_int(ctx, both && row->p_value < r->alpha); break;
    case RUNS_CHANGE:
      /* U counts the pairs where A's score is the higher: above its mean,
      ** A's scores tend higher, and B is worse. */
      sqlite3_result_text(ctx, a->count == 0 ? "added" : b->count == 0 ? "removed"
                          : !(row->p_value < r->alpha) ? "same"
                          : row->u > (double)a->count * b->count / 2 ? "worse" : "better", -1, SQLITE_STATIC);
      break;
    case RUNS_KIND: sqlite3_result_text(ctx, "score", -1, SQLITE_STATIC); break;
    default: sqlite3_result_null(ctx);
  }
}

static void runs_column(void *state, int64_t index, int col, sqlite3_context *ctx){
  const run_rows *r = state;
  const path_row *row = &r->rows[index];
  const path_side *a = &row->side[0], *b = &row->side[1];
  int both = a->latency.count > 0 && b->latency.count > 0;
  int whole = index == 0;      /* '*': per trace, not per span; no self time */
  int ttft_both = a->ttft.count > 0 && b->ttft.count > 0;
  if( row->path_id < 0 ){ score_column(r, row, col, ctx); return; }
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
    case RUNS_TTFT_P50_A:  result_rank(ctx, &a->ttft, 50); break;
    case RUNS_TTFT_P50_B:  result_rank(ctx, &b->ttft, 50); break;
    case RUNS_TTFT_CHANGE_PCT:
      result_change(ctx, ttft_both, ttft_both ? (double)tlm_nearest_rank(a->ttft.values, a->ttft.count, 50) : 0,
                    ttft_both ? (double)tlm_nearest_rank(b->ttft.values, b->ttft.count, 50) : 0);
      break;
    case RUNS_TTFT_P_VALUE:
      if( ttft_both ) sqlite3_result_double(ctx, row->ttft_p_value); else sqlite3_result_null(ctx);
      break;
    case RUNS_KIND:        sqlite3_result_text(ctx, whole ? "trace" : "span", -1, SQLITE_STATIC); break;
  }
}

static const tlm_tvf_def compare_runs_def = {
  .name = "compare_runs",
  .schema = compare_runs_schema,
  .column_count = RUNS_COLUMNS,
  .arg_count = 5,
  .required_args = 2,
  .open = runs_open,
  .advance = NULL,
  .column = runs_column,
  .close = runs_close,
};

int tlm_register_compare_runs(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &compare_runs_def);
}
