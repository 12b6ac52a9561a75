/*
** trace_summary_set.c — trace_summary(traces [, since, until]) over many
** traces: a run, a query's traces, a window or the whole history, as JSON.
**
**   sqlite> SELECT trace_summary('cand');
**   sqlite> SELECT json_extract(trace_summary(NULL, '-7 days'), '$.p99_ns');
**
** traces: NULL (every trace), a read-only query of trace ids or a run
** label, as span_stats() takes them (one trace id goes to trace_summary.c,
** which calls here first).  since, until: a window on each trace's start.
**
** Keys: traces, spans, first_ns (the earliest start), last_ns (the latest
** end); the traces' durations min_ns, p50_ns, p90_ns, p99_ns, max_ns
** (nearest rank, as span_stats); tokens_in, tokens_out, cost, and a
** trace's cost_p50, cost_p99, cost_max; errors (spans with status error),
** error_traces; roots [{root, traces, p50_ns, p90_ns, p99_ns, max_ns, spans, cost,
** error_traces}]
** (per root span name, most traces first, at most 100, root_count says how
** many); slowest and costliest [{trace_id, root, total_ns, cost}], five each.
**
** Every number comes from trace_facts (facts.c), read without a span's
** row; a trace still to be built is computed from its graph, so the
** figures are those trace_summary() gives trace by trace.
*/
#include "analyses.h"
#include "arrays.h"
#include "facts.h"
#include "radix_sort.h"
#include "strmap.h"
#include "trace_resolve.h"
#include "trace_set.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define FN         "trace_summary"
#define TOP        5
#define ROOT_LIMIT 100

typedef struct top_trace {
  char trace_id[33];
  int32_t root;             /* string id, -1 no root */
  int64_t total_ns;
  double cost;
} top_trace;

typedef struct root_stats {
  int32_t root;             /* string id, -1 no root */
  int32_t traces, error_traces;
  int64_t spans;
  int64_t *durations;
  int32_t capacity;
  double cost;
} root_stats;

typedef struct set_summary {
  int64_t since, until;
  int64_t spans, tokens_in, tokens_out, errors, error_traces, first_ns, last_ns;
  double cost;
  int64_t *durations;       /* one per trace */
  double *costs;
  int32_t traces, capacity, cost_capacity;
  top_trace slowest[TOP], costliest[TOP];
  int32_t slowest_count, costliest_count;
  root_stats *roots;        /* index = root string id + 1 */
  int32_t root_capacity;
  tlm_strpool names;
  sqlite3_stmt *root_of;
} set_summary;

static void summary_free(set_summary *s){
  for(int32_t i = 0; i < s->root_capacity; i++) sqlite3_free(s->roots[i].durations);
  sqlite3_free(s->roots);
  sqlite3_free(s->durations);
  sqlite3_free(s->costs);
  tlm_strpool_free(&s->names);
  sqlite3_finalize(s->root_of);
}

/* x before y in a top list: larger first, then by id, so ties are stable. */
static int ahead(double x, const char *x_id, double y, const char *y_id){
  return x != y ? x > y : strcmp(x_id, y_id) < 0;
}

static void keep_top(top_trace *list, int32_t *count, const top_trace *t, int by_cost){
  int32_t at = *count;
  while( at > 0 && ahead(by_cost ? t->cost : (double)t->total_ns, t->trace_id,
                         by_cost ? list[at - 1].cost : (double)list[at - 1].total_ns,
                         list[at - 1].trace_id) ){
    at--;
  }
  if( at >= TOP ) return;
  int32_t last = *count < TOP ? *count : TOP - 1;
  memmove(&list[at + 1], &list[at], (size_t)(last - at) * sizeof *list);
  list[at] = *t;
  if( *count < TOP ) (*count)++;
}

