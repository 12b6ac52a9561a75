/*
** facts.c — per-span facts: built once per trace, read by every question
** over many traces (facts.h, sql/facts.sql).
**
** HOW IT WORKS
** Writers only mark a trace in facts_dirty (triggers; the recorder's
** writer itself), and price changes mark their patterns in
** facts_dirty_prices.  tlm_facts_open() first turns price marks into
** trace marks (the traces with a span of a model a changed pattern
** matches) and stores the calls' new prices, then, inside one savepoint,
** takes each marked trace: its mark is removed first (the first write
** takes the database's write lock, so nothing lands between the graph's
** read and the facts' write), its old facts are deleted, and its graph
** (graph.c) gives the new ones: the path of names from the root, self
** time (self_time.c), time on the critical path (critical_path.c), the
** cost the graph priced (span_cost), the token buckets span_tokens reads,
** and an LLM call's time to first chunk as span_genai reads it.  Any failure (a read-only connection,
** another writer holding the lock) rolls the savepoint back; the facts
** are then read as they are, and marked traces are computed in memory by
** the same code whenever a reader asks for them — never read stale.
**
** Paths are interned in span_paths: (parent path, name) -> path_id.  The
** reader keeps the whole table in memory (it holds one row per distinct
** path, not per span) and adds the paths of traces it builds.
*/
#include "facts.h"
#include "analyses.h"
#include "arrays.h"
#include "strmap.h"
#include "trace_resolve.h"
#include "trace_set.h"
#include "span_row.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

/* The columns a reader reads, always in this order: those every question
** needs, then model, service and the rest, each only when asked for
** (TLM_FACTS_*): decoding columns is most of the time a question over
** ten million spans takes. */
static char *fact_columns(unsigned want){
  return sqlite3_mprintf("path_id, duration_ns, self_ns, error, tokens_in, tokens_out, cost%s%s%s%s%s%s",
      want & TLM_FACTS_START ? ", start_offset_ns" : "", want & TLM_FACTS_CRITICAL ? ", critical_ns" : "",
      want & TLM_FACTS_MODEL ? ", model" : "", want & TLM_FACTS_SERVICE ? ", service" : "",
      want & TLM_FACTS_DETAIL ? ", span_rowid, cache_read_tokens, cache_creation_tokens, reasoning_tokens,"
                                " cost_kind" : "",
      want & TLM_FACTS_TTFT ? ", ttft_ns" : "");
}

typedef struct path_entry {
  int32_t parent;           /* -1 for a root */
  int32_t depth;
  char *name;               /* owned, as is key */
  char *key;                /* "<parent id> <name>": the map's key */
} path_entry;

struct tlm_facts {
  tlm_ext *ext;
  const char *fn;
  path_entry *paths;        /* index = path_id; [0] unused (ids start at 1) */
  int32_t path_count, path_capacity;
  int32_t saved_paths;      /* paths below this are in span_paths */
  tlm_strmap path_ids;
  tlm_strpool strings;      /* models and services met */
  char (*dirty)[33];        /* traces still marked (not built here) */
  int32_t dirty_count;
  tlm_fact *buffer;         /* one trace's facts, reused */
  int32_t buffer_capacity;
  sqlite3_stmt *range;      /* a trace's stored facts */
  sqlite3_stmt *by_id;      /* a trace's trace_facts row */
  unsigned want;            /* TLM_FACTS_*: the columns to read */
  int caching;              /* holds a tlm_stmt_cache_begin */
  int stored;               /* 0: no facts tables (a database another tool
                            ** made, or not yet upgraded): all in memory */
};

/* ------------------------------------------------------------ strings */

static int32_t intern_string(tlm_facts *f, const char *text){
  return tlm_strpool_intern(&f->strings, text);
}

const char *tlm_facts_string(const tlm_facts *f, int32_t id){
  return id >= 0 && id < f->strings.count ? f->strings.strings[id] : NULL;
}

/* -------------------------------------------------------------- paths */

/* Made when asked, never kept: a chain a million spans deep has a million
** paths, and their texts would hold a million names each. */
char *tlm_facts_path(const tlm_facts *f, int32_t path){
  size_t length = 0, end;
  char *text;
  for(int32_t p = path; p > 0; p = f->paths[p].parent) length += strlen(f->paths[p].name) + 1;
  if( length == 0 || (text = sqlite3_malloc64(length)) == NULL ) return NULL;
  text[end = length - 1] = 0;
  for(int32_t p = path; p > 0; p = f->paths[p].parent){
    size_t n = strlen(f->paths[p].name);
    end -= n;
    memcpy(text + end, f->paths[p].name, n);
    if( end > 0 ) text[--end] = '/';
  }
  return text;
}
const char *tlm_facts_path_name(const tlm_facts *f, int32_t path){ return f->paths[path].name; }
int32_t tlm_facts_path_count(const tlm_facts *f){ return f->path_count; }

/* Place a path at id (growing the table); takes nothing, copies all. */
static int put_path(tlm_facts *f, int32_t id, int32_t parent, const char *name){
  path_entry *e;
  if( id >= f->path_capacity ){
    int32_t capacity = f->path_capacity ? f->path_capacity : 64;
    while( capacity <= id ) capacity *= 2;
    if( tlm_resize(&f->paths, capacity, sizeof *f->paths) ) return SQLITE_NOMEM;
    memset(f->paths + f->path_capacity, 0, (size_t)(capacity - f->path_capacity) * sizeof *f->paths);
    f->path_capacity = capacity;
  }
  if( id >= f->path_count ) f->path_count = id + 1;
  e = &f->paths[id];
  e->parent = parent;
  e->depth = parent > 0 ? f->paths[parent].depth + 1 : 0;
  e->name = sqlite3_mprintf("%s", name);
  e->key = sqlite3_mprintf("%d %s", parent, name);
  if( !e->name || !e->key ) return SQLITE_NOMEM;
  return tlm_strmap_put(&f->path_ids, e->key, id) ? SQLITE_NOMEM : SQLITE_OK;
}

