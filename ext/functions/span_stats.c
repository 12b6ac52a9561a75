/*
** span_stats.c — span_stats(traces [, since, until, by]): how long and how
** costly spans were, per name (or per path, model, service, run label,
** day), over one trace, a run, a window or the whole history.
**
**   sqlite> SELECT name, count, p50_ns, p99_ns, critical_ns
**      ...>   FROM span_stats(NULL) ORDER BY critical_ns DESC LIMIT 3;
**   sqlite> SELECT p99_ns FROM span_stats(NULL, '-7 days') WHERE name = 'llm_call';
**   sqlite> SELECT day, model, cost FROM span_stats(NULL, NULL, NULL, 'model,day');
**
** traces: NULL (every trace), a query of trace ids ("SELECT ..."), a run
** label, or one trace ('latest', an id or a unique prefix), tried in that
** order.  since, until: a window on each trace's start, [since, until),
** in ns or as a date (trace_set.c).  by: a comma list of name (the
** default), path, model, service, label, day.
**
** Columns: name, count, total_ns, self_ns, min_ns, p50_ns, p90_ns, p99_ns,
** max_ns, critical_ns, tokens_in, tokens_out, cost, errors, then the
** grouping's path, model, service, label, day (NULL when not grouped by
** them).  Rows come by total_ns, largest first.
**
** HOW IT WORKS
**   CREATE TABLE x(name, ..., day, trace_id HIDDEN, since HIDDEN,
**                  until HIDDEN, by HIDDEN)
** Every span's duration, self time, time on the critical path and priced
** cost come from its stored facts (facts.c; a trace not yet built is
** computed from its graph the same way), grouped through a hash of the
** grouping's values.  Percentiles are nearest-rank over the exact
** durations: p-th = the ceil(p/100 * count)-th smallest, so every value is
** a real duration; each group's durations are radix-sorted once.
*/
#include "tvf.h"
#include "analyses.h"
#include "arrays.h"
#include "facts.h"
#include "radix_sort.h"
#include "strmap.h"
#include "trace_resolve.h"
#include "trace_set.h"
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
#define STATS_PATH        14
#define STATS_MODEL       15
#define STATS_SERVICE     16
#define STATS_LABEL       17
#define STATS_DAY         18
#define STATS_COLUMNS     19
/* The columns, numbered as above, then the hidden arguments. */
static const char span_stats_schema[] =
  "CREATE TABLE x(name, count, total_ns, self_ns, min_ns, p50_ns, p90_ns, p99_ns,"
  " max_ns, critical_ns, tokens_in, tokens_out, cost, errors, path, model, service, label, day,"
  " trace_id HIDDEN, since HIDDEN, until HIDDEN, by HIDDEN)";

/* What a group is keyed by: one value per grouping, -1 where the
** grouping is not asked for or the value is NULL. */
enum { KEY_NAME, KEY_PATH, KEY_MODEL, KEY_SERVICE, KEY_LABEL, KEY_DAY, KEY_PARTS };
static const char *const key_words[KEY_PARTS] = { "name", "path", "model", "service", "label", "day" };

typedef struct group_key { int32_t part[KEY_PARTS]; } group_key;

typedef struct group_stats {
  group_key key;
  int32_t count;
  int64_t total_ns, self_ns, critical_ns;
  int64_t tokens_in, tokens_out, errors;
  double cost;
  int64_t *durations;        /* every duration, sorted at the end */
  int32_t duration_capacity;
  int32_t path_text, path_name;   /* by path: string ids, made at the end */
  int32_t tie[KEY_PARTS];         /* the order among equal totals (rank_texts) */
} group_stats;

typedef struct stats_rows {
  group_stats *rows;
  int32_t count, capacity;
  int32_t *slots;            /* open addressing over rows: index + 1, 0 empty */
  uint64_t slot_mask;
  unsigned by;               /* bit KEY_* for each grouping asked */
  int64_t since, until;
  tlm_facts *facts;
  tlm_strpool strings;       /* names, paths, models, services, labels: rows' texts */
  int32_t *name_of_path;     /* facts path id -> string id, -1 not yet */
  int32_t path_ids_known;
  int32_t *row_of_path;      /* by name or path alone: facts path id -> row, -1 not yet */
  int32_t *string_of_fact;   /* facts string id -> ours */
  int32_t fact_strings_known;
  sqlite3_stmt *label_of;    /* by label: a trace's label */
  int32_t trace_label;       /* the label of the trace being added */
} stats_rows;

