/*
** trace_runs.c — a batch's spans gathered a trace at a time and kept in
** `traces` and `facts_dirty` once a trace (see trace_runs.h).  Used by the
** recorder's writer and by import_otel on a connection without triggers.
*/
#include "trace_runs.h"
#include "hexid.h"
#include <stdlib.h>
#include <string.h>

#ifdef TLM_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

const char *const tlm_add_trace_sql =
  "INSERT INTO traces(trace_id, start_ns, end_ns, root_span_id, root_name, service,"
  " span_count, tokens_in, tokens_out, cost, errors)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
  " ON CONFLICT(trace_id) DO UPDATE SET"
  " start_ns = min(coalesce(start_ns, excluded.start_ns), excluded.start_ns),"
  " end_ns = max(coalesce(end_ns, excluded.end_ns), excluded.end_ns),"
  " root_span_id = coalesce(excluded.root_span_id, root_span_id),"
  " root_name = coalesce(excluded.root_name, root_name),"
  " service = coalesce(excluded.service, service),"
  " span_count = span_count + excluded.span_count,"
  " tokens_in = tokens_in + excluded.tokens_in, tokens_out = tokens_out + excluded.tokens_out,"
  " cost = cost + excluded.cost, errors = errors + excluded.errors";

const char *const tlm_dirty_facts_sql =
  "INSERT OR IGNORE INTO facts_dirty(trace_id) VALUES(?1)";

/* Right after its insert the row is the table's last, so growing it
** splits no page; one statement over the whole batch afterwards grew rows
** in full pages and left the batch's pages half empty. */
static const char *const price_call_sql =
  "UPDATE spans SET priced_cost = (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = ?1)"
  " WHERE rowid = ?1";

int tlm_is_priced_call(const char *model, int64_t tokens_in, int64_t tokens_out, double cost){
  return model != NULL && cost == 0 && tokens_in + tokens_out > 0;
}

int tlm_store_price(sqlite3 *db, sqlite3_stmt **stmt, sqlite3_int64 rowid){
  int rc;
  if( *stmt == NULL
   && (rc = sqlite3_prepare_v3(db, price_call_sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, 0)) != SQLITE_OK ){
    return rc;
  }
  sqlite3_bind_int64(*stmt, 1, rowid);
  rc = sqlite3_step(*stmt);
  sqlite3_reset(*stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void tlm_trace_runs_begin(tlm_trace_runs *runs){
  runs->count = 0;
  runs->open = 0;
}

/* The open run's slot, items[count], made to exist. */
static tlm_trace_run *open_slot(tlm_trace_runs *runs){
  if( runs->count == runs->capacity ){
    size_t capacity = runs->capacity ? runs->capacity * 2 : 256;
    tlm_trace_run *items = realloc(runs->items, capacity * sizeof *items);
    if( items == NULL ) return NULL;
    runs->items = items;
    runs->capacity = capacity;
  }
  return &runs->items[runs->count];
}

/* Two runs of one trace as one; the later run's root wins, as the
** trigger's coalesce(excluded.root_span_id, ...) lets the last one win. */
static void run_merge(tlm_trace_run *into, const tlm_trace_run *run){
  if( run->start_ns < into->start_ns ) into->start_ns = run->start_ns;
  if( run->end_ns > into->end_ns ) into->end_ns = run->end_ns;
  if( run->root_name ){
    into->root_span_id = run->root_span_id;
    into->root_name = run->root_name;
    into->root_service = run->root_service;
  }
  into->spans += run->spans;
  into->tokens_in += run->tokens_in;
  into->tokens_out += run->tokens_out;
  into->cost += run->cost;
  into->errors += run->errors;
}

int tlm_trace_runs_add(tlm_trace_runs *runs, const tlm_run_span *s){
  tlm_trace_run one = {
    .start_ns = s->start_ns, .end_ns = s->end_ns, .spans = 1,
    .tokens_in = s->tokens_in, .tokens_out = s->tokens_out, .cost = s->cost, .errors = s->error,
  };
  tlm_trace_run *run = runs->open ? &runs->items[runs->count] : NULL;
  memcpy(one.trace_id, s->trace_id, 16);
  if( s->is_root ){
    one.root_span_id = s->span_id;
    one.root_name = s->name ? s->name : "";
    one.root_service = s->service;
  }
  /* Spans of one trace mostly come together: one run for them. */
  if( run && memcmp(run->trace_id, s->trace_id, 16) == 0 ){
    run_merge(run, &one);
    return SQLITE_OK;
  }
  if( run ){
    runs->count++;
    runs->open = 0;
  }
  if( (run = open_slot(runs)) == NULL ) return SQLITE_NOMEM;
  one.order = runs->count;
  *run = one;
  runs->open = 1;
  return SQLITE_OK;
}

static int by_trace_id(const void *a, const void *b){
  const tlm_trace_run *x = a, *y = b;
  int order = memcmp(x->trace_id, y->trace_id, 16);
  return order ? order : (x->order > y->order) - (x->order < y->order);
}

void tlm_trace_runs_finish(tlm_trace_runs *runs){
  size_t kept = 0;
  if( runs->open ) runs->count++;
  runs->open = 0;
  if( runs->count > 1 ) qsort(runs->items, runs->count, sizeof *runs->items, by_trace_id);
  for(size_t i = 0; i < runs->count; i++){
    if( kept > 0 && memcmp(runs->items[kept - 1].trace_id, runs->items[i].trace_id, 16) == 0 ){
      run_merge(&runs->items[kept - 1], &runs->items[i]);
    }else{
      runs->items[kept++] = runs->items[i];
    }
  }
  runs->count = kept;
}

int tlm_trace_run_store(const tlm_trace_run *run, sqlite3_stmt *s,
                        sqlite3_stmt *dirty_facts, char trace_hex[33]){
  char root_hex[17];
  int rc;
  tlm_hex_encode(run->trace_id, 16, trace_hex);
  sqlite3_bind_text(s, 1, trace_hex, 32, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, run->start_ns);
  sqlite3_bind_int64(s, 3, run->end_ns);
  if( run->root_name ){
    tlm_span_id_to_hex(run->root_span_id, root_hex);
    sqlite3_bind_text(s, 4, root_hex, 16, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, run->root_name, -1, SQLITE_STATIC);
    if( run->root_service ) sqlite3_bind_text(s, 6, run->root_service, -1, SQLITE_STATIC);
    else sqlite3_bind_null(s, 6);
  }else{
    sqlite3_bind_null(s, 4);
    sqlite3_bind_null(s, 5);
    sqlite3_bind_null(s, 6);
  }
  sqlite3_bind_int64(s, 7, run->spans);
  sqlite3_bind_int64(s, 8, run->tokens_in);
  sqlite3_bind_int64(s, 9, run->tokens_out);
  sqlite3_bind_double(s, 10, run->cost);
  sqlite3_bind_int64(s, 11, run->errors);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if( rc == SQLITE_DONE ){
    sqlite3_bind_text(dirty_facts, 1, trace_hex, 32, SQLITE_STATIC);
    rc = sqlite3_step(dirty_facts);
    sqlite3_reset(dirty_facts);
  }
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void tlm_trace_runs_free(tlm_trace_runs *runs){
  free(runs->items);
  runs->items = NULL;
  runs->count = runs->capacity = 0;
  runs->open = 0;
}
