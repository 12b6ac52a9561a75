/*
** trace_anomalies.c — trace_anomalies(trace_id): spans worth a look.
**
**   sqlite> SELECT name, kind, detail FROM trace_anomalies('latest');
**   llm_call|latency_spike|80.511 ms is 3.1x the mean of non-root spans (25.882 ms)
**
** Columns: span_id, name, kind, detail.  Kinds:
**   latency_spike      duration over twice the mean duration of the
**                      trace's non-root spans (the seed's rule).  Only
**                      with at least 3 non-root spans: with fewer, "the
**                      mean" is mostly the span itself.
**   error              status is error; detail is the status message, or
**                      without one the span's exception event (type: message)
**   unfinished         end_ns is NULL
**   orphan             the parent id is not in the trace
**   cycle              the parent chain loops back; the span was cut there
**   duplicate_id       another span of the trace has the same id
**   negative_duration  end_ns < start_ns
**   extra_root         a second span without a parent
**   retry_storm        an LLM call (a span with a model) that succeeded
**                      after at least 2 failed LLM calls among its
**                      siblings just before it
**   agent_loop         the third (and later) call of one tool with the same
**                      gen_ai.tool.call.arguments in the trace, or of an LLM
**                      with the same gen_ai.input.messages: an agent going
**                      round in circles
**   slow_first_token   an LLM call whose time to first chunk is past its
**                      model's p90 over the database (nearest rank, from
**                      the per-span facts), where the database holds at
**                      least 10 calls of it with one
** Rows are in tree order, then retry_storm, agent_loop and
** slow_first_token in start order;
** a span may appear under several kinds.
*/
#include "text.h"
#include "tvf.h"
#include "analyses.h"
#include "arrays.h"
#include "hexid.h"
#include "span_row.h"
#include "facts.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

#define SPIKE_FACTOR 2.0
#define SPIKE_MIN_SPANS 3

typedef struct anomaly_list {
  tlm_anomaly *items;
  int32_t count, capacity;
} anomaly_list;

static int add(anomaly_list *list, int32_t node, const char *kind, char *detail){
  if( detail == NULL ) return SQLITE_NOMEM;
  if( tlm_grow(&list->items, list->count, &list->capacity, sizeof *list->items) ){
    sqlite3_free(detail);
    return SQLITE_NOMEM;
  }
  list->items[list->count++] = (tlm_anomaly){ node, kind, detail };
  return SQLITE_OK;
}

void tlm_free_anomalies(tlm_anomaly *a, int32_t count){
  for(int32_t i = 0; i < count; i++) sqlite3_free(a[i].detail);
  sqlite3_free(a);
}

/* An error span without a status message: its first exception event says
** why ("TimeoutError: upstream took 30 s"), where OpenTelemetry SDKs put
** it.  NULL when there is none (or no db). */
static char *exception_of(sqlite3 *db, const tlm_graph *g, const tlm_node *n){
  sqlite3_stmt *stmt;
  char span_hex[17], *detail = NULL;
  if( db == NULL || sqlite3_prepare_v2(db, "SELECT json_extract(attrs, '$.\"exception.type\"'),"
      " json_extract(attrs, '$.\"exception.message\"') FROM span_events"
      " WHERE trace_id = ?1 AND span_id = ?2 AND name = 'exception' ORDER BY seq LIMIT 1",
      -1, &stmt, 0) != SQLITE_OK ){
    return NULL;
  }
  tlm_span_id_to_hex(n->span_id, span_hex);
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, span_hex, 16, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW ){
    const char *type = (const char *)sqlite3_column_text(stmt, 0);
    const char *message = (const char *)sqlite3_column_text(stmt, 1);
    if( type && message ) detail = sqlite3_mprintf("%s: %s", type, message);
    else if( type || message ) detail = sqlite3_mprintf("%s", type ? type : message);
  }
  sqlite3_finalize(stmt);
  return detail;
}

#define STORM_MIN_FAILURES 2
#define LOOP_MIN_REPEATS 3

/* Failed LLM calls followed by one that succeeded, among one parent's
** children (in start order). */
static int find_retry_storms(const tlm_graph *g, anomaly_list *list){
  int rc = SQLITE_OK;
  for(int32_t p = 0; p < g->n && rc == SQLITE_OK; p++){
    int32_t failed = 0;
    for(int32_t c = 0; c < g->child_count[p] && rc == SQLITE_OK; c++){
      int32_t i = g->children[g->child_start[p] + c];
      const tlm_node *n = &g->nodes[i];
      if( n->model < 0 ) continue;          /* not an LLM call: the run goes on */
      if( n->status == TLM_STATUS_ERROR ){ failed++; continue; }
      if( failed >= STORM_MIN_FAILURES ){
        rc = add(list, i, "retry_storm", sqlite3_mprintf(
            "succeeded after %d failed LLM calls just before it under the same parent", failed));
      }
      failed = 0;
    }
  }
  return rc;
}

