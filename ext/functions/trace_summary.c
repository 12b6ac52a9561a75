/*
** trace_summary.c — trace_summary(trace_id): the whole report as JSON.
** Over a set of traces (NULL, a run label, a query) it is
** trace_summary_set.c's.
**
**   sqlite> SELECT json_extract(trace_summary('latest'), '$.critical_path');
**   ["rag_pipeline","load_prompt","retrieve_context","retrieve_faq","llm_call","format_response"]
**
** Keys: trace_id, root, span_count, total_ns, total (formatted),
** slowest_span {name, span_id, duration_ns} (the slowest span below the
** root: the root is always the slowest and says nothing), critical_path
** (the root, then the spans on the path in the order they first gate it), tokens_in,
** tokens_out, cost (recorded, or from the price table), unpriced_models
** [model] (tokens but no cost and no price), errors, anomalies
** [{span_id, name, kind, detail}],
** histogram [{label, lower_ms, upper_ms, count}], problems [text];
** for an LLM pipeline (span_genai, sql/genai_mapping.sql; the calls as
** llm_calls counts them, without pricing them again):
** llm_calls (count), ttft_ns (the first streamed call's time to first
** chunk, null without one), tokens_per_s (output tokens over the calls'
** time after their first chunk), conversation_id (null without one) and
** tool_calls [{tool, calls, errors}], most called first.
** Lists longer than 100 entries are cut, with critical_path_count,
** anomaly_count and problem_count giving the full numbers.
**
** It composes the other analyses over one cached graph; it adds nothing
** they do not compute, so its numbers agree with theirs.
*/
#include "text.h"
#include "analyses.h"
#include "strmap.h"
#include "arrays.h"
#include "hexid.h"
#include "span_row.h"
#include <cjson/cJSON.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define LIST_LIMIT 100

static void add_span_id(cJSON *object, const char *key, uint64_t id){
  char hex[17];
  tlm_span_id_to_hex(id, hex);
  cJSON_AddStringToObject(object, key, hex);
}

static void add_slowest(cJSON *summary, const tlm_graph *g){
  int32_t slowest = g->root;
  for(int32_t i = 0; i < g->n; i++){
    if( i == g->root ) continue;
    if( slowest == g->root || tlm_duration(&g->nodes[i]) > tlm_duration(&g->nodes[slowest]) ){
      slowest = i;
    }
  }
  cJSON *span = cJSON_AddObjectToObject(summary, "slowest_span");
  if( slowest < 0 || span == NULL ) return;
  cJSON_AddStringToObject(span, "name", tlm_str(g, g->nodes[slowest].name));
  add_span_id(span, "span_id", g->nodes[slowest].span_id);
  cJSON_AddNumberToObject(span, "duration_ns", (double)tlm_duration(&g->nodes[slowest]));
}

static int add_critical_path(cJSON *summary, const tlm_graph *g){
  tlm_segment *path;
  int32_t count, listed = 0;
  uint8_t *seen;
  cJSON *names = cJSON_AddArrayToObject(summary, "critical_path");
  if( names == NULL ) return SQLITE_NOMEM;
  int rc = tlm_critical_path(g, &path, &count);
  if( rc != SQLITE_OK ) return rc;
  seen = tlm_array(g->n, 1);
  if( seen == NULL ){ sqlite3_free(path); return SQLITE_NOMEM; }
  memset(seen, 0, g->n);
  /* The root first, whenever its own time falls; then the spans in the
  ** order they first gate it. */
  if( g->root >= 0 ){
    seen[g->root] = 1;
    cJSON_AddItemToArray(names, cJSON_CreateString(tlm_str(g, g->nodes[g->root].name)));
    listed++;
  }
  for(int32_t i = 0; i < count; i++){
    if( seen[path[i].node] ) continue;
    seen[path[i].node] = 1;
    if( listed < LIST_LIMIT ){
      cJSON_AddItemToArray(names, cJSON_CreateString(tlm_str(g, g->nodes[path[i].node].name)));
    }
    listed++;
  }
  cJSON_AddNumberToObject(summary, "critical_path_count", listed);
  sqlite3_free(seen);
  sqlite3_free(path);
  return SQLITE_OK;
}