/* The id of (parent, name), made if new; 0 when out of memory. */
static int32_t path_of(tlm_facts *f, int32_t parent, const char *name){
  char small[256], *key = small;
  int32_t id;
  int length = snprintf(small, sizeof small, "%d %s", parent, name);
  if( length >= (int)sizeof small && (key = sqlite3_mprintf("%d %s", parent, name)) == NULL ) return 0;
  id = tlm_strmap_get(&f->path_ids, key);
  if( key != small ) sqlite3_free(key);
  if( id > 0 ) return id;
  id = f->path_count > 0 ? f->path_count : 1;
  return put_path(f, id, parent, name) == SQLITE_OK ? id : 0;
}

/* span_paths into memory.  Rows are read parent first (a parent's id is
** always below its children's: ids are handed out in order). */
static int load_paths(tlm_facts *f){
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(f->ext->db, "SELECT path_id, coalesce(parent_path_id, -1), name"
                              " FROM span_paths ORDER BY path_id", -1, &stmt, 0);
  while( rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW ){
    int64_t id = sqlite3_column_int64(stmt, 0), parent = sqlite3_column_int64(stmt, 1);
    const char *name = (const char *)sqlite3_column_text(stmt, 2);
    if( id <= 0 || id >= INT32_MAX || parent >= id || name == NULL ){
      rc = SQLITE_CORRUPT;   /* not a table facts.c wrote */
      break;
    }
    rc = put_path(f, (int32_t)id, (int32_t)parent, name);
  }
  if( rc == SQLITE_OK ) rc = sqlite3_finalize(stmt);
  else sqlite3_finalize(stmt);
  f->saved_paths = f->path_count > 0 ? f->path_count : 1;
  return rc;
}

static int save_paths(tlm_facts *f){
  sqlite3_stmt *stmt;
  int rc = SQLITE_OK;
  if( f->saved_paths >= f->path_count ) return SQLITE_OK;
  rc = sqlite3_prepare_v2(f->ext->db, "INSERT INTO span_paths(path_id, parent_path_id, name, depth)"
                          " VALUES(?1, ?2, ?3, ?4)", -1, &stmt, 0);
  for(int32_t id = f->saved_paths; rc == SQLITE_OK && id < f->path_count; id++){
    const path_entry *e = &f->paths[id];
    sqlite3_bind_int(stmt, 1, id);
    if( e->parent > 0 ) sqlite3_bind_int(stmt, 2, e->parent); else sqlite3_bind_null(stmt, 2);
    sqlite3_bind_text(stmt, 3, e->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 4, e->depth);
    rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(f->ext->db);
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  if( rc == SQLITE_OK ) f->saved_paths = f->path_count;
  return rc;
}

/* ------------------------------------------------- facts of one graph */

static int reserve(tlm_facts *f, int32_t count){
  if( count <= f->buffer_capacity ) return SQLITE_OK;
  if( tlm_resize(&f->buffer, count, sizeof *f->buffer) ) return SQLITE_NOMEM;
  f->buffer_capacity = count;
  return SQLITE_OK;
}

/* The cache and reasoning tokens and the time to first chunk of spans
** with a model, as span_tokens (sql/cost_views.sql) and span_genai
** (sql/genai_mapping.sql) read them from attrs: the one place each
** mapping lives.  A negative time to first chunk is no time. */
static int genai_facts(tlm_ext *ext, const tlm_graph *g, tlm_fact *out, const int32_t *seq_of){
  sqlite3_stmt *stmt = NULL;
  int rc = SQLITE_OK;
  for(int32_t i = 0; i < g->n && rc == SQLITE_OK; i++){
    const tlm_node *n = &g->nodes[i];
    if( n->model < 0 || g->with_attrs == 0 ) continue;
    if( stmt == NULL && (rc = tlm_prepare(ext, "SELECT t.cached_tokens, t.cache_creation_tokens,"
                             " t.reasoning_tokens, g.ttft_ns FROM span_tokens t, span_genai g"
                             " WHERE t.span_rowid = ?1 AND g.span_rowid = ?1", &stmt)) ) break;
    sqlite3_bind_int64(stmt, 1, n->rowid);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      tlm_fact *fact = &out[seq_of[i]];
      fact->cache_read_tokens = sqlite3_column_int64(stmt, 0);
      fact->cache_creation_tokens = sqlite3_column_int64(stmt, 1);
      fact->reasoning_tokens = sqlite3_column_int64(stmt, 2);
      if( sqlite3_column_type(stmt, 3) == SQLITE_INTEGER && sqlite3_column_int64(stmt, 3) >= 0 ){
        fact->ttft_ns = sqlite3_column_int64(stmt, 3);
      }
    }
    rc = sqlite3_reset(stmt);
  }
  tlm_finish(ext, stmt);
  return rc;
}