/* The same tool with the same arguments, or an LLM with the same prompt,
** a third time and more in one trace (attributes: one query). */
static int find_agent_loops(sqlite3 *db, const tlm_graph *g, anomaly_list *list){
  static const char sql[] =
    "SELECT span_rowid, what, n FROM ("
    " SELECT span_rowid, what, args, count(*) OVER (PARTITION BY what, args) AS n,"
    "  row_number() OVER (PARTITION BY what, args ORDER BY start_ns, span_rowid) AS k FROM ("
    "  SELECT span_rowid, start_ns,"
    "   iif(is_tool, 'tool ' || coalesce(tool_name, name), 'LLM call ' || request_model) AS what,"
    "   iif(is_tool, tool_arguments, input_messages) AS args"
    "  FROM span_genai WHERE trace_id = ?1 AND (is_tool OR request_model IS NOT NULL)))"
    " WHERE args IS NOT NULL AND n >= ?2 AND k >= ?2 ORDER BY span_rowid";
  sqlite3_stmt *stmt;
  int rc = SQLITE_OK;
  if( db == NULL || g->with_attrs == 0 ) return SQLITE_OK;   /* no attributes: nothing to say */
  if( (rc = sqlite3_prepare_v2(db, sql, -1, &stmt, 0)) != SQLITE_OK ) return rc;
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 2, LOOP_MIN_REPEATS);
  while( rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW ){
    int32_t node = tlm_graph_node_of_rowid(g, sqlite3_column_int64(stmt, 0), -1);
    if( node < 0 ) continue;
    rc = add(list, node, "agent_loop", sqlite3_mprintf("%s %lld times with the same %s in this trace",
             (const char *)sqlite3_column_text(stmt, 1), (long long)sqlite3_column_int64(stmt, 2),
             g->nodes[node].model >= 0 ? "prompt" : "arguments"));
  }
  sqlite3_finalize(stmt);
  return rc;
}

#define SLOW_TTFT_PERCENT 90
#define SLOW_TTFT_MIN_CALLS 10
#define SLOW_TTFT_BUILD_LIMIT 200

/* The p90 is the model's over the whole database: a question over many
** traces, so marked traces are built first where the connection can write
** (a reader that cannot uses the facts as built), at most
** SLOW_TTFT_BUILD_LIMIT a call: a trace page opened while a receiver
** takes spans in stays quick, and the p90 of the calls before them is as
** good a yardstick.  Only a trace with an LLM call pays for that. */
/* A model's p90 over the database, found once per model of the trace. */
typedef struct model_p90 { const char *model; int64_t calls, p90; } model_p90;
#define SLOW_TTFT_MODELS 16

static int p90_of(tlm_ext *ext, const char *model, int64_t *calls, int64_t *p90){
  sqlite3_stmt *count = NULL, *rank = NULL;
  int rc;
  *calls = *p90 = 0;
  if( tlm_prepare(ext, "SELECT count(*) FROM span_facts WHERE model = ?1 AND ttft_ns IS NOT NULL", &count)
   || tlm_prepare(ext, "SELECT ttft_ns FROM span_facts WHERE model = ?1"
                  " AND ttft_ns IS NOT NULL ORDER BY ttft_ns LIMIT 1 OFFSET ?2", &rank) ){
    tlm_finish(ext, count);
    return SQLITE_OK;                         /* no facts tables: nothing to say */
  }
  sqlite3_bind_text(count, 1, model, -1, SQLITE_STATIC);
  if( sqlite3_step(count) == SQLITE_ROW ) *calls = sqlite3_column_int64(count, 0);
  rc = sqlite3_reset(count);
  if( rc == SQLITE_OK && *calls >= SLOW_TTFT_MIN_CALLS ){
    sqlite3_bind_text(rank, 1, model, -1, SQLITE_STATIC);
    sqlite3_bind_int64(rank, 2, (*calls * SLOW_TTFT_PERCENT + 99) / 100 - 1);
    if( sqlite3_step(rank) == SQLITE_ROW ) *p90 = sqlite3_column_int64(rank, 0);
    rc = sqlite3_reset(rank);
  }
  tlm_finish(ext, count);
  tlm_finish(ext, rank);
  return rc;
}