static void stats_close(void *state){
  stats_rows *s = state;
  for(int32_t i = 0; i < s->count; i++) sqlite3_free(s->rows[i].durations);
  sqlite3_free(s->rows);
  sqlite3_free(s->slots);
  tlm_strpool_free(&s->strings);
  sqlite3_free(s->name_of_path);
  sqlite3_free(s->row_of_path);
  sqlite3_free(s->string_of_fact);
  sqlite3_finalize(s->label_of);
  tlm_facts_close(s->facts);
  sqlite3_free(s);
}

/* ------------------------------------------------------------- keys */

static int32_t intern(stats_rows *s, const char *text){
  return tlm_strpool_intern(&s->strings, text);
}

/* Grow a facts-id -> string-id cache to known entries, new ones -1. */
static int extend(int32_t **cache, int32_t *known, int32_t wanted){
  if( wanted <= *known ) return SQLITE_OK;
  if( tlm_resize(cache, wanted, sizeof **cache) ) return SQLITE_NOMEM;
  for(int32_t i = *known; i < wanted; i++) (*cache)[i] = -1;
  *known = wanted;
  return SQLITE_OK;
}

static uint64_t key_hash(const group_key *k){
  uint64_t h = 0x9e3779b97f4a7c15u;
  for(int i = 0; i < KEY_PARTS; i++){
    h ^= (uint32_t)k->part[i];
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
  }
  return h;
}

static int rehash(stats_rows *s){
  uint64_t slots = s->slot_mask ? (s->slot_mask + 1) * 2 : 64;
  int32_t *table = tlm_array_zero((int64_t)slots, sizeof *table);
  if( table == NULL ) return SQLITE_NOMEM;
  for(int32_t i = 0; i < s->count; i++){
    uint64_t h = key_hash(&s->rows[i].key) & (slots - 1);
    while( table[h] ) h = (h + 1) & (slots - 1);
    table[h] = i + 1;
  }
  sqlite3_free(s->slots);
  s->slots = table;
  s->slot_mask = slots - 1;
  return SQLITE_OK;
}

/* The row of key, made if new; NULL when out of memory. */
static group_stats *row_for(stats_rows *s, const group_key *key){
  uint64_t h;
  if( (uint64_t)s->count * 2 >= s->slot_mask && rehash(s) ) return NULL;
  for(h = key_hash(key) & s->slot_mask; s->slots[h]; h = (h + 1) & s->slot_mask){
    group_stats *row = &s->rows[s->slots[h] - 1];
    if( memcmp(&row->key, key, sizeof *key) == 0 ) return row;
  }
  if( tlm_grow(&s->rows, s->count, &s->capacity, sizeof *s->rows) ) return NULL;
  group_stats *row = &s->rows[s->count];
  memset(row, 0, sizeof *row);
  row->key = *key;
  s->slots[h] = ++s->count;
  return row;
}

/* Days since 1970-01-01 of a time in ns, rounding down. */
static int32_t day_of(int64_t ns){
  int64_t day_ns = 86400LL * 1000000000LL;
  return (int32_t)(ns >= 0 ? ns / day_ns : -((-ns + day_ns - 1) / day_ns));
}

