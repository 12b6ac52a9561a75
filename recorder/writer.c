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
** time; the busy timeout waits for the lock.  A batch that fails for a
** reason that may pass (busy, locked, disk full, I/O) is rolled back and
** tried again for up to retry_ms, then counted as failed; each failure is
** reported (error.c) and kept for the next tlm_flush() to return.  Each
** record becomes a row through common/span_row.h, the one definition of a
** span row.  With OTLP export the batch is first handed to the exporter
** (exporter.c), which delivers it on its own thread.
*/
#include "internal.h"
#include "../common/hexid.h"
#include "../common/schema.h"
#include "../common/trace_runs.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* SQLite's own wait for another writer's lock, per attempt (write_batch
** retries around it for the recorder's retry_ms).  It also covers two
** processes creating one database at once: the schema and the default
** prices take one of them a moment, under a sanitizer more than a second. */
#define BUSY_TIMEOUT_MS   5000

/* With a run label, each trace a batch touches is labelled once (the
** first writer to label it wins, so a run's label is never changed). */
static const char *const set_label_sql =
  "UPDATE traces SET label = ?2 WHERE trace_id = ?1 AND label IS NULL";

static const char *const add_drops_sql =
  "INSERT INTO traces(trace_id, dropped_spans) VALUES(?1, ?2)"
  " ON CONFLICT(trace_id) DO UPDATE SET"
  " dropped_spans = dropped_spans + excluded.dropped_spans";

int tlm_writer_open_db(tlm_recorder *rec, sqlite3 **out){
  sqlite3 *db = NULL;
  char *errmsg = NULL;
  int rc;
  *out = NULL;
  /* NOMUTEX: only the writer uses this connection, under rec->db_lock;
  ** SQLite's own per-call locking was a measurable share of the writer's
  ** time (docs/performance.md). */
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
  ** re-wrote them each batch (docs/performance.md has the rates). */
  /* Processes opening a new database at once race to switch it to WAL,
  ** and a switch that finds another connection in the way can answer
  ** SQLITE_BUSY at once: wait for it as the busy timeout would. */
  for(int waited = 0;; waited += 10){
    rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      " PRAGMA cache_size=-32768", 0, 0, &errmsg);
    if( rc != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS ) break;
    sqlite3_free(errmsg);
    errmsg = NULL;
    sqlite3_sleep(10);
  }
  if( rc != SQLITE_OK ){
    tlm_set_error("database '%s': %s", rec->db_path, errmsg);
    sqlite3_free(errmsg);
    sqlite3_close(db);
    return TLM_EDB;
  }
  /* After the schema: `traces` is kept by try_batch (trace_runs.c). */
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)0);
  /* The rows this connection writes are valid as they are made: ids hex
  ** from bytes and never zero (ids.c, traceparent.c), kind and status from
  ** their enums, attrs printed by cJSON from typed values.  The spans
  ** table's CHECKs (three GLOBs over the ids among them) were 37% of the
  ** writer's cycles on one-span traces (docs/performance.md).  The one
  ** value a caller writes as text, an event's attributes, is checked with
  ** json_valid() as it is inserted (add_event_sql).  tests/recorder
  ** checks the rows with PRAGMA integrity_check, which tests CHECKs. */
  sqlite3_exec(db, "PRAGMA ignore_check_constraints=ON", 0, 0, 0);
  if( rec->max_db_bytes > 0 ){
    /* A cap on the file: past it inserts fail with "database or disk is
    ** full", exactly as on a full disk, and are retried and counted so. */
    sqlite3_stmt *stmt;
    int64_t page_size = 4096;
    char *pragma;
    if( sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &stmt, 0) == SQLITE_OK ){
      if( sqlite3_step(stmt) == SQLITE_ROW ) page_size = sqlite3_column_int64(stmt, 0);
      sqlite3_finalize(stmt);
    }
    pragma = sqlite3_mprintf("PRAGMA max_page_count=%lld",
        (long long)(rec->max_db_bytes / page_size > 0 ? rec->max_db_bytes / page_size : 1));
    sqlite3_exec(db, pragma, 0, 0, 0);
    sqlite3_free(pragma);
  }
  *out = db;
  return TLM_OK;
}

static void note_error(tlm_recorder *rec, const char *what, sqlite3 *db){
  tlm_note_writer_error(rec, what, db ? sqlite3_errmsg(db) : "no database connection");
}

