/*
** writer.c — the one thread that writes finished spans to SQLite.
**
** It takes whole batches from the queue and inserts each batch in one
** IMMEDIATE transaction with a prepared statement: a transaction per span
** would cost a WAL commit each, a thousand times the insert itself.  The
** database runs in WAL mode so readers (the CLI, a sqlite3 shell) never
** block it, with synchronous=NORMAL: a crash of the program loses nothing
** committed, a power cut may lose the last batches.
**
** Several processes may write one database.  SQLite lets one write at a
** time; the busy timeout waits for the lock, and a batch that still finds
** it busy is retried rather than lost.  Attributes become one JSON object
** per span, built here with cJSON so the caller's thread never formats.
*/
#include "internal.h"
#include "../common/hexid.h"
#include "../common/schema.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUSY_TIMEOUT_MS   5000
#define BUSY_RETRY_LIMIT  24         /* x BUSY_TIMEOUT_MS: two minutes */

static const char *const insert_span_sql =
  "INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns,"
  " status, status_message, tokens_in, tokens_out, cost, model, service,"
  " thread_id, attrs) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)";

static const char *const add_drops_sql =
  "INSERT INTO traces(trace_id, dropped_spans) VALUES(?1, ?2)"
  " ON CONFLICT(trace_id) DO UPDATE SET"
  " dropped_spans = dropped_spans + excluded.dropped_spans";

static const char *const kind_names[] = {
  "unspecified", "internal", "server", "client", "producer", "consumer"
};
static const char *const status_names[] = { "unset", "ok", "error" };

void tlm_record_free(tlm_record *r){
  free(r->name_heap);
  free(r->model);
  free(r->status_message);
  for(int i = 0; i < r->attr_count; i++){
    free(r->attrs[i].key);
    if( r->attrs[i].type == TLM_ATTR_STR ) free(r->attrs[i].value.s);
  }
  free(r->attrs);
  memset(r, 0, sizeof *r);
}