/* The trace's root span name as a string id; -1 none, -2 no memory. */
static int32_t root_of(set_summary *s, const char *trace_id){
  int32_t id = -1;
  sqlite3_bind_text(s->root_of, 1, trace_id, -1, SQLITE_STATIC);
  if( sqlite3_step(s->root_of) == SQLITE_ROW ){
    id = tlm_strpool_intern(&s->names, (const char *)sqlite3_column_text(s->root_of, 0));
  }
  sqlite3_reset(s->root_of);
  return id;
}

/* One trace's totals (a tlm_facts_fn; its spans are not read). */
static int add_trace(void *arg, const tlm_trace_fact *t, const tlm_fact *spans, int32_t count){
  set_summary *s = arg;
  top_trace top;
  (void)spans;
  (void)count;
  if( t->start_ns < s->since || t->start_ns >= s->until ) return SQLITE_OK;
  int32_t root = root_of(s, t->trace_id);
  if( root == -2 ) return SQLITE_NOMEM;
  if( tlm_grow(&s->durations, s->traces, &s->capacity, sizeof *s->durations)
   || tlm_grow(&s->costs, s->traces, &s->cost_capacity, sizeof *s->costs) ){
    return SQLITE_NOMEM;
  }
  if( root + 1 >= s->root_capacity ){
    int32_t wanted = root + 16 > 2 * s->root_capacity ? root + 16 : 2 * s->root_capacity;
    if( tlm_resize(&s->roots, wanted, sizeof *s->roots) ) return SQLITE_NOMEM;
    memset(&s->roots[s->root_capacity], 0, (size_t)(wanted - s->root_capacity) * sizeof *s->roots);
    s->root_capacity = wanted;
  }
  root_stats *r = &s->roots[root + 1];
  if( tlm_grow(&r->durations, r->traces, &r->capacity, sizeof *r->durations) ) return SQLITE_NOMEM;
  int64_t total_ns = t->end_ns > t->start_ns ? t->end_ns - t->start_ns : 0;   /* sorted as unsigned */
  if( s->traces == 0 || t->start_ns < s->first_ns ) s->first_ns = t->start_ns;
  if( s->traces == 0 || t->end_ns > s->last_ns ) s->last_ns = t->end_ns;
  s->durations[s->traces] = total_ns;
  s->costs[s->traces++] = t->cost;
  s->spans += t->spans;
  s->tokens_in += t->tokens_in;
  s->tokens_out += t->tokens_out;
  s->cost += t->cost;
  s->errors += t->errors;
  s->error_traces += t->errors > 0;
  r->root = root;
  r->durations[r->traces++] = total_ns;
  r->error_traces += t->errors > 0;
  r->spans += t->spans;
  r->cost += t->cost;
  memcpy(top.trace_id, t->trace_id, sizeof top.trace_id);
  top.root = root;
  top.total_ns = total_ns;
  top.cost = t->cost;
  keep_top(s->slowest, &s->slowest_count, &top, 0);
  keep_top(s->costliest, &s->costliest_count, &top, 1);
  return SQLITE_OK;
}

/* ------------------------------------------------------------- JSON */

static int by_double(const void *a, const void *b){
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Exact: ns since 1970 are past a double's 2^53. */
static void add_int(cJSON *o, const char *key, int64_t value){
  char text[24];
  snprintf(text, sizeof text, "%lld", (long long)value);
  cJSON_AddRawToObject(o, key, text);
}

static void add_int_or_null(cJSON *o, const char *key, int has, int64_t value){
  if( has ) add_int(o, key, value);
  else cJSON_AddNullToObject(o, key);
}

static void add_number_or_null(cJSON *o, const char *key, int has, double value){
  if( has ) cJSON_AddNumberToObject(o, key, value);
  else cJSON_AddNullToObject(o, key);
}

static void add_root(cJSON *o, const set_summary *s, int32_t root){
  if( root >= 0 ) cJSON_AddStringToObject(o, "root", s->names.strings[root]);
  else cJSON_AddNullToObject(o, "root");
}

static void add_top(cJSON *summary, const set_summary *s, const char *key,
                    const top_trace *list, int32_t count){
  cJSON *array = cJSON_AddArrayToObject(summary, key);
  for(int32_t i = 0; array && i < count; i++){
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "trace_id", list[i].trace_id);
    add_root(item, s, list[i].root);
    add_int(item, "total_ns", list[i].total_ns);
    cJSON_AddNumberToObject(item, "cost", list[i].cost);
    cJSON_AddItemToArray(array, item);
  }
}