static int insert_record(sqlite3_stmt *stmt, const tlm_record *r, const char *service){
  char trace_hex[33], span_hex[17], parent_hex[17];
  char *attrs = tlm_record_attrs_json(r);
  int rc;
  tlm_hex_encode(r->trace_id, 16, trace_hex);
  tlm_span_id_to_hex(r->span_id, span_hex);
  if( r->parent_id ) tlm_span_id_to_hex(r->parent_id, parent_hex);
  tlm_span_row row = {
    .trace_id = trace_hex, .span_id = span_hex, .parent_id = r->parent_id ? parent_hex : NULL,
    .name = tlm_record_name(r), .kind = r->kind, .status = r->status,
    .start_ns = r->start_ns, .end_ns = r->end_ns, .has_end = 1,
    .status_message = r->status_message, .tokens_in = r->tokens_in,
    .tokens_out = r->tokens_out, .cost = r->cost, .model = r->model, .service = service,
    .thread_id = r->thread_id, .has_thread = 1, .attrs = attrs,
    .flags = r->flags, .has_flags = 1, .trace_state = r->trace_state,
  };
  tlm_span_row_bind(stmt, &row);
  rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);   /* every parameter is bound again next time */
  cJSON_free(attrs);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Worth trying again: another writer holds the lock, the disk (or the
** database's size cap) is full, or an I/O error that freeing space or a
** remount may cure.  Anything else is the span's own fault (a constraint)
** or the database's (corrupt, read-only), and retrying will not help. */
static int is_transient(int rc){
  switch( rc & 0xff ){
    case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_FULL: case SQLITE_IOERR: return 1;
  }
  return 0;
}

int tlm_add_trace_counts(sqlite3_stmt *stmt, const tlm_drop_count *counts, int count){
  int first_error = SQLITE_OK;
  for(int i = 0; i < count; i++){
    char trace_hex[33];
    int rc;
    tlm_hex_encode(counts[i].trace_id, 16, trace_hex);
    sqlite3_bind_text(stmt, 1, trace_hex, 32, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)counts[i].count);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if( rc == SQLITE_DONE ) continue;
    if( first_error == SQLITE_OK ) first_error = rc;
    if( is_transient(rc) ) break;   /* the caller rolls back and tries again */
  }
  return first_error;
}

/* The writer's prepared statements. */
typedef struct statements {
  sqlite3_stmt *insert, *add_trace, *dirty_facts, *add_drops;
  sqlite3_stmt *set_label;       /* NULL without a label */
  sqlite3_stmt *add_event;       /* prepared at the first span with events */
  sqlite3_stmt *price_call;      /* prepared at the first call to price */
} statements;

/* An event whose attributes SQLite's JSON refuses (cJSON, which checked
** them on the caller's thread, reads 01 and 1. as numbers) is not stored:
** this connection skips the table's CHECK that would refuse it. */
static const char add_event_sql[] =
  "INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs)"
  " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE ?6 IS NULL OR json_valid(?6)";

/* The events of a span just inserted, in the order they were added. */
static int insert_events(tlm_recorder *rec, sqlite3 *db, statements *st, const tlm_record *r){
  char trace_hex[33], span_hex[17];
  if( r->event_count == 0 ) return SQLITE_OK;
  if( st->add_event == NULL ){
    int rc = sqlite3_prepare_v3(db, add_event_sql, -1, SQLITE_PREPARE_PERSISTENT, &st->add_event, 0);
    if( rc != SQLITE_OK ) return rc;
  }
  tlm_hex_encode(r->trace_id, 16, trace_hex);
  tlm_span_id_to_hex(r->span_id, span_hex);
  for(int i = 0; i < r->event_count; i++){
    const tlm_event *e = &r->events[i];
    int rc;
    sqlite3_bind_text(st->add_event, 1, trace_hex, 32, SQLITE_STATIC);
    sqlite3_bind_text(st->add_event, 2, span_hex, 16, SQLITE_STATIC);
    sqlite3_bind_int(st->add_event, 3, i);
    sqlite3_bind_int64(st->add_event, 4, e->time_ns);
    sqlite3_bind_text(st->add_event, 5, e->name, -1, SQLITE_STATIC);
    if( e->attrs ) sqlite3_bind_text(st->add_event, 6, e->attrs, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st->add_event, 6);
    rc = sqlite3_step(st->add_event);
    sqlite3_reset(st->add_event);
    if( rc != SQLITE_DONE ) return rc;
    if( sqlite3_changes(db) == 0 ){
      tlm_note_writer_error(rec, "an event was not stored",
                            "its attributes are not JSON that SQLite accepts (json_valid)");
    }
  }
  return SQLITE_OK;
}