static int find_slow_first_tokens(tlm_ext *ext, const tlm_graph *g, anomaly_list *list){
  sqlite3_stmt *calls = NULL;
  model_p90 seen[SLOW_TTFT_MODELS];
  int seen_count = 0;
  int64_t built;
  char *ignored = NULL;
  int32_t models = 0;
  int rc;
  for(int32_t i = 0; i < g->n; i++) models += g->nodes[i].model >= 0;
  if( ext == NULL || g->with_attrs == 0 || models == 0 ) return SQLITE_OK;
  tlm_facts_update(ext, "trace_anomalies", SLOW_TTFT_BUILD_LIMIT, &built, &ignored);
  sqlite3_free(ignored);
  rc = tlm_prepare(ext, "SELECT span_rowid, request_model, ttft_ns FROM span_genai"
                   " WHERE trace_id = ?1 AND ttft_ns >= 0 AND request_model IS NOT NULL"
                   " ORDER BY start_ns, span_rowid", &calls);
  if( rc != SQLITE_OK ) return SQLITE_OK;   /* not a TraceLM database of version 8 */
  sqlite3_bind_text(calls, 1, g->trace_id, -1, SQLITE_STATIC);
  while( rc == SQLITE_OK && sqlite3_step(calls) == SQLITE_ROW ){
    int32_t node = tlm_graph_node_of_rowid(g, sqlite3_column_int64(calls, 0), -1);
    int64_t ttft = sqlite3_column_int64(calls, 2), n = 0, p90 = 0;
    int k;
    if( node < 0 || g->nodes[node].model < 0 ) continue;
    /* The graph's copy of the model name outlives the statement's row. */
    const char *model = tlm_str(g, g->nodes[node].model);
    for(k = 0; k < seen_count && strcmp(seen[k].model, model); k++){}
    if( k < seen_count ){
      n = seen[k].calls;
      p90 = seen[k].p90;
    }else{
      rc = p90_of(ext, model, &n, &p90);
      if( seen_count < SLOW_TTFT_MODELS ) seen[seen_count++] = (model_p90){ model, n, p90 };
    }
    if( rc == SQLITE_OK && n >= SLOW_TTFT_MIN_CALLS && ttft > p90 ){
      char took[32], usual[32];
      tlm_format_duration(ttft, 0, took, sizeof took);
      tlm_format_duration(p90, 0, usual, sizeof usual);
      rc = add(list, node, "slow_first_token", sqlite3_mprintf(
          "first chunk after %s, past %s's p90 of %s over %lld calls in the database",
          took, model, usual, (long long)n));
    }
  }
  tlm_finish(ext, calls);
  return rc;
}

int tlm_find_anomalies(tlm_ext *ext, const tlm_graph *g, tlm_anomaly **out, int32_t *count){
  sqlite3 *db = ext ? ext->db : NULL;
  anomaly_list list = {0};
  double mean = 0;
  int32_t others = 0;
  int rc = SQLITE_OK;
  for(int32_t i = 0; i < g->n; i++){
    if( i == g->root ) continue;
    mean += (double)tlm_duration(&g->nodes[i]);
    others++;
  }
  if( others ) mean /= others;
  for(int32_t k = 0; k < g->n && rc == SQLITE_OK; k++){
    int32_t i = g->order[k];
    const tlm_node *n = &g->nodes[i];
    char parent[17], took[32], average[32];
    if( i != g->root && others >= SPIKE_MIN_SPANS && tlm_duration(n) > SPIKE_FACTOR * mean ){
      tlm_format_duration(tlm_duration(n), 0, took, sizeof took);
      tlm_format_duration((int64_t)mean, 0, average, sizeof average);
      rc = add(&list, i, "latency_spike", sqlite3_mprintf(
          "%s is %.1fx the mean of non-root spans (%s)", took, tlm_duration(n) / mean, average));
    }
    if( rc == SQLITE_OK && n->status == TLM_STATUS_ERROR ){
      const char *message = tlm_str(g, n->message);
      char *exception = message ? NULL : exception_of(db, g, n);
      rc = add(&list, i, "error", exception ? exception
               : sqlite3_mprintf("%s", message ? message : "status is error"));
    }
    if( rc == SQLITE_OK && (n->problems & TLM_PROBLEM_UNFINISHED) ){
      rc = add(&list, i, "unfinished", sqlite3_mprintf(
          "never ended; treated as ending at the trace's last known time"));
    }
    if( rc == SQLITE_OK && (n->problems & TLM_PROBLEM_ORPHAN) ){
      tlm_span_id_to_hex(n->parent_id, parent);
      rc = add(&list, i, "orphan", sqlite3_mprintf("parent %s is not in the trace", parent));
    }
    if( rc == SQLITE_OK && (n->problems & TLM_PROBLEM_CYCLE) ){
      rc = add(&list, i, "cycle", sqlite3_mprintf(
          "its parent chain loops back to it; shown as a top-level span"));
    }
    if( rc == SQLITE_OK && (n->problems & TLM_PROBLEM_DUPLICATE) ){
      rc = add(&list, i, "duplicate_id", sqlite3_mprintf(
          "another span of the trace has this id; children attach to the first"));
    }
    if( rc == SQLITE_OK && (n->problems & TLM_PROBLEM_NEGATIVE) ){
      rc = add(&list, i, "negative_duration", sqlite3_mprintf(
          "end_ns is before start_ns; treated as zero length"));
    }
    if( rc == SQLITE_OK && (n->problems & TLM_PROBLEM_EXTRA_ROOT) ){
      rc = add(&list, i, "extra_root", sqlite3_mprintf(
          "a second span without a parent; the earliest is the root"));
    }
  }
  if( rc == SQLITE_OK && g->full ) rc = find_retry_storms(g, &list);
  if( rc == SQLITE_OK ) rc = find_agent_loops(db, g, &list);
  if( rc == SQLITE_OK ) rc = find_slow_first_tokens(ext, g, &list);
  if( rc != SQLITE_OK ){
    tlm_free_anomalies(list.items, list.count);
    return rc;
  }
  *out = list.items;
  *count = list.count;
  return SQLITE_OK;
}