/* 'YYYY-MM-DD' of a day number (the proleptic Gregorian calendar, UTC:
** the era arithmetic of Howard Hinnant's days_from_civil, inverted). */
static void day_text(int32_t days, char out[16]){
  int64_t z = (int64_t)days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  int64_t y = yoe + era * 400 + (m <= 2);
  sqlite3_snprintf(16, out, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
}

/* ------------------------------------------------------------ adding */

static int label_of_trace(stats_rows *s, const char *trace_id){
  sqlite3_bind_text(s->label_of, 1, trace_id, -1, SQLITE_STATIC);
  s->trace_label = -1;
  if( sqlite3_step(s->label_of) == SQLITE_ROW ){
    s->trace_label = intern(s, (const char *)sqlite3_column_text(s->label_of, 0));
  }
  sqlite3_reset(s->label_of);
  return s->trace_label == -2 ? SQLITE_NOMEM : SQLITE_OK;
}

/* Our string id of a facts path's name. */
static int32_t name_string(stats_rows *s, int32_t path){
  if( s->name_of_path[path] < 0 ) s->name_of_path[path] = intern(s, tlm_facts_path_name(s->facts, path));
  return s->name_of_path[path];
}

static int32_t fact_string(stats_rows *s, int32_t id){
  if( id < 0 ) return -1;
  if( extend(&s->string_of_fact, &s->fact_strings_known, id + 1) ) return -2;
  if( s->string_of_fact[id] < 0 ) s->string_of_fact[id] = intern(s, tlm_facts_string(s->facts, id));
  return s->string_of_fact[id];
}

/* One trace's spans into their groups (a tlm_facts_fn). */
static int add_trace(void *arg, const tlm_trace_fact *t, const tlm_fact *spans, int32_t count){
  stats_rows *s = arg;
  int32_t paths = tlm_facts_path_count(s->facts);
  int rc = SQLITE_OK;
  if( t->start_ns < s->since || t->start_ns >= s->until ) return SQLITE_OK;
  if( s->by & (1u << KEY_LABEL) && (rc = label_of_trace(s, t->trace_id)) ) return rc;
  int32_t known = s->path_ids_known;
  if( extend(&s->name_of_path, &known, paths) ) return SQLITE_NOMEM;
  if( extend(&s->row_of_path, &s->path_ids_known, paths) ) return SQLITE_NOMEM;
  /* Grouped by name or path alone, a span's group follows from its path:
  ** found once per path, not hashed once per span. */
  int by_path_only = (s->by & ~(1u << KEY_NAME | 1u << KEY_PATH)) == 0;
  for(int32_t k = 0; k < count; k++){
    const tlm_fact *f = &spans[k];
    group_key key;
    group_stats *row;
    if( by_path_only && s->row_of_path[f->path] >= 0 ){
      row = &s->rows[s->row_of_path[f->path]];
      goto add;
    }
    for(int i = 0; i < KEY_PARTS; i++) key.part[i] = -1;
    if( s->by & (1u << KEY_NAME) ) key.part[KEY_NAME] = name_string(s, f->path);
    if( s->by & (1u << KEY_PATH) ) key.part[KEY_PATH] = f->path;   /* its text at the end */
    if( s->by & (1u << KEY_MODEL) ) key.part[KEY_MODEL] = fact_string(s, f->model);
    if( s->by & (1u << KEY_SERVICE) ) key.part[KEY_SERVICE] = fact_string(s, f->service);
    if( s->by & (1u << KEY_LABEL) ) key.part[KEY_LABEL] = s->trace_label;
    if( s->by & (1u << KEY_DAY) ) key.part[KEY_DAY] = day_of(f->start_ns);
    if( key.part[KEY_NAME] == -2 || key.part[KEY_MODEL] == -2 || key.part[KEY_SERVICE] == -2 ){
      return SQLITE_NOMEM;
    }
    if( (row = row_for(s, &key)) == NULL ) return SQLITE_NOMEM;
    if( by_path_only ) s->row_of_path[f->path] = (int32_t)(row - s->rows);
  add:
    if( tlm_grow(&row->durations, row->count, &row->duration_capacity, sizeof *row->durations) ){
      return SQLITE_NOMEM;
    }
    row->durations[row->count++] = f->duration_ns;
    row->total_ns += f->duration_ns;
    row->self_ns += f->self_ns;
    row->critical_ns += f->critical_ns;
    row->tokens_in += f->tokens_in;
    row->tokens_out += f->tokens_out;
    row->cost += f->cost;
    row->errors += f->error;
  }
  return rc;
}

/* --------------------------------------------------------- arguments */

/* by: a comma list of key_words; NULL is 'name'. */
static int parse_by(sqlite3_value *value, unsigned *by, char **errmsg){
  const char *text, *p;
  *by = 1u << KEY_NAME;
  if( value == NULL || sqlite3_value_type(value) == SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(value) != SQLITE_TEXT ){
    *errmsg = sqlite3_mprintf("span_stats: by must be text such as 'model,day'");
    return SQLITE_ERROR;
  }
  text = (const char *)sqlite3_value_text(value);
  *by = 0;
  for(p = text; ; ){
    const char *end;
    int i;
    while( *p == ' ' ) p++;
    for(end = p; *end && *end != ',' && *end != ' '; end++){}
    for(i = 0; i < KEY_PARTS; i++){
      if( (size_t)(end - p) == strlen(key_words[i]) && strncmp(p, key_words[i], (size_t)(end - p)) == 0 ) break;
    }
    if( i == KEY_PARTS ){
      *errmsg = sqlite3_mprintf("span_stats: by: unknown grouping '%.*s' in '%s'"
                                " (name, path, model, service, label, day)", (int)(end - p), p, text);
      return SQLITE_ERROR;
    }
    *by |= 1u << i;
    while( *end == ' ' ) end++;
    if( *end == 0 ) break;
    p = end + 1;
  }
  return SQLITE_OK;
}

/* The traces argument: NULL, a query, a label, or one trace. */
static int add_traces(tlm_ext *ext, stats_rows *s, sqlite3_value *arg, char **errmsg){
  int rc;
  unsigned detail = TLM_FACTS_CRITICAL
                  | (s->by & (1u << KEY_MODEL) ? TLM_FACTS_MODEL : 0)
                  | (s->by & (1u << KEY_SERVICE) ? TLM_FACTS_SERVICE : 0)
                  | (s->by & (1u << KEY_DAY) ? TLM_FACTS_START : 0);
  rc = tlm_facts_each_in_set(ext, "span_stats", arg, detail, s->since, s->until, &s->facts,
                             add_trace, s, errmsg);
  if( rc != SQLITE_OK || s->facts != NULL ) return rc;
  /* One trace: its facts as stored, or from its graph; nothing is built
  ** for the others, so a question about one trace costs one trace. */
  char trace_id[33];
  if( (rc = tlm_resolve_trace(ext->db, "span_stats", arg, trace_id, errmsg)) ){
    const char *text = (const char *)sqlite3_value_text(arg);
    if( sqlite3_value_type(arg) == SQLITE_TEXT && strcmp(text, "latest") != 0
     && text[strspn(text, "0123456789abcdefABCDEF")] != 0 ){
      /* Not hex: the user meant a label, and the resolver's words would mislead. */
      sqlite3_free(*errmsg);
      *errmsg = sqlite3_mprintf("span_stats: no traces with label '%s' (nor is it a trace id)", text);
    }
    return rc;
  }
  if( (rc = tlm_facts_open(ext, "span_stats", 0, detail, &s->facts, errmsg)) ) return rc;
  return tlm_facts_of_trace(s->facts, trace_id, add_trace, s, errmsg);
}

typedef struct ranked_text { const char *text; int32_t id; } ranked_text;

static int by_text(const void *a, const void *b){
  return strcmp(((const ranked_text *)a)->text, ((const ranked_text *)b)->text);
}

/* Each row's tie order: per grouping, the rank of its text among all the
** texts (NULL first), or its day; qsort then needs no texts of its own. */
static int rank_texts(stats_rows *s){
  int32_t count = s->strings.count;
  ranked_text *sorted = tlm_array(count, sizeof *sorted);
  int32_t *rank = tlm_array(count, sizeof *rank);
  if( sorted == NULL || rank == NULL ){ sqlite3_free(sorted); sqlite3_free(rank); return SQLITE_NOMEM; }
  for(int32_t i = 0; i < count; i++) sorted[i] = (ranked_text){ s->strings.strings[i], i };
  if( count > 1 ) qsort(sorted, count, sizeof *sorted, by_text);
  for(int32_t i = 0; i < count; i++) rank[sorted[i].id] = i;
  for(int32_t r = 0; r < s->count; r++){
    group_stats *row = &s->rows[r];
    for(int p = 0; p < KEY_PARTS; p++){
      int32_t id = p == KEY_PATH ? row->path_text : row->key.part[p];
      row->tie[p] = p == KEY_DAY ? id : id >= 0 ? rank[id] : -1;
    }
  }
  sqlite3_free(sorted);
  sqlite3_free(rank);
  return SQLITE_OK;
}

static int by_total_desc(const void *a, const void *b){
  const group_stats *x = a, *y = b;
  if( x->total_ns != y->total_ns ) return x->total_ns > y->total_ns ? -1 : 1;
  for(int p = 0; p < KEY_PARTS; p++){
    if( x->tie[p] != y->tie[p] ) return x->tie[p] < y->tie[p] ? -1 : 1;
  }
  return 0;
}

static int stats_open(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
                      void **state, int64_t *row_count, char **errmsg){
  stats_rows *s = sqlite3_malloc(sizeof *s);
  int rc;
  (void)used;
  if( s == NULL ) return SQLITE_NOMEM;
  memset(s, 0, sizeof *s);
  rc = tlm_window_args(ext->db, "span_stats", argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL,
                       &s->since, &s->until, errmsg);
  if( rc == SQLITE_OK ) rc = parse_by(argc > 3 ? argv[3] : NULL, &s->by, errmsg);
  if( rc == SQLITE_OK && s->by & (1u << KEY_LABEL) ){
    rc = sqlite3_prepare_v2(ext->db, "SELECT label FROM traces WHERE trace_id = ?1", -1, &s->label_of, 0);
  }
  if( rc == SQLITE_OK ) rc = add_traces(ext, s, argv[0], errmsg);
  /* Durations are never negative (graph.c), so they sort as unsigned. */
  for(int32_t i = 0; i < s->count && rc == SQLITE_OK; i++){
    group_stats *row = &s->rows[i];
    rc = tlm_radix_sort_values((uint64_t *)row->durations, row->count);
    row->path_text = row->path_name = -1;
    if( rc == SQLITE_OK && row->key.part[KEY_PATH] >= 0 ){
      char *text = tlm_facts_path(s->facts, row->key.part[KEY_PATH]);
      row->path_text = text ? intern(s, text) : -2;
      row->path_name = intern(s, tlm_facts_path_name(s->facts, row->key.part[KEY_PATH]));
      sqlite3_free(text);
      if( row->path_text == -2 || row->path_name == -2 ) rc = SQLITE_NOMEM;
    }
  }
  if( rc != SQLITE_OK ){
    if( *errmsg == NULL ) *errmsg = sqlite3_mprintf("span_stats: %s", sqlite3_errstr(rc));
    stats_close(s);
    return rc;
  }
  /* The slots point at rows by index; they are not used after this sort.
  ** Ties in total_ns go by the grouping's texts, as a reader expects. */
  sqlite3_free(s->slots);
  s->slots = NULL;
  if( (rc = rank_texts(s)) != SQLITE_OK ){ stats_close(s); return rc; }
  if( s->count > 1 ) qsort(s->rows, s->count, sizeof *s->rows, by_total_desc);
  *state = s;
  *row_count = s->count;
  return SQLITE_OK;
}

static int64_t nearest_rank(const group_stats *row, int percent){
  return tlm_nearest_rank(row->durations, row->count, percent);
}

static void result_string(sqlite3_context *ctx, const stats_rows *s, int32_t id){
  if( id >= 0 ) sqlite3_result_text(ctx, s->strings.strings[id], -1, SQLITE_STATIC);
  else sqlite3_result_null(ctx);
}

static void stats_column(void *state, int64_t row_index, int col, sqlite3_context *ctx){
  const stats_rows *s = state;
  const group_stats *row = &s->rows[row_index];
  switch( col ){
    case STATS_NAME:
      /* A path's own name when grouped by path. */
      result_string(ctx, s, row->key.part[KEY_NAME] >= 0 ? row->key.part[KEY_NAME] : row->path_name);
      break;
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
    case STATS_PATH:        result_string(ctx, s, row->path_text); break;
    case STATS_MODEL:       result_string(ctx, s, row->key.part[KEY_MODEL]); break;
    case STATS_SERVICE:     result_string(ctx, s, row->key.part[KEY_SERVICE]); break;
    case STATS_LABEL:       result_string(ctx, s, row->key.part[KEY_LABEL]); break;
    case STATS_DAY:
      if( s->by & (1u << KEY_DAY) ){
        char text[16];
        day_text(row->key.part[KEY_DAY], text);
        sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT);
      }else{
        sqlite3_result_null(ctx);
      }
      break;
  }
}

static const tlm_tvf_def span_stats_def = {
  .name = "span_stats",
  .schema = span_stats_schema,
  .column_count = STATS_COLUMNS,
  .arg_count = 4,
  .required_args = 1,
  .open = stats_open,
  .advance = NULL,
  .column = stats_column,
  .close = stats_close,
};

int tlm_register_span_stats(sqlite3 *db, tlm_ext *ext){
  return tlm_tvf_register(db, ext, &span_stats_def);
}