/* Models that spent tokens but have no recorded cost and no price: their
** cost is unknown, not zero, and the summary says so. */
static int add_unpriced_models(cJSON *summary, const tlm_graph *g){
  cJSON *models = cJSON_AddArrayToObject(summary, "unpriced_models");
  tlm_strmap seen = {0};
  int rc = models ? SQLITE_OK : SQLITE_NOMEM;
  for(int32_t i = 0; rc == SQLITE_OK && i < g->n; i++){
    const char *model = tlm_str(g, g->nodes[i].model);
    if( !g->nodes[i].unpriced || model == NULL || tlm_strmap_get(&seen, model) >= 0 ) continue;
    if( tlm_strmap_put(&seen, model, i) ) rc = SQLITE_NOMEM;
    else cJSON_AddItemToArray(models, cJSON_CreateString(model));
  }
  tlm_strmap_free(&seen);
  return rc;
}

static int add_anomalies(tlm_ext *ext, cJSON *summary, const tlm_graph *g){
  tlm_anomaly *items;
  int32_t count;
  cJSON *list = cJSON_AddArrayToObject(summary, "anomalies");
  if( list == NULL ) return SQLITE_NOMEM;
  int rc = tlm_find_anomalies(ext, g, &items, &count);
  if( rc != SQLITE_OK ) return rc;
  for(int32_t i = 0; i < count && i < LIST_LIMIT; i++){
    cJSON *item = cJSON_CreateObject();
    add_span_id(item, "span_id", g->nodes[items[i].node].span_id);
    cJSON_AddStringToObject(item, "name", tlm_str(g, g->nodes[items[i].node].name));
    cJSON_AddStringToObject(item, "kind", items[i].kind);
    cJSON_AddStringToObject(item, "detail", items[i].detail);
    cJSON_AddItemToArray(list, item);
  }
  cJSON_AddNumberToObject(summary, "anomaly_count", count);
  tlm_free_anomalies(items, count);
  return SQLITE_OK;
}

/* What the GenAI views say of the trace (two indexed queries); nothing
** where the views are missing (a database another tool made). */
static int add_genai(tlm_ext *ext, cJSON *summary, const tlm_graph *g){
  static const char calls_sql[] =
    "SELECT count(*), (SELECT ttft_ns FROM span_genai WHERE trace_id = ?1 AND is_llm"
    "                  AND ttft_ns IS NOT NULL ORDER BY start_ns, span_rowid LIMIT 1),"
    " sum(iif(s.tokens_out > 0, s.tokens_out, 0)) * 1e9"
    "  / nullif(sum(iif(s.tokens_out > 0, max(g.end_ns - g.start_ns - coalesce(g.ttft_ns, 0), 0), 0)), 0),"
    " (SELECT max(conversation_id) FROM span_genai WHERE trace_id = ?1)"
    " FROM span_genai g JOIN spans s ON s.rowid = g.span_rowid WHERE g.trace_id = ?1 AND g.is_llm";
  static const char tools_sql[] =
    "SELECT coalesce(tool_name, name), count(*), sum(status = 'error') FROM span_genai"
    " WHERE trace_id = ?1 AND is_tool GROUP BY 1 ORDER BY 2 DESC, 1";
  sqlite3_stmt *stmt = NULL;
  cJSON *tools;
  int rc = SQLITE_OK;
  if( tlm_prepare(ext, calls_sql, &stmt) != SQLITE_OK ) return SQLITE_OK;
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW ){
    cJSON_AddNumberToObject(summary, "llm_calls", (double)sqlite3_column_int64(stmt, 0));
    if( sqlite3_column_type(stmt, 1) == SQLITE_NULL ) cJSON_AddNullToObject(summary, "ttft_ns");
    else cJSON_AddNumberToObject(summary, "ttft_ns", (double)sqlite3_column_int64(stmt, 1));
    if( sqlite3_column_type(stmt, 2) == SQLITE_NULL ) cJSON_AddNullToObject(summary, "tokens_per_s");
    else cJSON_AddNumberToObject(summary, "tokens_per_s", sqlite3_column_double(stmt, 2));
    if( sqlite3_column_type(stmt, 3) == SQLITE_NULL ) cJSON_AddNullToObject(summary, "conversation_id");
    else cJSON_AddStringToObject(summary, "conversation_id", (const char *)sqlite3_column_text(stmt, 3));
  }
  rc = sqlite3_reset(stmt);
  tlm_finish(ext, stmt);
  if( rc != SQLITE_OK || tlm_prepare(ext, tools_sql, &stmt) != SQLITE_OK ) return rc;
  if( (tools = cJSON_AddArrayToObject(summary, "tool_calls")) == NULL ) rc = SQLITE_NOMEM;
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  while( rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW ){
    cJSON *tool = cJSON_CreateObject();
    if( tool == NULL ){ rc = SQLITE_NOMEM; break; }
    cJSON_AddStringToObject(tool, "tool", (const char *)sqlite3_column_text(stmt, 0));
    cJSON_AddNumberToObject(tool, "calls", (double)sqlite3_column_int64(stmt, 1));
    cJSON_AddNumberToObject(tool, "errors", (double)sqlite3_column_int64(stmt, 2));
    cJSON_AddItemToArray(tools, tool);
  }
  if( rc == SQLITE_OK ) rc = sqlite3_reset(stmt);
  tlm_finish(ext, stmt);
  return rc;
}