/* g's facts into f->buffer in depth-first order, its totals into *t. */
static int facts_of_graph(tlm_facts *f, const tlm_graph *g, tlm_trace_fact *t){
  int64_t *self = tlm_graph_self_ns(g), *critical = tlm_array_zero(g->n, sizeof *critical);
  int32_t *seq_of = tlm_array(g->n, sizeof *seq_of);
  tlm_segment *segments = NULL;
  int32_t segment_count = 0;
  int rc = self && critical && seq_of ? reserve(f, g->n) : SQLITE_NOMEM;
  if( rc == SQLITE_OK ) rc = tlm_critical_path(g, &segments, &segment_count);
  for(int32_t s = 0; rc == SQLITE_OK && s < segment_count; s++){
    critical[segments[s].node] += segments[s].end_ns - segments[s].start_ns;
  }
  memset(t, 0, sizeof *t);
  memcpy(t->trace_id, g->trace_id, sizeof t->trace_id);
  t->start_ns = g->start_ns;
  t->end_ns = g->end_ns;
  t->spans = g->n;
  /* Depth-first, so a parent's path is made before its children's. */
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    int32_t i = g->order[k], parent = g->nodes[i].parent;
    const tlm_node *n = &g->nodes[i];
    tlm_fact *fact = &f->buffer[k];
    seq_of[i] = k;
    memset(fact, 0, sizeof *fact);
    fact->ttft_ns = -1;
    fact->path = path_of(f, parent >= 0 ? f->buffer[seq_of[parent]].path : -1, tlm_str(g, n->name));
    fact->model = intern_string(f, tlm_str(g, n->model));
    fact->service = intern_string(f, tlm_str(g, n->service));
    if( fact->path == 0 || fact->model == -2 || fact->service == -2 ){ rc = SQLITE_NOMEM; break; }
    fact->span_rowid = n->rowid;
    fact->start_ns = n->start_ns;
    fact->duration_ns = tlm_duration(n);
    fact->self_ns = self[i];
    fact->critical_ns = critical[i];
    fact->tokens_in = n->tokens_in;
    fact->tokens_out = n->tokens_out;
    fact->cost = n->cost;
    fact->error = n->status == TLM_STATUS_ERROR;
    fact->cost_kind = n->priced ? 2 : n->unpriced ? 3 : n->cost != 0 ? 1 : 0;
    t->tokens_in += n->tokens_in;
    t->tokens_out += n->tokens_out;
    t->cost += n->cost;
    t->errors += fact->error;
  }
  if( rc == SQLITE_OK ) rc = genai_facts(f->ext, g, f->buffer, seq_of);
  sqlite3_free(self);
  sqlite3_free(critical);
  sqlite3_free(seq_of);
  sqlite3_free(segments);
  return rc;
}

/* Build one trace in memory: its facts in f->buffer.  0 spans: *count 0. */
static int build_trace(tlm_facts *f, const char *trace_id, tlm_trace_fact *t, int32_t *count,
                       char **errmsg){
  tlm_graph *g;
  int rc = tlm_graph_get_id(f->ext, f->fn, trace_id, &g, errmsg);
  *count = 0;
  if( rc != SQLITE_OK ) return rc;
  if( g->n > 0 ){
    rc = facts_of_graph(f, g, t);
    *count = g->n;
  }
  tlm_graph_release(g);
  return rc;
}

/* ------------------------------------------------------------ storing */