int tlm_writer_open_db(tlm_recorder *rec, sqlite3 **out){
  sqlite3 *db = NULL;
  char *errmsg = NULL;
  int rc;
  *out = NULL;
  /* NOMUTEX: only the writer uses this connection, under rec->db_lock;
  ** SQLite's own per-call locking measured at a tenth of the writer's time. */
  rc = sqlite3_open_v2(rec->db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if( rc != SQLITE_OK ){
    tlm_set_error("cannot open database '%s': %s", rec->db_path,
                  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return TLM_EDB;
  }
  if( sqlite3_db_readonly(db, "main") == 1 ){
    tlm_set_error("database '%s' is read-only", rec->db_path);
    sqlite3_close(db);
    return TLM_EDB;
  }
  sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
  rc = tlm_schema_apply(db, &errmsg);
  if( rc != TLM_OK ){
    tlm_set_error("database '%s': %s", rec->db_path, errmsg);
    sqlite3_free(errmsg);
    sqlite3_close(db);
    return rc;
  }
  /* A 32 MiB page cache: span and trace ids are random, so index pages
  ** are hit all over; with SQLite's 2 MiB default the writer re-read and
  ** re-wrote them each batch (measured: 47k against 80k spans/s). */
  if( sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   " PRAGMA cache_size=-32768",
                   0, 0, &errmsg) != SQLITE_OK ){
    tlm_set_error("database '%s': %s", rec->db_path, errmsg);
    sqlite3_free(errmsg);
    sqlite3_close(db);
    return TLM_EDB;
  }
  *out = db;
  return TLM_OK;
}

static void note_error(tlm_recorder *rec, const char *what, sqlite3 *db){
  pthread_mutex_lock(&rec->queue.lock);
  snprintf(rec->writer_error, sizeof rec->writer_error, "%s: %s", what,
           db ? sqlite3_errmsg(db) : "no database connection");
  pthread_mutex_unlock(&rec->queue.lock);
}

static char *attrs_to_json(const tlm_record *r){
  cJSON *obj;
  char *text;
  if( r->attr_count == 0 ) return NULL;
  obj = cJSON_CreateObject();
  if( obj == NULL ) return NULL;
  for(int i = 0; i < r->attr_count; i++){
    const tlm_attr *a = &r->attrs[i];
    cJSON *value = NULL;
    switch( a->type ){
      case TLM_ATTR_STR:    value = cJSON_CreateString(a->value.s); break;
      case TLM_ATTR_INT:    value = cJSON_CreateNumber((double)a->value.i); break;
      case TLM_ATTR_DOUBLE: value = cJSON_CreateNumber(a->value.d); break;
      case TLM_ATTR_BOOL:   value = cJSON_CreateBool((cJSON_bool)a->value.i); break;
    }
    /* A key set twice keeps its last value, as a setter should. */
    if( value && !cJSON_ReplaceItemInObjectCaseSensitive(obj, a->key, value) ){
      cJSON_AddItemToObject(obj, a->key, value);
    }
  }
  text = cJSON_PrintUnformatted(obj);
  cJSON_Delete(obj);
  return text;
}

static int insert_record(sqlite3_stmt *stmt, const tlm_record *r, const char *service){
  char trace_hex[33], span_hex[17], parent_hex[17];
  char *attrs = attrs_to_json(r);
  int rc;
  tlm_hex_encode(r->trace_id, 16, trace_hex);
  tlm_span_id_to_hex(r->span_id, span_hex);
  sqlite3_bind_text(stmt, 1, trace_hex, 32, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, span_hex, 16, SQLITE_STATIC);
  if( r->parent_id ){
    tlm_span_id_to_hex(r->parent_id, parent_hex);
    sqlite3_bind_text(stmt, 3, parent_hex, 16, SQLITE_STATIC);
  }else{
    sqlite3_bind_null(stmt, 3);
  }
  sqlite3_bind_text(stmt, 4, tlm_record_name(r), -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 5, kind_names[r->kind <= 5 ? r->kind : 1], -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 6, r->start_ns);
  sqlite3_bind_int64(stmt, 7, r->end_ns);
  sqlite3_bind_text(stmt, 8, status_names[r->status <= 2 ? r->status : 0], -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 9, r->status_message, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 10, r->tokens_in);
  sqlite3_bind_int64(stmt, 11, r->tokens_out);
  sqlite3_bind_double(stmt, 12, r->cost);
  sqlite3_bind_text(stmt, 13, r->model, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 14, service, -1, SQLITE_STATIC);
  sqlite3_bind_int64(stmt, 15, r->thread_id);
  if( attrs ) sqlite3_bind_text(stmt, 16, attrs, -1, cJSON_free);
  else sqlite3_bind_null(stmt, 16);
  rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);   /* all 16 parameters are bound again next time */
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* BEGIN IMMEDIATE, waiting out other writers. */
static int begin_batch(sqlite3 *db){
  for(int attempt = 0; attempt < BUSY_RETRY_LIMIT; attempt++){
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
    if( rc != SQLITE_BUSY && rc != SQLITE_LOCKED ) return rc;
  }
  return SQLITE_BUSY;
}

/* Insert one batch; returns how many spans were written. */
static uint64_t write_batch(tlm_recorder *rec, sqlite3 *db, sqlite3_stmt *insert,
                            sqlite3_stmt *add_drops, uint64_t first, uint64_t count,
                            const tlm_drop_count *drops, int drop_count){
  uint64_t written = 0;
  tlm_queue *q = &rec->queue;
  if( begin_batch(db) != SQLITE_OK ){
    note_error(rec, "cannot start a write transaction", db);
    return 0;
  }
  for(uint64_t i = first; i < first + count; i++){
    if( insert_record(insert, &q->slots[i % q->capacity], rec->service) == SQLITE_OK ){
      written++;
    }else{
      note_error(rec, "a span was refused", db);
    }
  }
  for(int i = 0; i < drop_count; i++){
    char trace_hex[33];
    tlm_hex_encode(drops[i].trace_id, 16, trace_hex);
    sqlite3_bind_text(add_drops, 1, trace_hex, 32, SQLITE_STATIC);
    sqlite3_bind_int64(add_drops, 2, (sqlite3_int64)drops[i].count);
    if( sqlite3_step(add_drops) != SQLITE_DONE ) note_error(rec, "drop count", db);
    sqlite3_reset(add_drops);
  }
  if( sqlite3_exec(db, "COMMIT", 0, 0, 0) != SQLITE_OK ){
    note_error(rec, "commit failed", db);
    sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    return 0;
  }
  return written;
}

static void *writer_main(void *arg){
  tlm_recorder *rec = arg;
  tlm_queue *q = &rec->queue;
  sqlite3_stmt *insert = NULL, *add_drops = NULL;
  int stop = 0;

  pthread_mutex_lock(&rec->db_lock);
  if( rec->db == NULL && tlm_writer_open_db(rec, &rec->db) != TLM_OK ){
    /* Only after fork(): tlm_init opened the first connection itself. */
    pthread_mutex_lock(&q->lock);
    snprintf(rec->writer_error, sizeof rec->writer_error, "%s", tlm_last_error());
    pthread_mutex_unlock(&q->lock);
  }
  if( rec->db ){
    if( sqlite3_prepare_v3(rec->db, insert_span_sql, -1, SQLITE_PREPARE_PERSISTENT, &insert, 0)
     || sqlite3_prepare_v3(rec->db, add_drops_sql, -1, SQLITE_PREPARE_PERSISTENT, &add_drops, 0) ){
      note_error(rec, "cannot prepare the insert", rec->db);
    }
  }
  pthread_mutex_unlock(&rec->db_lock);

  while( !stop ){
    uint64_t first, drops_seq, written = 0;
    tlm_drop_count *drops;
    int drop_count;
    uint64_t count = tlm_queue_take(q, rec->flush_interval_ms, &first, &drops,
                                    &drop_count, &drops_seq, &stop);
    /* db_lock covers the whole batch, frees included: fork()'s prepare
    ** handler takes it, so a fork never lands while this thread is inside
    ** SQLite or the allocator (ASan's allocator, unlike glibc's, is not
    ** fork-safe: a child forked mid-free() hung on its lock). */
    pthread_mutex_lock(&rec->db_lock);
    if( (count > 0 || drop_count > 0) && insert && add_drops ){
      written = write_batch(rec, rec->db, insert, add_drops, first, count,
                            drops, drop_count);
    }
    for(uint64_t i = first; i < first + count; i++){
      tlm_record_free(&q->slots[i % q->capacity]);
    }
    free(drops);
    tlm_queue_finish(q, count, written, count - written, drops_seq);
    pthread_mutex_unlock(&rec->db_lock);
  }
  pthread_mutex_lock(&rec->db_lock);
  sqlite3_finalize(insert);
  sqlite3_finalize(add_drops);
  sqlite3_close(rec->db);
  rec->db = NULL;
  pthread_mutex_unlock(&rec->db_lock);
  return NULL;
}

int tlm_writer_start(tlm_recorder *rec){
  if( pthread_create(&rec->writer, NULL, writer_main, rec) != 0 ){
    tlm_set_error("cannot start the writer thread");
    return TLM_ETHREAD;
  }
  __atomic_store_n(&rec->writer_running, 1, __ATOMIC_RELEASE);
  return TLM_OK;
}

void tlm_writer_stop(tlm_recorder *rec){
  if( !rec->writer_running ) return;
  tlm_queue_stop(&rec->queue);
  pthread_join(rec->writer, NULL);
  rec->writer_running = 0;
}

void tlm_writer_submit(tlm_recorder *rec, tlm_record *r){
  /* A fork() child inherits the queue but not the thread: the first span
  ** it ends starts a writer of its own (recorder.c cleared writer_running). */
  if( !__atomic_load_n(&rec->writer_running, __ATOMIC_ACQUIRE) ){
    pthread_mutex_lock(&rec->db_lock);
    if( !rec->writer_running && rec->open ) tlm_writer_start(rec);
    pthread_mutex_unlock(&rec->db_lock);
  }
  tlm_queue_push(&rec->queue, r, rec->on_full);
}