/* The batch's runs into `traces` and `facts_dirty` (trace_runs.c), each
** trace labelled with the run label if it has none yet. */
static int store_runs(tlm_recorder *rec, sqlite3 *db, const statements *st, tlm_trace_runs *runs){
  char trace_hex[33];
  tlm_trace_runs_finish(runs);
  for(size_t i = 0; i < runs->count; i++){
    int rc = tlm_trace_run_store(&runs->items[i], st->add_trace, st->dirty_facts, trace_hex);
    if( rc == SQLITE_OK && st->set_label ){
      sqlite3_bind_text(st->set_label, 1, trace_hex, 32, SQLITE_STATIC);
      sqlite3_bind_text(st->set_label, 2, rec->run_label, -1, SQLITE_STATIC);
      rc = sqlite3_step(st->set_label);
      sqlite3_reset(st->set_label);
      if( rc == SQLITE_DONE ) rc = SQLITE_OK;
    }
    if( rc != SQLITE_OK && is_transient(rc) ) return rc;
    if( rc != SQLITE_OK ) note_error(rec, "a trace's summary row was refused", db);
  }
  return SQLITE_OK;
}

/* One attempt at the whole batch in one transaction.  SQLITE_OK when it
** committed (*written spans, the others refused one by one), or the
** transient error that rolled it back. */
static int try_batch(tlm_recorder *rec, sqlite3 *db, statements *st, tlm_trace_runs *runs,
                     uint64_t count, const tlm_drop_count *drops, int drop_count,
                     uint64_t *written){
  tlm_queue *q = &rec->queue;
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
  *written = 0;
  tlm_trace_runs_begin(runs);
  if( rc != SQLITE_OK ) return rc;
  for(uint64_t i = 0; i < count; i++){
    const tlm_record *r = tlm_queue_slot(q, i);
    rc = insert_record(st->insert, r, rec->service);
    if( rc == SQLITE_OK && tlm_is_priced_call(r->model, r->tokens_in, r->tokens_out, r->cost) ){
      /* Not stored, span_cost looks the price up when read: the span stays. */
      int price_rc = tlm_store_price(db, &st->price_call, sqlite3_last_insert_rowid(db));
      if( is_transient(price_rc) ) rc = price_rc;
      else if( price_rc != SQLITE_OK ) note_error(rec, "a call's price was not stored", db);
    }
    if( rc == SQLITE_OK ) rc = insert_events(rec, db, st, r);
    if( rc == SQLITE_OK ){
      tlm_run_span span = {
        .trace_id = r->trace_id, .span_id = r->span_id, .is_root = r->parent_id == 0,
        .name = tlm_record_name(r), .service = rec->service,
        .start_ns = r->start_ns, .end_ns = r->end_ns,
        .tokens_in = r->tokens_in, .tokens_out = r->tokens_out, .cost = r->cost,
        .error = r->status == TLM_STATUS_ERROR,
      };
      (*written)++;
      if( (rc = tlm_trace_runs_add(runs, &span)) != SQLITE_OK ) goto rolled_back;
    }else if( is_transient(rc) ){
      goto rolled_back;
    }else{
      note_error(rec, "a span was refused", db);
    }
  }
  if( (rc = store_runs(rec, db, st, runs)) != SQLITE_OK ) goto rolled_back;
  rc = tlm_add_trace_counts(st->add_drops, drops, drop_count);
  if( rc != SQLITE_OK && is_transient(rc) ) goto rolled_back;
  if( rc != SQLITE_OK ) note_error(rec, "the dropped-span count was refused", db);
  rc = sqlite3_exec(db, "COMMIT", 0, 0, 0);
  if( rc == SQLITE_OK ) return SQLITE_OK;
rolled_back:
  note_error(rec, "writer", db);
  sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
  *written = 0;
  return rc;
}