static int add_histogram(cJSON *summary, const tlm_graph *g){
  tlm_bucket buckets[TLM_MAX_BUCKETS];
  char *errmsg = NULL;
  cJSON *list = cJSON_AddArrayToObject(summary, "histogram");
  int count = tlm_histogram(g, NULL, buckets, &errmsg);
  sqlite3_free(errmsg);
  if( list == NULL || count < 0 ) return SQLITE_NOMEM;
  for(int b = 0; b < count; b++){
    cJSON *bucket = cJSON_CreateObject();
    cJSON_AddStringToObject(bucket, "label", buckets[b].label);
    cJSON_AddNumberToObject(bucket, "lower_ms", buckets[b].lower_ms);
    if( buckets[b].upper_ms >= 0 ) cJSON_AddNumberToObject(bucket, "upper_ms", buckets[b].upper_ms);
    else cJSON_AddNullToObject(bucket, "upper_ms");
    cJSON_AddNumberToObject(bucket, "count", (double)buckets[b].count);
    cJSON_AddItemToArray(list, bucket);
  }
  return SQLITE_OK;
}

static int add_problems(cJSON *summary, const tlm_graph *g){
  int32_t count = 0;
  cJSON *list = cJSON_AddArrayToObject(summary, "problems");
  if( list == NULL ) return SQLITE_NOMEM;
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k];
    if( g->nodes[i].problems == 0 ) continue;
    if( count++ >= LIST_LIMIT ) continue;
    char *line = tlm_problem_line(g, i);
    if( line == NULL ) return SQLITE_NOMEM;
    cJSON_AddItemToArray(list, cJSON_CreateString(line));
    sqlite3_free(line);
  }
  cJSON_AddNumberToObject(summary, "problem_count", count);
  return SQLITE_OK;
}

static void trace_summary_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_graph *g;
  char *text, total[32];
  int64_t tokens_in = 0, tokens_out = 0, errors = 0;
  double cost = 0;
  int rc;
  if( tlm_trace_summary_of_set(ctx, argc, argv) ) return;
  if( (g = tlm_graph_for_function(ctx, "trace_summary", argv[0])) == NULL ) return;
  for(int32_t i = 0; i < g->n; i++){
    tokens_in += g->nodes[i].tokens_in;
    tokens_out += g->nodes[i].tokens_out;
    cost += g->nodes[i].cost;
    errors += g->nodes[i].status == TLM_STATUS_ERROR;
  }
  cJSON *summary = cJSON_CreateObject();
  cJSON_AddStringToObject(summary, "trace_id", g->trace_id);
  if( g->root >= 0 ) cJSON_AddStringToObject(summary, "root", tlm_str(g, g->nodes[g->root].name));
  else cJSON_AddNullToObject(summary, "root");
  cJSON_AddNumberToObject(summary, "span_count", g->n);
  cJSON_AddNumberToObject(summary, "total_ns", (double)(g->end_ns - g->start_ns));
  tlm_format_duration(g->end_ns - g->start_ns, 0, total, sizeof total);
  cJSON_AddStringToObject(summary, "total", total);
  add_slowest(summary, g);
  rc = add_critical_path(summary, g);
  cJSON_AddNumberToObject(summary, "tokens_in", (double)tokens_in);
  cJSON_AddNumberToObject(summary, "tokens_out", (double)tokens_out);
  cJSON_AddNumberToObject(summary, "cost", cost);
  if( rc == SQLITE_OK ) rc = add_unpriced_models(summary, g);
  cJSON_AddNumberToObject(summary, "errors", (double)errors);
  if( rc == SQLITE_OK ) rc = add_anomalies(sqlite3_user_data(ctx), summary, g);
  if( rc == SQLITE_OK ) rc = add_genai(sqlite3_user_data(ctx), summary, g);
  if( rc == SQLITE_OK ) rc = add_histogram(summary, g);
  if( rc == SQLITE_OK ) rc = add_problems(summary, g);
  tlm_graph_release(g);
  text = rc == SQLITE_OK ? cJSON_PrintUnformatted(summary) : NULL;
  cJSON_Delete(summary);
  if( text == NULL ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
  cJSON_free(text);
}

int tlm_register_trace_summary(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "trace_summary", 1, SQLITE_UTF8, ext,
                                 trace_summary_func, 0, 0);
}