#define ANOMALY_SPAN_ID 0
#define ANOMALY_NAME    1
#define ANOMALY_KIND    2
#define ANOMALY_DETAIL  3
#define ANOMALY_COLUMNS 4
/* The columns, numbered as above, then the hidden arguments. */
static const char trace_anomalies_schema[] =
  "CREATE TABLE x(span_id, name, kind, detail, trace_id HIDDEN)";

typedef struct anomaly_rows {
  tlm_graph *graph;
  tlm_anomaly *items;
  int32_t count;
} anomaly_rows;

static void anomalies_close(void *state){
  anomaly_rows *a = state;
  tlm_graph_release(a->graph);
  tlm_free_anomalies(a->items, a->count);
  sqlite3_free(a);
}

static int anomalies_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                          void **state, int64_t *row_count, char **errmsg){
  anomaly_rows *a = sqlite3_malloc(sizeof *a);
  int rc;
  (void)argc; (void)used;
  if( a == NULL ) return SQLITE_NOMEM;
  memset(a, 0, sizeof *a);
  rc = tlm_graph_get(ext, "trace_anomalies", argv[0], &a->graph, errmsg);
  if( rc == SQLITE_OK ) rc = tlm_find_anomalies(ext, a->graph, &a->items, &a->count);
  if( rc != SQLITE_OK ){ anomalies_close(a); return rc; }
  *state = a;
  *row_count = a->count;
  return SQLITE_OK;
}

static void anomalies_column(void *state, int64_t row, int col, sqlite3_context *ctx){
  anomaly_rows *a = state;
  const tlm_anomaly *item = &a->items[row];
  const tlm_node *n = &a->graph->nodes[item->node];
  char hex[17];
  switch( col ){
    case ANOMALY_SPAN_ID:
      tlm_span_id_to_hex(n->span_id, hex);
      sqlite3_result_text(ctx, hex, 16, SQLITE_TRANSIENT);
      break;
    case ANOMALY_NAME:   sqlite3_result_text(ctx, tlm_str(a->graph, n->name), -1, SQLITE_STATIC); break;
    case ANOMALY_KIND:   sqlite3_result_text(ctx, item->kind, -1, SQLITE_STATIC); break;
    case ANOMALY_DETAIL: sqlite3_result_text(ctx, item->detail, -1, SQLITE_STATIC); break;
  }
}

static const tlm_tvf_def trace_anomalies_def = {
  .name = "trace_anomalies",
  .schema = trace_anomalies_schema,
  .column_count = ANOMALY_COLUMNS,
  .arg_count = 1,
  .required_args = 1,
  .open = anomalies_open,
  .advance = NULL,
  .column = anomalies_column,
  .close = anomalies_close,
};

int tlm_register_trace_anomalies(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &trace_anomalies_def);
}