/* A failure that a pause rarely cures: the disk is full (or the file at
** max_db_bytes), or the disk fails.  Busy and locked are another writer,
** which a pause does cure. */
static int is_lasting(int rc){
  return (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR;
}

/* How often a degraded database is tried again. */
#define PROBE_MS 1000

/* Insert one batch, trying again with growing pauses while the failure is
** transient, for at most rec->retry_ms: a busy or full database often
** frees up.  A database still full or failing after that is degraded:
** later batches fail at once (a caller waiting on a full queue waits for
** one retry_ms in all, not one per batch), but for one attempt a second,
** which ends the state when it succeeds.  Returns how many spans were
** written; those not written count as failed. */
static uint64_t write_batch(tlm_recorder *rec, sqlite3 *db, statements *st,
                            tlm_trace_runs *runs, uint64_t count,
                            const tlm_drop_count *drops, int drop_count){
  int64_t now = tlm_monotonic_ms(), deadline = now + rec->retry_ms, pause = 10;
  uint64_t written = 0;
  int rc;
  if( rec->degraded ){
    if( now < rec->next_probe_ms ) return 0;
    rec->next_probe_ms = now + PROBE_MS;
    rec->probes++;
    rc = try_batch(rec, db, st, runs, count, drops, drop_count, &written);
    if( rc == SQLITE_OK || !is_lasting(rc) ) rec->degraded = 0;
    return written;
  }
  for(int tries = 1;; tries++){
    rc = try_batch(rec, db, st, runs, count, drops, drop_count, &written);
    if( rc == SQLITE_OK || !is_transient(rc) || tlm_monotonic_ms() + pause > deadline ) break;
    if( tries == 1 ) rec->batches_retried++;
    tlm_sleep_ms(pause);
    if( pause < 1000 ) pause *= 2;
  }
  if( rc != SQLITE_OK && is_lasting(rc) ){
    rec->degraded = 1;
    rec->next_probe_ms = tlm_monotonic_ms() + PROBE_MS;
  }
  return written;
}

static void *writer_main(void *arg){
  tlm_recorder *rec = arg;
  tlm_queue *q = &rec->queue;
  statements st = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
  tlm_trace_runs runs = { NULL, 0, 0, 0 };
  int stop = 0;

  pthread_setname_np(pthread_self(), "tracelm-writer");   /* in top -H, perf, gdb */
  pthread_mutex_lock(&rec->db_lock);
  if( rec->db == NULL && !rec->exporter.config.only && tlm_writer_open_db(rec, &rec->db) != TLM_OK ){
    /* Only after fork(): tlm_init opened the first connection itself. */
    tlm_note_writer_error(rec, tlm_last_error(), NULL);
  }
  if( rec->db ){
    if( sqlite3_prepare_v3(rec->db, tlm_span_insert_sql, -1, SQLITE_PREPARE_PERSISTENT, &st.insert, 0)
     || sqlite3_prepare_v3(rec->db, tlm_add_trace_sql, -1, SQLITE_PREPARE_PERSISTENT, &st.add_trace, 0)
     || sqlite3_prepare_v3(rec->db, tlm_dirty_facts_sql, -1, SQLITE_PREPARE_PERSISTENT, &st.dirty_facts, 0)
     || sqlite3_prepare_v3(rec->db, add_drops_sql, -1, SQLITE_PREPARE_PERSISTENT, &st.add_drops, 0)
     || (rec->run_label && sqlite3_prepare_v3(rec->db, set_label_sql, -1, SQLITE_PREPARE_PERSISTENT,
                                              &st.set_label, 0)) ){
      note_error(rec, "cannot prepare the insert", rec->db);
    }
  }
  pthread_mutex_unlock(&rec->db_lock);

  while( !stop ){
    uint64_t written = 0;
    tlm_drop_count *drops;
    int drop_count;
    uint64_t count = tlm_queue_take(q, rec->flush_interval_ms, &drops, &drop_count, &stop);
    /* db_lock covers the whole batch, frees included: fork()'s prepare
    ** handler takes it, so a fork never lands while this thread is inside
    ** SQLite or the allocator (ASan's allocator, unlike glibc's, is not
    ** fork-safe: a child forked mid-free() hung on its lock). */
    pthread_mutex_lock(&rec->db_lock);
    tlm_exporter_submit(rec, count);
    if( rec->exporter.config.only ){
      written = count;   /* handed to the exporter, which counts its own losses */
    }else if( (count > 0 || drop_count > 0) && st.insert && st.add_trace && st.dirty_facts && st.add_drops ){
      written = write_batch(rec, rec->db, &st, &runs, count, drops, drop_count);
    }
    free(drops);
    tlm_queue_finish(q, written, count - written);
    pthread_mutex_unlock(&rec->db_lock);
  }
  pthread_mutex_lock(&rec->db_lock);
  sqlite3_finalize(st.insert);
  sqlite3_finalize(st.add_trace);
  sqlite3_finalize(st.dirty_facts);
  sqlite3_finalize(st.add_drops);
  sqlite3_finalize(st.set_label);
  sqlite3_finalize(st.add_event);
  sqlite3_finalize(st.price_call);
  tlm_trace_runs_free(&runs);
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

void tlm_writer_start_lazily(tlm_recorder *rec){
  pthread_mutex_lock(&rec->db_lock);
  if( !rec->writer_running && rec->open ) tlm_writer_start(rec);
  pthread_mutex_unlock(&rec->db_lock);
}
