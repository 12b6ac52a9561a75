/*
** span_histogram.c — span_histogram(trace_id [, bounds_ms]): how many
** spans took how long.
**
**   sqlite> SELECT label, count FROM span_histogram('latest');
**   < 0.1 ms|0
**   0.1 - 0.5 ms|1
**   ...
**   >= 1000 ms|0
**
** Columns: label, lower_ms, upper_ms (NULL for the last bucket), count.
** Buckets are [lower, upper).  The default bounds are the seed profiler's,
** 0.1 0.5 1 5 10 50 100 500 1000 ms, plus an overflow bucket; bounds_ms
** is a JSON array of increasing positive numbers (at most 64).
*/
#include "tvf.h"
#include "analyses.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

static const double default_bounds_ms[] = { 0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000 };

static int parse_bounds(const char *json, double *bounds, char **errmsg){
  cJSON *array = cJSON_Parse(json);
  int count = 0, ok = cJSON_IsArray(array) && cJSON_GetArraySize(array) > 0
                      && cJSON_GetArraySize(array) < TLM_MAX_BUCKETS;
  for(cJSON *item = ok ? array->child : NULL; item && ok; item = item->next){
    ok = cJSON_IsNumber(item) && item->valuedouble > 0
      && (count == 0 || item->valuedouble > bounds[count - 1]);
    if( ok ) bounds[count++] = item->valuedouble;
  }
  cJSON_Delete(array);
  if( !ok ){
    *errmsg = sqlite3_mprintf("span_histogram: bounds_ms must be a JSON array of 1 to"
                              " %d increasing positive numbers", TLM_MAX_BUCKETS - 1);
    return -1;
  }
  return count;
}

int tlm_histogram(const tlm_graph *g, const char *bounds_json, tlm_bucket *out,
                  char **errmsg){
  double bounds[TLM_MAX_BUCKETS] = {0};
  int count;
  if( bounds_json ){
    if( (count = parse_bounds(bounds_json, bounds, errmsg)) < 0 ) return -1;
  }else{
    count = (int)(sizeof default_bounds_ms / sizeof default_bounds_ms[0]);
    memcpy(bounds, default_bounds_ms, sizeof default_bounds_ms);
  }
  for(int b = 0; b <= count; b++){
    out[b].lower_ms = b ? bounds[b - 1] : 0;
    out[b].upper_ms = b < count ? bounds[b] : -1;
    out[b].count = 0;
    if( b == 0 ) snprintf(out[b].label, sizeof out[b].label, "< %g ms", bounds[0]);
    else if( b == count ) snprintf(out[b].label, sizeof out[b].label, ">= %g ms", bounds[b - 1]);
    else snprintf(out[b].label, sizeof out[b].label, "%g - %g ms", bounds[b - 1], bounds[b]);
  }
  for(int32_t i = 0; i < g->n; i++){
    double ms = tlm_duration(&g->nodes[i]) / 1e6;
    int b = 0;
    while( b < count && ms >= bounds[b] ) b++;   /* at most 64 bounds */
    out[b].count++;
  }
  return count + 1;
}

#define HIST_LABEL    0
#define HIST_LOWER_MS 1
#define HIST_UPPER_MS 2
#define HIST_COUNT    3
#define HIST_COLUMNS  4
/* The columns, numbered as above, then the hidden arguments. */
static const char span_histogram_schema[] =
  "CREATE TABLE x(label, lower_ms, upper_ms, count, trace_id HIDDEN, bounds_ms HIDDEN)";

static int histogram_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                          void **state, int64_t *row_count, char **errmsg){
  tlm_bucket *buckets;
  tlm_graph *g;
  const char *bounds = NULL;
  int count, rc;
  (void)used;
  if( argc > 1 ){
    if( sqlite3_value_type(argv[1]) != SQLITE_TEXT ){
      *errmsg = sqlite3_mprintf("span_histogram: bounds_ms must be a JSON array as text");
      return SQLITE_ERROR;
    }
    bounds = (const char *)sqlite3_value_text(argv[1]);
  }
  rc = tlm_graph_get_shape(ext, "span_histogram", argv[0], &g, errmsg);
  if( rc != SQLITE_OK ) return rc;
  buckets = sqlite3_malloc(TLM_MAX_BUCKETS * sizeof *buckets);
  if( buckets == NULL ){ tlm_graph_release(g); return SQLITE_NOMEM; }
  count = tlm_histogram(g, bounds, buckets, errmsg);
  tlm_graph_release(g);
  if( count < 0 ){ sqlite3_free(buckets); return SQLITE_ERROR; }
  *state = buckets;
  *row_count = count;
  return SQLITE_OK;
}

static void histogram_column(void *state, int64_t row, int col, sqlite3_context *ctx){
  const tlm_bucket *b = &((tlm_bucket *)state)[row];
  switch( col ){
    case HIST_LABEL:    sqlite3_result_text(ctx, b->label, -1, SQLITE_TRANSIENT); break;
    case HIST_LOWER_MS: sqlite3_result_double(ctx, b->lower_ms); break;
    case HIST_UPPER_MS: if( b->upper_ms >= 0 ) sqlite3_result_double(ctx, b->upper_ms); break;
    case HIST_COUNT:    sqlite3_result_int64(ctx, b->count); break;
  }
}

static void histogram_close(void *state){ sqlite3_free(state); }

static const tlm_tvf_def span_histogram_def = {
  .name = "span_histogram",
  .schema = span_histogram_schema,
  .column_count = HIST_COLUMNS,
  .arg_count = 2,
  .required_args = 1,
  .open = histogram_open,
  .advance = NULL,
  .column = histogram_column,
  .close = histogram_close,
};

int tlm_register_span_histogram(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &span_histogram_def);
}