static int step_done(sqlite3_stmt *stmt){
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

typedef struct store {
  sqlite3_stmt *take_mark, *find_key, *drop_spans, *drop_trace, *has_spans, *put_trace, *put_span;
} store;

static const char *const store_sql[] = {
  "DELETE FROM facts_dirty WHERE trace_id = ?1",
  "SELECT trace_key FROM trace_facts WHERE trace_id = ?1",
  "DELETE FROM span_facts WHERE trace_key = ?1",
  "DELETE FROM trace_facts WHERE trace_key = ?1",
  "SELECT 1 FROM spans WHERE trace_id = ?1 LIMIT 1",
  "INSERT INTO trace_facts(trace_key, trace_id, start_ns, end_ns, spans, tokens_in, tokens_out,"
  " cost, errors) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  "INSERT INTO span_facts(trace_key, seq, span_rowid, path_id, start_offset_ns, duration_ns, self_ns,"
  " critical_ns, error, tokens_in, tokens_out, cache_read_tokens, cache_creation_tokens,"
  " reasoning_tokens, cost, cost_kind, model, service, ttft_ns)"
  " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
};

static void store_close(store *s){
  sqlite3_stmt **all = (sqlite3_stmt **)s;
  for(size_t i = 0; i < sizeof *s / sizeof *all; i++) sqlite3_finalize(all[i]);
}

static int store_open(sqlite3 *db, store *s){
  sqlite3_stmt **all = (sqlite3_stmt **)s;
  memset(s, 0, sizeof *s);
  for(size_t i = 0; i < sizeof *s / sizeof *all; i++){
    int rc = sqlite3_prepare_v2(db, store_sql[i], -1, &all[i], 0);
    if( rc != SQLITE_OK ){ store_close(s); return rc; }
  }
  return SQLITE_OK;
}

static void bind_text_or_null(sqlite3_stmt *stmt, int i, const char *text){
  if( text ) sqlite3_bind_text(stmt, i, text, -1, SQLITE_STATIC);
  else sqlite3_bind_null(stmt, i);
}

/* Rebuild one marked trace's stored facts. */
static int store_trace(tlm_facts *f, store *s, const char *trace_id, char **errmsg){
  tlm_trace_fact t;
  int64_t key = 0;
  int32_t count = 0;
  int rc, has_spans;
  sqlite3_bind_text(s->take_mark, 1, trace_id, -1, SQLITE_STATIC);
  if( (rc = step_done(s->take_mark)) != SQLITE_OK ) return rc;
  sqlite3_bind_text(s->find_key, 1, trace_id, -1, SQLITE_STATIC);
  if( sqlite3_step(s->find_key) == SQLITE_ROW ) key = sqlite3_column_int64(s->find_key, 0);
  if( (rc = sqlite3_reset(s->find_key)) != SQLITE_OK ) return rc;
  if( key ){
    sqlite3_bind_int64(s->drop_spans, 1, key);
    sqlite3_bind_int64(s->drop_trace, 1, key);
    if( (rc = step_done(s->drop_spans)) || (rc = step_done(s->drop_trace)) ) return rc;
  }
  sqlite3_bind_text(s->has_spans, 1, trace_id, -1, SQLITE_STATIC);
  has_spans = sqlite3_step(s->has_spans) == SQLITE_ROW;
  if( (rc = sqlite3_reset(s->has_spans)) != SQLITE_OK || !has_spans ) return rc;
  if( (rc = build_trace(f, trace_id, &t, &count, errmsg)) != SQLITE_OK ) return rc;
  /* A trace keeps its key when rebuilt; a new one takes the next. */
  if( key ) sqlite3_bind_int64(s->put_trace, 1, key); else sqlite3_bind_null(s->put_trace, 1);
  sqlite3_bind_text(s->put_trace, 2, trace_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s->put_trace, 3, t.start_ns);
  sqlite3_bind_int64(s->put_trace, 4, t.end_ns);
  sqlite3_bind_int64(s->put_trace, 5, t.spans);
  sqlite3_bind_int64(s->put_trace, 6, t.tokens_in);
  sqlite3_bind_int64(s->put_trace, 7, t.tokens_out);
  sqlite3_bind_double(s->put_trace, 8, t.cost);
  sqlite3_bind_int64(s->put_trace, 9, t.errors);
  if( (rc = step_done(s->put_trace)) != SQLITE_OK ) return rc;
  if( !key ) key = sqlite3_last_insert_rowid(f->ext->db);
  for(int32_t k = 0; k < count && rc == SQLITE_OK; k++){
    const tlm_fact *fact = &f->buffer[k];
    sqlite3_stmt *p = s->put_span;
    sqlite3_bind_int64(p, 1, key);
    sqlite3_bind_int(p, 2, k);
    sqlite3_bind_int64(p, 3, fact->span_rowid);
    sqlite3_bind_int(p, 4, fact->path);
    sqlite3_bind_int64(p, 5, fact->start_ns - t.start_ns);
    sqlite3_bind_int64(p, 6, fact->duration_ns);
    sqlite3_bind_int64(p, 7, fact->self_ns);
    sqlite3_bind_int64(p, 8, fact->critical_ns);
    sqlite3_bind_int(p, 9, fact->error);
    sqlite3_bind_int64(p, 10, fact->tokens_in);
    sqlite3_bind_int64(p, 11, fact->tokens_out);
    sqlite3_bind_int64(p, 12, fact->cache_read_tokens);
    sqlite3_bind_int64(p, 13, fact->cache_creation_tokens);
    sqlite3_bind_int64(p, 14, fact->reasoning_tokens);
    sqlite3_bind_double(p, 15, fact->cost);
    sqlite3_bind_int(p, 16, fact->cost_kind);
    bind_text_or_null(p, 17, tlm_facts_string(f, fact->model));
    bind_text_or_null(p, 18, tlm_facts_string(f, fact->service));
    if( fact->ttft_ns >= 0 ) sqlite3_bind_int64(p, 19, fact->ttft_ns); else sqlite3_bind_null(p, 19);
    rc = step_done(p);
  }
  return rc;
}

/* A changed price row prices again every call of a model it matches (the
** price stored with each, sql/stored_prices.sql: one scan of spans, which
** an index on model would spare at 3 bytes a span, for an event as rare as
** a price change), and marks every built trace with a span of such a
** model; a trace built while its model had no price has the model too. */
static const char price_marks_sql[] =
  "UPDATE spans SET priced_cost = (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = spans.rowid)"
  " WHERE model IS NOT NULL AND EXISTS (SELECT 1 FROM facts_dirty_prices d WHERE spans.model GLOB d.model_pattern);"
  "INSERT OR IGNORE INTO facts_dirty(trace_id)"
  " SELECT t.trace_id FROM trace_facts t WHERE t.trace_key IN"
  "  (SELECT f.trace_key FROM facts_dirty_prices p CROSS JOIN span_facts f INDEXED BY span_facts_by_model"
  "    WHERE f.model IS NOT NULL AND f.model GLOB p.model_pattern);"
  "DELETE FROM facts_dirty_prices;";

/* The marked traces' ids, at most limit (-1: all). */
static int marked_traces(sqlite3 *db, int64_t limit, char (**ids)[33], int32_t *count){
  sqlite3_stmt *stmt;
  int32_t capacity = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT trace_id FROM facts_dirty LIMIT ?1", -1, &stmt, 0);
  *ids = NULL;
  *count = 0;
  if( rc != SQLITE_OK ) return rc;
  sqlite3_bind_int64(stmt, 1, limit);
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    const char *id = (const char *)sqlite3_column_text(stmt, 0);
    if( tlm_grow(ids, *count, &capacity, sizeof **ids) ){ rc = SQLITE_NOMEM; break; }
    snprintf((*ids)[(*count)++], 33, "%s", id ? id : "");
  }
  sqlite3_finalize(stmt);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Is a query's answer true?  An error reads as yes: the build then meets
** it and reports it. */
static int is_true(sqlite3 *db, const char *sql){
  sqlite3_stmt *stmt;
  int yes = 1;
  if( sqlite3_prepare_v2(db, sql, -1, &stmt, 0) != SQLITE_OK ) return 1;
  if( sqlite3_step(stmt) == SQLITE_ROW ) yes = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return yes;
}

/* Build up to limit marked traces in one savepoint; all or nothing. */
static int refresh(tlm_facts *f, int64_t limit, int64_t *built, char **errmsg){
  sqlite3 *db = f->ext->db;
  char (*ids)[33] = NULL;
  int32_t count = 0;
  store s;
  int rc;
  *built = 0;
  if( sqlite3_db_readonly(db, "main") == 1 ) return SQLITE_READONLY;
  /* Nothing marked: done, without taking the write lock every question
  ** would otherwise take (and a recording writer would wait behind). */
  int prices = is_true(db, "SELECT EXISTS(SELECT 1 FROM facts_dirty_prices)");
  if( !prices && !is_true(db, "SELECT EXISTS(SELECT 1 FROM facts_dirty)") ) return SQLITE_OK;
  if( (rc = sqlite3_exec(db, "SAVEPOINT tlm_facts", 0, 0, 0)) != SQLITE_OK ) return rc;
  /* Only with a price marked: its step scans every span. */
  if( prices ) rc = sqlite3_exec(db, price_marks_sql, 0, 0, 0);
  if( rc == SQLITE_OK ) rc = marked_traces(db, limit, &ids, &count);
  if( rc == SQLITE_OK && count > 0 && (rc = store_open(db, &s)) == SQLITE_OK ){
    for(int32_t i = 0; i < count && rc == SQLITE_OK; i++) rc = store_trace(f, &s, ids[i], errmsg);
    store_close(&s);
    if( rc == SQLITE_OK ) rc = save_paths(f);
  }
  sqlite3_free(ids);
  if( rc == SQLITE_OK ){
    rc = sqlite3_exec(db, "RELEASE tlm_facts", 0, 0, 0);
    if( rc == SQLITE_OK ) *built = count;
  }
  if( rc != SQLITE_OK ){
    sqlite3_exec(db, "ROLLBACK TO tlm_facts; RELEASE tlm_facts", 0, 0, 0);
  }
  return rc;
}

/* ------------------------------------------------------------ opening */

static void clear_paths(tlm_facts *f){
  for(int32_t i = 0; i < f->path_count; i++){
    sqlite3_free(f->paths[i].name);
    sqlite3_free(f->paths[i].key);
  }
  if( f->paths ) memset(f->paths, 0, (size_t)f->path_capacity * sizeof *f->paths);
  tlm_strmap_free(&f->path_ids);
  memset(&f->path_ids, 0, sizeof f->path_ids);
  f->path_count = 0;
}

void tlm_facts_close(tlm_facts *f){
  if( f == NULL ) return;
  clear_paths(f);
  sqlite3_free(f->paths);
  tlm_strpool_free(&f->strings);
  sqlite3_free(f->dirty);
  sqlite3_free(f->buffer);
  sqlite3_finalize(f->range);
  sqlite3_finalize(f->by_id);
  if( f->caching ) tlm_stmt_cache_end(f->ext);
  sqlite3_free(f);
}

static int has_facts_tables(sqlite3 *db){
  sqlite3_stmt *stmt;
  int found = 0;
  if( sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
        " AND name IN ('span_facts', 'trace_facts', 'span_paths', 'facts_dirty')", -1, &stmt, 0) ) return 0;
  if( sqlite3_step(stmt) == SQLITE_ROW ) found = sqlite3_column_int(stmt, 0) == 4;
  sqlite3_finalize(stmt);
  return found;
}

static int by_id(const void *a, const void *b){ return strcmp(a, b); }

/* A reader or builder with nothing loaded yet; NULL when out of memory. */
static tlm_facts *facts_new(tlm_ext *ext, const char *fn, unsigned want){
  tlm_facts *f = sqlite3_malloc(sizeof *f);
  if( f == NULL ) return NULL;
  memset(f, 0, sizeof *f);
  f->ext = ext;
  f->fn = fn;
  f->want = want;
  f->stored = has_facts_tables(ext->db);
  /* A reader or builder goes through many traces: each graph's loading
  ** statements are compiled once for all of them (stmt_cache.c). */
  f->caching = tlm_stmt_cache_begin(ext) == SQLITE_OK;
  return f;
}

int tlm_facts_open(tlm_ext *ext, const char *fn, int64_t limit, unsigned want,
                   tlm_facts **out, char **errmsg){
  tlm_facts *f;
  int64_t built = 0;
  int rc;
  *out = NULL;
  if( (*errmsg = tlm_check_database(ext->db, fn)) != NULL ) return SQLITE_ERROR;
  if( (f = facts_new(ext, fn, want)) == NULL ) return SQLITE_NOMEM;
  if( !f->stored ){
    *out = f;
    return SQLITE_OK;
  }
  rc = load_paths(f);
  if( rc == SQLITE_OK && limit != 0 ){
    rc = refresh(f, limit, &built, errmsg);
    if( rc != SQLITE_OK && *errmsg == NULL ){
      /* Not written: what is stored stays right, the rest is computed.
      ** The paths made for the rolled-back traces are made again. */
      clear_paths(f);
      rc = load_paths(f);
    }
  }
  if( rc == SQLITE_OK ){
    int32_t count;
    rc = marked_traces(ext->db, -1, &f->dirty, &count);
    f->dirty_count = count;
    if( count > 1 ) qsort(f->dirty, count, sizeof *f->dirty, by_id);
  }
  if( rc == SQLITE_OK ){
    char *columns = fact_columns(want);
    char *sql = columns ? sqlite3_mprintf("SELECT %s FROM span_facts WHERE trace_key = ?1 ORDER BY seq",
                                          columns) : NULL;
    rc = sql ? sqlite3_prepare_v2(ext->db, sql, -1, &f->range, 0) : SQLITE_NOMEM;
    sqlite3_free(columns);
    sqlite3_free(sql);
  }
  if( rc != SQLITE_OK ){
    if( *errmsg == NULL ){
      *errmsg = sqlite3_mprintf("%s: cannot read the span facts: %s", fn,
                                rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(ext->db));
    }
    tlm_facts_close(f);
    return rc;
  }
  *out = f;
  return SQLITE_OK;
}

int tlm_facts_update(tlm_ext *ext, const char *fn, int64_t limit, int64_t *built, char **errmsg){
  tlm_facts *f;
  int rc;
  *built = 0;
  if( (*errmsg = tlm_check_database(ext->db, fn)) != NULL ) return SQLITE_ERROR;
  if( (f = facts_new(ext, fn, TLM_FACTS_ALL)) == NULL ) return SQLITE_NOMEM;
  if( !f->stored ){
    tlm_facts_close(f);
    *errmsg = sqlite3_mprintf("%s: no span_facts table: run tracelm_init() first", fn);
    return SQLITE_ERROR;
  }
  rc = load_paths(f);
  if( rc == SQLITE_OK ) rc = refresh(f, limit, built, errmsg);
  if( rc != SQLITE_OK && *errmsg == NULL ){
    *errmsg = sqlite3_mprintf("%s: cannot write the facts: %s", fn,
                              rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errstr(rc));
  }
  tlm_facts_close(f);
  return rc;
}

/* ------------------------------------------------------------ reading */

static int is_dirty(const tlm_facts *f, const char *trace_id){
  if( !f->stored ) return 1;
  return f->dirty_count > 0
      && bsearch(trace_id, f->dirty, f->dirty_count, sizeof *f->dirty, by_id) != NULL;
}

/* One span_facts row, its columns (fact_columns) from column base on,
** into a new fact; trace_start: its trace's start, which the offset is from. */
static int read_row(tlm_facts *f, sqlite3_stmt *r, int base, int64_t trace_start, int32_t *count){
  tlm_fact *fact;
  int64_t path = sqlite3_column_int64(r, base);
  if( *count == f->buffer_capacity && reserve(f, 2 * f->buffer_capacity + 16) ) return SQLITE_NOMEM;
  if( path <= 0 || path >= f->path_count || f->paths[path].name == NULL ) return SQLITE_CORRUPT;
  fact = &f->buffer[(*count)++];
  fact->path = (int32_t)path;
  fact->duration_ns = sqlite3_column_int64(r, base + 1);
  fact->self_ns = sqlite3_column_int64(r, base + 2);
  fact->error = (uint8_t)sqlite3_column_int(r, base + 3);
  fact->tokens_in = sqlite3_column_int64(r, base + 4);
  fact->tokens_out = sqlite3_column_int64(r, base + 5);
  fact->cost = sqlite3_column_double(r, base + 6);
  base += 7;
  fact->start_ns = trace_start;
  fact->critical_ns = 0;
  fact->model = fact->service = -1;
  if( f->want & TLM_FACTS_START ) fact->start_ns += sqlite3_column_int64(r, base++);
  if( f->want & TLM_FACTS_CRITICAL ) fact->critical_ns = sqlite3_column_int64(r, base++);
  if( f->want & TLM_FACTS_MODEL ) fact->model = intern_string(f, (const char *)sqlite3_column_text(r, base++));
  if( f->want & TLM_FACTS_SERVICE ) fact->service = intern_string(f, (const char *)sqlite3_column_text(r, base++));
  if( f->want & TLM_FACTS_DETAIL ){
    fact->span_rowid = sqlite3_column_int64(r, base);
    fact->cache_read_tokens = sqlite3_column_int64(r, base + 1);
    fact->cache_creation_tokens = sqlite3_column_int64(r, base + 2);
    fact->reasoning_tokens = sqlite3_column_int64(r, base + 3);
    fact->cost_kind = (uint8_t)sqlite3_column_int(r, base + 4);
    base += 5;
  }else{
    fact->span_rowid = fact->cache_read_tokens = fact->cache_creation_tokens = fact->reasoning_tokens = 0;
    fact->cost_kind = 0;
  }
  fact->ttft_ns = -1;
  if( (f->want & TLM_FACTS_TTFT) && sqlite3_column_type(r, base) != SQLITE_NULL ){
    fact->ttft_ns = sqlite3_column_int64(r, base);
  }
  return fact->model == -2 || fact->service == -2 ? SQLITE_NOMEM : SQLITE_OK;
}

/* The stored facts of trace key into f->buffer. */
static int read_stored(tlm_facts *f, int64_t key, int64_t trace_start, int32_t *count){
  sqlite3_stmt *r = f->range;
  int rc;
  *count = 0;
  sqlite3_bind_int64(r, 1, key);
  while( (rc = sqlite3_step(r)) == SQLITE_ROW && (rc = read_row(f, r, 0, trace_start, count)) == SQLITE_OK ){}
  sqlite3_reset(r);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int read_error(tlm_facts *f, int rc, char **errmsg){
  if( rc != SQLITE_OK && *errmsg == NULL ){
    *errmsg = sqlite3_mprintf("%s: %s", f->fn,
        rc == SQLITE_NOMEM ? "out of memory"
      : rc == SQLITE_CORRUPT ? "span_facts refers to a path span_paths lacks (rebuild with"
                               " DELETE FROM trace_facts; then tracelm_facts_update())"
      : sqlite3_errmsg(f->ext->db));
  }
  return rc;
}

/* One trace: stored, or computed when it is marked. */
static int visit(tlm_facts *f, const char *trace_id, int64_t key, const tlm_trace_fact *stored,
                 tlm_facts_fn each, void *arg, char **errmsg){
  tlm_trace_fact t;
  int32_t count;
  int rc;
  if( key == 0 || is_dirty(f, trace_id) ){
    rc = build_trace(f, trace_id, &t, &count, errmsg);
    stored = &t;
  }else if( f->want & TLM_FACTS_TOTALS ){
    rc = SQLITE_OK;
    count = (int32_t)stored->spans;
  }else{
    rc = read_stored(f, key, stored->start_ns, &count);
  }
  if( rc == SQLITE_OK && count > 0 ){
    rc = each(arg, stored, f->want & TLM_FACTS_TOTALS ? NULL : f->buffer, count);
  }
  return read_error(f, rc, errmsg);
}

/* The columns of a stored trace row, from column 1 on (0 is the key). */
#define TRACE_COLUMNS "trace_key, trace_id, start_ns, end_ns, spans, tokens_in, tokens_out, cost, errors"
static void trace_row(sqlite3_stmt *stmt, tlm_trace_fact *t){
  snprintf(t->trace_id, sizeof t->trace_id, "%s", (const char *)sqlite3_column_text(stmt, 1));
  t->start_ns = sqlite3_column_int64(stmt, 2);
  t->end_ns = sqlite3_column_int64(stmt, 3);
  t->spans = sqlite3_column_int64(stmt, 4);
  t->tokens_in = sqlite3_column_int64(stmt, 5);
  t->tokens_out = sqlite3_column_int64(stmt, 6);
  t->cost = sqlite3_column_double(stmt, 7);
  t->errors = sqlite3_column_int64(stmt, 8);
}

int tlm_facts_of_trace(tlm_facts *f, const char *trace_id, tlm_facts_fn each, void *arg,
                       char **errmsg){
  sqlite3_stmt *stmt;
  tlm_trace_fact t;
  int64_t key = 0;
  int rc;
  if( !f->stored ) return visit(f, trace_id, 0, NULL, each, arg, errmsg);
  /* Kept: a set of 50,000 traces asks 50,000 times. */
  if( f->by_id == NULL && (rc = sqlite3_prepare_v2(f->ext->db, "SELECT " TRACE_COLUMNS
                           " FROM trace_facts WHERE trace_id = ?1", -1, &f->by_id, 0)) ){
    return read_error(f, rc, errmsg);
  }
  stmt = f->by_id;
  sqlite3_bind_text(stmt, 1, trace_id, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW ){
    key = sqlite3_column_int64(stmt, 0);
    trace_row(stmt, &t);
  }
  sqlite3_reset(stmt);
  if( key == 0 && !is_dirty(f, trace_id) ){
    /* Neither built nor marked: the trace has no spans, or the id none. */
    return SQLITE_OK;
  }
  return visit(f, trace_id, key, key ? &t : NULL, each, arg, errmsg);
}

/* The marked traces that start in [since, until), computed here. */
static int visit_marked(tlm_facts *f, int64_t since, int64_t until, tlm_facts_fn each, void *arg,
                        char **errmsg){
  sqlite3_stmt *stmt;
  int rc = sqlite3_prepare_v2(f->ext->db, "SELECT 1 FROM traces WHERE trace_id = ?1"
      " AND span_count > 0 AND start_ns >= ?2 AND start_ns < ?3", -1, &stmt, 0);
  for(int32_t i = 0; rc == SQLITE_OK && i < f->dirty_count; i++){
    int in_window;
    sqlite3_bind_text(stmt, 1, f->dirty[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, since);
    sqlite3_bind_int64(stmt, 3, until);
    in_window = sqlite3_step(stmt) == SQLITE_ROW;
    rc = sqlite3_reset(stmt);
    if( rc == SQLITE_OK && in_window ) rc = visit(f, f->dirty[i], 0, NULL, each, arg, errmsg);
  }
  sqlite3_finalize(stmt);
  return read_error(f, rc, errmsg);
}

/* Without facts tables: every trace in the window, computed. */
static int visit_all_in_memory(tlm_facts *f, int64_t since, int64_t until, tlm_facts_fn each,
                               void *arg, char **errmsg){
  sqlite3_stmt *stmt;
  char (*ids)[33] = NULL;
  int32_t count = 0, capacity = 0;
  int rc = sqlite3_prepare_v2(f->ext->db, "SELECT trace_id FROM traces WHERE span_count > 0"
      " AND start_ns >= ?1 AND start_ns < ?2 ORDER BY start_ns", -1, &stmt, 0);
  if( rc != SQLITE_OK ) return read_error(f, rc, errmsg);
  sqlite3_bind_int64(stmt, 1, since);
  sqlite3_bind_int64(stmt, 2, until);
  /* The ids first: a graph's load runs statements of its own. */
  while( rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW ){
    if( tlm_grow(&ids, count, &capacity, sizeof *ids) ){ rc = SQLITE_NOMEM; break; }
    snprintf(ids[count++], 33, "%s", (const char *)sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  for(int32_t i = 0; i < count && rc == SQLITE_OK; i++) rc = visit(f, ids[i], 0, NULL, each, arg, errmsg);
  sqlite3_free(ids);
  return read_error(f, rc, errmsg);
}

/* Every built trace, by one scan of trace_facts and one of span_facts
** side by side in trace_key order: no seek per trace. */
static int visit_all_stored(tlm_facts *f, tlm_facts_fn each, void *arg, char **errmsg){
  sqlite3_stmt *traces = NULL, *spans = NULL;
  int rc = sqlite3_prepare_v2(f->ext->db, "SELECT " TRACE_COLUMNS " FROM trace_facts ORDER BY trace_key",
                              -1, &traces, 0);
  int span_rc = SQLITE_DONE;
  int totals = (f->want & TLM_FACTS_TOTALS) != 0;
  if( rc == SQLITE_OK && !totals ){
    char *columns = fact_columns(f->want);
    char *sql = columns ? sqlite3_mprintf("SELECT trace_key, %s FROM span_facts ORDER BY trace_key, seq",
                                          columns) : NULL;
    rc = sql ? sqlite3_prepare_v2(f->ext->db, sql, -1, &spans, 0) : SQLITE_NOMEM;
    sqlite3_free(columns);
    sqlite3_free(sql);
  }
  if( rc == SQLITE_OK && !totals ) span_rc = sqlite3_step(spans);
  while( rc == SQLITE_OK && (rc = sqlite3_step(traces)) == SQLITE_ROW ){
    tlm_trace_fact t;
    int64_t key = sqlite3_column_int64(traces, 0);
    int32_t count = 0;
    rc = SQLITE_OK;
    trace_row(traces, &t);
    if( totals ){
      if( t.spans > 0 && !is_dirty(f, t.trace_id) ) rc = each(arg, &t, NULL, (int32_t)t.spans);
      continue;
    }
    /* Rows of a key trace_facts lacks (not facts.c's doing) are passed over. */
    while( span_rc == SQLITE_ROW && sqlite3_column_int64(spans, 0) < key ) span_rc = sqlite3_step(spans);
    while( span_rc == SQLITE_ROW && sqlite3_column_int64(spans, 0) == key && rc == SQLITE_OK ){
      rc = read_row(f, spans, 1, t.start_ns, &count);
      span_rc = sqlite3_step(spans);
    }
    if( rc == SQLITE_OK && span_rc != SQLITE_ROW && span_rc != SQLITE_DONE ) rc = span_rc;
    if( rc == SQLITE_OK && count > 0 && !is_dirty(f, t.trace_id) ) rc = each(arg, &t, f->buffer, count);
  }
  if( rc == SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(traces);
  sqlite3_finalize(spans);
  return read_error(f, rc, errmsg);
}

int tlm_facts_each_trace_in(tlm_facts *f, int64_t since, int64_t until,
                            tlm_facts_fn each, void *arg, char **errmsg){
  sqlite3_stmt *stmt;
  int rc;
  if( !f->stored ) return visit_all_in_memory(f, since, until, each, arg, errmsg);
  if( since == INT64_MIN && until == INT64_MAX ){
    rc = visit_all_stored(f, each, arg, errmsg);
    return rc == SQLITE_OK ? visit_marked(f, since, until, each, arg, errmsg) : rc;
  }
  /* Built traces first, by start through trace_facts_by_start (a window
  ** reads only its own traces), each one range of span_facts; then the
  ** marked ones. */
  rc = sqlite3_prepare_v2(f->ext->db, "SELECT " TRACE_COLUMNS " FROM trace_facts"
      " WHERE start_ns >= ?1 AND start_ns < ?2 ORDER BY start_ns", -1, &stmt, 0);
  if( rc != SQLITE_OK ) return read_error(f, rc, errmsg);
  sqlite3_bind_int64(stmt, 1, since);
  sqlite3_bind_int64(stmt, 2, until);
  while( rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    tlm_trace_fact t;
    trace_row(stmt, &t);
    rc = is_dirty(f, t.trace_id) ? SQLITE_OK
       : visit(f, t.trace_id, sqlite3_column_int64(stmt, 0), &t, each, arg, errmsg);
  }
  if( rc == SQLITE_DONE ) rc = SQLITE_OK;
  sqlite3_finalize(stmt);
  if( rc == SQLITE_OK ) rc = visit_marked(f, since, until, each, arg, errmsg);
  return read_error(f, rc, errmsg);
}

int tlm_facts_each_in_set(tlm_ext *ext, const char *fn, sqlite3_value *set, unsigned want,
                          int64_t since, int64_t until, tlm_facts **out,
                          tlm_facts_fn each, void *arg, char **errmsg){
  char (*ids)[33] = NULL;
  int32_t count = 0;
  int rc;
  *out = NULL;
  if( sqlite3_value_type(set) == SQLITE_NULL ){
    if( (rc = tlm_facts_open(ext, fn, -1, want, out, errmsg)) ) return rc;
    return tlm_facts_each_trace_in(*out, since, until, each, arg, errmsg);
  }
  if( sqlite3_value_type(set) != SQLITE_TEXT ) return SQLITE_OK;
  const char *text = (const char *)sqlite3_value_text(set);
  if( (*errmsg = tlm_check_database(ext->db, fn)) != NULL ) return SQLITE_ERROR;
  if( !tlm_is_sql_set(text) && tlm_label_exists(ext->db, text) != 1 ) return SQLITE_OK;
  rc = tlm_trace_set_ids(ext->db, fn, "traces", text, &ids, &count, errmsg);
  if( rc == SQLITE_OK ) rc = tlm_facts_open(ext, fn, -1, want, out, errmsg);
  for(int32_t i = 0; i < count && rc == SQLITE_OK; i++){
    rc = tlm_facts_of_trace(*out, ids[i], each, arg, errmsg);
  }
  sqlite3_free(ids);
  if( rc == SQLITE_OK && *out == NULL ) rc = SQLITE_NOMEM;
  return rc;
}