static int by_traces_desc(const void *a, const void *b){
  const root_stats *x = *(root_stats *const *)a, *y = *(root_stats *const *)b;
  if( x->traces != y->traces ) return x->traces > y->traces ? -1 : 1;
  return x->root - y->root;   /* string ids: first seen first */
}

static int add_roots(cJSON *summary, set_summary *s){
  root_stats **order = tlm_array(s->root_capacity, sizeof *order);
  int32_t count = 0;
  if( order == NULL ) return SQLITE_NOMEM;
  for(int32_t i = 0; i < s->root_capacity; i++){
    if( s->roots[i].traces > 0 ) order[count++] = &s->roots[i];
  }
  if( count > 1 ) qsort(order, count, sizeof *order, by_traces_desc);
  cJSON *array = cJSON_AddArrayToObject(summary, "roots");
  int rc = SQLITE_OK;
  for(int32_t i = 0; array && i < count && i < ROOT_LIMIT && rc == SQLITE_OK; i++){
    root_stats *r = order[i];
    rc = tlm_radix_sort_values((uint64_t *)r->durations, r->traces);
    cJSON *item = cJSON_CreateObject();
    add_root(item, s, r->root);
    cJSON_AddNumberToObject(item, "traces", r->traces);
    add_int(item, "p50_ns", tlm_nearest_rank(r->durations, r->traces, 50));
    add_int(item, "p90_ns", tlm_nearest_rank(r->durations, r->traces, 90));
    add_int(item, "p99_ns", tlm_nearest_rank(r->durations, r->traces, 99));
    add_int(item, "max_ns", r->durations[r->traces - 1]);
    add_int(item, "spans", r->spans);
    cJSON_AddNumberToObject(item, "cost", r->cost);
    cJSON_AddNumberToObject(item, "error_traces", r->error_traces);
    cJSON_AddItemToArray(array, item);
  }
  cJSON_AddNumberToObject(summary, "root_count", count);
  sqlite3_free(order);
  return rc;
}

static int summary_json(set_summary *s, char **out){
  int n = s->traces;
  int rc = tlm_radix_sort_values((uint64_t *)s->durations, n);   /* never negative (add_trace) */
  if( rc != SQLITE_OK ) return rc;
  if( n > 1 ) qsort(s->costs, n, sizeof *s->costs, by_double);
  cJSON *summary = cJSON_CreateObject();
  if( summary == NULL ) return SQLITE_NOMEM;
  add_int(summary, "traces", n);
  add_int(summary, "spans", s->spans);
  add_int_or_null(summary, "first_ns", n, s->first_ns);
  add_int_or_null(summary, "last_ns", n, s->last_ns);
  add_int_or_null(summary, "min_ns", n, n ? s->durations[0] : 0);
  add_int_or_null(summary, "p50_ns", n, n ? tlm_nearest_rank(s->durations, n, 50) : 0);
  add_int_or_null(summary, "p90_ns", n, n ? tlm_nearest_rank(s->durations, n, 90) : 0);
  add_int_or_null(summary, "p99_ns", n, n ? tlm_nearest_rank(s->durations, n, 99) : 0);
  add_int_or_null(summary, "max_ns", n, n ? s->durations[n - 1] : 0);
  add_int(summary, "tokens_in", s->tokens_in);
  add_int(summary, "tokens_out", s->tokens_out);
  cJSON_AddNumberToObject(summary, "cost", s->cost);
  /* The same ranks over the costs, sorted as doubles. */
  add_number_or_null(summary, "cost_p50", n, n ? s->costs[(n * 50 + 99) / 100 - 1] : 0);
  add_number_or_null(summary, "cost_p99", n, n ? s->costs[(n * 99 + 99) / 100 - 1] : 0);
  add_number_or_null(summary, "cost_max", n, n ? s->costs[n - 1] : 0);
  add_int(summary, "errors", s->errors);
  add_int(summary, "error_traces", s->error_traces);
  rc = add_roots(summary, s);
  add_top(summary, s, "slowest", s->slowest, s->slowest_count);
  add_top(summary, s, "costliest", s->costliest, s->costliest_count);
  *out = rc == SQLITE_OK ? cJSON_PrintUnformatted(summary) : NULL;
  cJSON_Delete(summary);
  return rc != SQLITE_OK ? rc : *out ? SQLITE_OK : SQLITE_NOMEM;
}

/* ---------------------------------------------------------- the call */

int tlm_trace_summary_of_set(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  set_summary s;
  tlm_facts *facts = NULL;
  char *errmsg = NULL, *json = NULL;
  int rc;
  memset(&s, 0, sizeof s);
  rc = tlm_window_args(ext->db, FN, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL,
                       &s.since, &s.until, &errmsg);
  if( rc == SQLITE_OK && (errmsg = tlm_check_database(ext->db, FN)) != NULL ) rc = SQLITE_ERROR;
  if( rc == SQLITE_OK ){
    rc = sqlite3_prepare_v2(ext->db, "SELECT root_name FROM traces WHERE trace_id = ?1", -1, &s.root_of, 0);
    if( rc != SQLITE_OK ){
      errmsg = sqlite3_mprintf(FN ": cannot read traces: %s", sqlite3_errmsg(ext->db));
    }
  }
  if( rc == SQLITE_OK ){
    rc = tlm_facts_each_in_set(ext, FN, argv[0], TLM_FACTS_TOTALS, s.since, s.until, &facts,
                               add_trace, &s, &errmsg);
  }
  if( rc == SQLITE_OK && facts == NULL ){
    if( argc == 1 ){ summary_free(&s); return 0; }   /* one trace: trace_summary.c's */
    if( sqlite3_value_type(argv[0]) == SQLITE_TEXT ){
      errmsg = sqlite3_mprintf(FN ": no traces with label '%s' (nor is it a query of trace ids)",
                               (const char *)sqlite3_value_text(argv[0]));
    }else{
      errmsg = sqlite3_mprintf(FN ": traces must be NULL, a run label or a query of trace ids");
    }
    rc = SQLITE_ERROR;
  }
  if( rc == SQLITE_OK ) rc = summary_json(&s, &json);
  tlm_facts_close(facts);
  summary_free(&s);
  if( rc != SQLITE_OK ){
    if( rc == SQLITE_NOMEM && errmsg == NULL ) sqlite3_result_error_nomem(ctx);
    else{
      if( errmsg == NULL ) errmsg = sqlite3_mprintf(FN ": %s", sqlite3_errstr(rc));
      sqlite3_result_error(ctx, errmsg, -1);
    }
    sqlite3_free(errmsg);
    return 1;
  }
  sqlite3_result_text(ctx, json, -1, SQLITE_TRANSIENT);
  cJSON_free(json);
  return 1;
}

static void trace_summary_set_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_trace_summary_of_set(ctx, argc, argv);
}

/* The one-argument form is trace_summary.c's, which calls here first. */
int tlm_register_trace_summary_set(sqlite3 *db, tlm_ext *ext){
  int rc = sqlite3_create_function(db, FN, 2, SQLITE_UTF8, ext, trace_summary_set_func, 0, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_create_function(db, FN, 3, SQLITE_UTF8, ext, trace_summary_set_func, 0, 0);
  return rc;
}
