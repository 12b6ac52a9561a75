/*
** bench_recorder.c — what recording costs.
**
**   1. Caller cost of tlm_span_begin + tlm_span_end on the calling thread,
**      median over batches of 1,000 pairs, against a baseline of the two
**      clock reads every span needs (the floor no recorder can go under).
**   2. Sustained spans per second through the recorder into SQLite (begin
**      to flush), against raw batched SQLite inserts of the same rows
**      into the same schema in the same run: prepared statement, one
**      transaction per batch of the writer's size.  The ratio is the
**      recorder's overhead over SQLite itself.
**   3. The caller's CPU time per pair with 1, 2 and 8 threads recording
**      at once, against two clock reads timed the same way.
**   4. Both again with OTLP export on (where built with it): every batch
**      also posted as protobuf to an OTLP endpoint on loopback (the tests'
**      fake collector, which decodes each request and answers 200),
**      against the same measure with export off; and with that endpoint
**      down (its port closed), which only the exporter's thread may feel.
** Prints a table; it asserts nothing.  Usage: bench_recorder [DIR]
*/
#include "tracelm/tracelm.h"
#include "hexid.h"
#include "schema.h"
#ifdef TLM_BENCH_EXPORT
#include "fake_collector.h"
#endif
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

#define BATCH 1000
#define CALLER_BATCHES 1000
#define SUSTAINED_SPANS 400000
#define SPANS_PER_TRACE 100       /* a pipeline run: a root and 99 steps */

static double now_s(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t now_ns(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int by_value(const void *a, const void *b){
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, int count){
  qsort(values, count, sizeof *values, by_value);
  return values[count / 2];
}

static volatile int64_t sink;

/* The floor: two clock reads, as a span's begin and end take. */
static double baseline_two_clock_reads(void){
  double per_pair[CALLER_BATCHES];
  struct timespec a, b;
  for(int k = 0; k < CALLER_BATCHES; k++){
    int64_t start = now_ns();
    for(int i = 0; i < BATCH; i++){
      clock_gettime(CLOCK_REALTIME, &a);
      clock_gettime(CLOCK_REALTIME, &b);
      sink += b.tv_nsec - a.tv_nsec;
    }
    per_pair[k] = (double)(now_ns() - start) / BATCH;
  }
  return median(per_pair, CALLER_BATCHES);
}

/* The caller's own cost: the queue is flushed between timed batches (the
** flush is not timed), so the caller never meets a full queue or a writer
** mid-batch; that is the promise "the caller never waits on disk" makes. */
static double caller_cost(const char *path, const char *otlp_url, int retry_ms){
  double per_pair[CALLER_BATCHES];
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.otlp_endpoint = otlp_url;
  if( retry_ms ) opts.retry_ms = retry_ms;
  opts.flush_interval_ms = 60000;      /* the writer runs only when flushed */
  opts.ignore_env_traceparent = 1;
  if( tlm_init(&opts) != TLM_OK ){ fprintf(stderr, "%s\n", tlm_last_error()); exit(1); }
  for(int k = 0; k < CALLER_BATCHES; k++){
    tlm_span *root = tlm_span_begin("request");
    int64_t start = now_ns();
    for(int i = 0; i < BATCH; i++) tlm_span_end(tlm_span_begin("llm_call"));
    per_pair[k] = (double)(now_ns() - start) / BATCH;
    tlm_span_end(root);
    if( k % 10 == 9 ) tlm_flush();
  }
  tlm_shutdown();
  return median(per_pair, CALLER_BATCHES);
}

/* What a child span is: a plain one, or an LLM call (a model and tokens)
** whose price the writer looks up and stores, or one with a cost the
** program recorded (nothing to look up). */
enum { PLAIN, CALL_PRICED, CALL_RECORDED };
static int child_kind = PLAIN;

static void end_child(tlm_span *s){
  if( child_kind != PLAIN ){
    tlm_span_set_model(s, "gpt-4o-mini");
    tlm_span_add_tokens(s, 812, 96);
    if( child_kind == CALL_RECORDED ) tlm_span_add_cost(s, 0.0002);
  }
  tlm_span_end(s);
}

static double recorder_throughput(const char *path, const char *otlp_url, int spans_per_trace, int retry_ms){
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.otlp_endpoint = otlp_url;
  if( retry_ms ) opts.retry_ms = retry_ms;
  opts.ignore_env_traceparent = 1;
  if( tlm_init(&opts) != TLM_OK ){ fprintf(stderr, "%s\n", tlm_last_error()); exit(1); }
  double start = now_s();
  for(int t = 0; t < SUSTAINED_SPANS / spans_per_trace; t++){
    tlm_span *root = tlm_span_begin("request");
    for(int i = 1; i < spans_per_trace; i++) end_child(tlm_span_begin("llm_call"));
    tlm_span_end(root);
  }
  tlm_flush();
  double elapsed = now_s() - start;
  tlm_shutdown();
  return SUSTAINED_SPANS / elapsed;
}

/* Threads recording at once: each times batches of 1,000 pairs (or of
** two clock reads, the baseline) on its own CPU clock, so a thread that
** waits for a core is not charged for it (8 threads on 2 cores).  The
** median batch over all threads, per pair. */
#define THREAD_BATCHES 200
typedef struct thread_job { int baseline; double *per_pair; } thread_job;

static int64_t cpu_ns(void){
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *record_batches(void *arg){
  thread_job *job = arg;
  struct timespec a, b;
  int64_t local = 0;   /* not the shared sink: its cache line would bounce between cores */
  for(int k = 0; k < THREAD_BATCHES; k++){
    int64_t start = cpu_ns();
    if( job->baseline ){
      for(int i = 0; i < BATCH; i++){
        clock_gettime(CLOCK_REALTIME, &a);
        clock_gettime(CLOCK_REALTIME, &b);
        local += a.tv_nsec + b.tv_nsec;
      }
    }else{
      tlm_span *root = tlm_span_begin("request");
      for(int i = 0; i < BATCH; i++) tlm_span_end(tlm_span_begin("llm_call"));
      tlm_span_end(root);
    }
    job->per_pair[k] = (double)(cpu_ns() - start) / BATCH;
    if( !job->baseline && k % 10 == 9 ) tlm_flush();
  }
  sink += local;
  return NULL;
}

static double threads_cost(const char *path, int threads, int baseline){
  pthread_t ids[8];
  thread_job jobs[8];
  double *all = malloc(sizeof *all * THREAD_BATCHES * threads), result;
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.flush_interval_ms = 60000;
  opts.ignore_env_traceparent = 1;
  if( !baseline && tlm_init(&opts) != TLM_OK ){ fprintf(stderr, "%s\n", tlm_last_error()); exit(1); }
  for(int t = 0; t < threads; t++){
    jobs[t] = (thread_job){ baseline, all + t * THREAD_BATCHES };
    pthread_create(&ids[t], NULL, record_batches, &jobs[t]);
  }
  for(int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
  if( !baseline ) tlm_shutdown();
  result = median(all, THREAD_BATCHES * threads);
  free(all);
  return result;
}

/* The same rows the recorder writes, inserted straight into SQLite with
** a prepared statement, a transaction a batch.  What else it does:
**   RAW_TRIGGERS  the spans triggers keep `traces` (else nothing keeps it:
**                 the floor issue 16 measures ingest against);
**   RAW_CHECKS    the spans table's CHECKs, which the writer skips for
**                 the rows it makes;
**   RAW_TRACES    each trace's row in `traces` and its facts mark, as
**                 plain INSERTs after its last span: the rows the writer
**                 leaves in the file, without its bookkeeping. */
enum { RAW_TRIGGERS = 1, RAW_CHECKS = 2, RAW_TRACES = 4 };
static double raw_sqlite_throughput(const char *path, int what, int spans_per_trace){
  sqlite3 *db;
  sqlite3_stmt *insert, *add_trace = NULL, *mark = NULL;
  char *errmsg = NULL, trace_hex[33], span_hex[17], parent_hex[17];
  uint8_t trace[16];
  int64_t trace_start = 0;
  int batch = 65536 / 4;                /* the writer wakes at a quarter of the queue */
  sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, 0);
  if( tlm_schema_apply(db, &errmsg) ){ fprintf(stderr, "%s\n", errmsg); exit(1); }
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   " PRAGMA cache_size=-32768", 0, 0, 0);   /* the writer's settings */
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, (what & RAW_TRIGGERS) != 0, (int *)0);
  if( !(what & RAW_CHECKS) ) sqlite3_exec(db, "PRAGMA ignore_check_constraints=ON", 0, 0, 0);
  sqlite3_prepare_v2(db, "INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns,"
    " end_ns, status, status_message, tokens_in, tokens_out, cost, model, service, thread_id,"
    " attrs) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)", -1, &insert, 0);
  if( what & RAW_TRACES ){
    sqlite3_prepare_v2(db, "INSERT INTO traces(trace_id, start_ns, end_ns, root_span_id, root_name,"
      " service, span_count) VALUES(?1, ?2, ?3, ?4, 'llm_call', 'bench_recorder', ?5)", -1, &add_trace, 0);
    sqlite3_prepare_v2(db, "INSERT INTO facts_dirty(trace_id) VALUES(?1)", -1, &mark, 0);
  }
  uint64_t id = 0x9e3779b97f4a7c15ull, root = 0;
  double start = now_s();
  for(int i = 0; i < SUSTAINED_SPANS; i++){
    if( i % batch == 0 ) sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
    /* Ids like the recorder's (recorder/ids.c): a trace id whose first
    ** two bytes count 16 ms steps, the rest random; span ids random. */
    id = id * 6364136223846793005ull + 1442695040888963407ull;
    if( i % spans_per_trace == 0 ){
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      uint64_t step = ((uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000) >> 4;
      for(int b = 0; b < 16; b++){
        id = id * 6364136223846793005ull + 1442695040888963407ull;
        trace[b] = b < 2 ? (uint8_t)(step >> (8 - 8 * b)) : (uint8_t)(id >> 56);
      }
      tlm_hex_encode(trace, 16, trace_hex);
      root = id;
    }
    tlm_span_id_to_hex(id, span_hex);
    tlm_span_id_to_hex(root, parent_hex);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    sqlite3_bind_text(insert, 1, trace_hex, 32, SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, span_hex, 16, SQLITE_STATIC);
    if( i % spans_per_trace ) sqlite3_bind_text(insert, 3, parent_hex, 16, SQLITE_STATIC);
    else sqlite3_bind_null(insert, 3);
    sqlite3_bind_text(insert, 4, "llm_call", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 5, "internal", -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 6, t);
    sqlite3_bind_int64(insert, 7, t + 100);
    sqlite3_bind_text(insert, 8, "unset", -1, SQLITE_STATIC);
    sqlite3_bind_null(insert, 9);
    sqlite3_bind_int64(insert, 10, 0);
    sqlite3_bind_int64(insert, 11, 0);
    sqlite3_bind_double(insert, 12, 0);
    sqlite3_bind_null(insert, 13);
    sqlite3_bind_text(insert, 14, "bench_recorder", -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 15, 4242);
    sqlite3_bind_null(insert, 16);
    sqlite3_step(insert);
    sqlite3_reset(insert);
    if( i % spans_per_trace == 0 ) trace_start = t;
    if( add_trace && i % spans_per_trace == spans_per_trace - 1 ){
      tlm_span_id_to_hex(root, parent_hex);
      sqlite3_bind_text(add_trace, 1, trace_hex, 32, SQLITE_STATIC);
      sqlite3_bind_int64(add_trace, 2, trace_start);
      sqlite3_bind_int64(add_trace, 3, t + 100);
      sqlite3_bind_text(add_trace, 4, parent_hex, 16, SQLITE_STATIC);
      sqlite3_bind_int(add_trace, 5, spans_per_trace);
      sqlite3_step(add_trace);
      sqlite3_reset(add_trace);
      sqlite3_bind_text(mark, 1, trace_hex, 32, SQLITE_STATIC);
      sqlite3_step(mark);
      sqlite3_reset(mark);
    }
    if( i % batch == batch - 1 || i == SUSTAINED_SPANS - 1 ) sqlite3_exec(db, "COMMIT", 0, 0, 0);
  }
  double elapsed = now_s() - start;
  sqlite3_finalize(insert);
  sqlite3_finalize(add_trace);
  sqlite3_finalize(mark);
  sqlite3_close(db);
  return SUSTAINED_SPANS / elapsed;
}

static void remove_database(const char *path){
  char extra[4200];
  unlink(path);
  snprintf(extra, sizeof extra, "%s-wal", path); unlink(extra);
  snprintf(extra, sizeof extra, "%s-shm", path); unlink(extra);
}

#ifdef TLM_BENCH_EXPORT
/* The caller's cost and the sustained rate with export to url, against
** the same with export off. */
static void export_rows(const char *what, const char *url, int retry_ms, const char *caller_db,
                        const char *recorder_db, double pair_ns, double recorder){
  char label[64];
  remove_database(caller_db);
  remove_database(recorder_db);
  double export_pair_ns = caller_cost(caller_db, url, retry_ms);
  double export_recorder = recorder_throughput(recorder_db, url, SPANS_PER_TRACE, retry_ms);
  snprintf(label, sizeof label, "caller%s (vs export off)", what);
  printf("%-44s %11.1f ns %11.1f ns %8.2f\n", label, export_pair_ns, pair_ns, export_pair_ns / pair_ns);
  snprintf(label, sizeof label, "sustained%s (vs export off)", what);
  printf("%-44s %10.0f /s %10.0f /s %8.2f\n", label, export_recorder, recorder, export_recorder / recorder);
}
#endif

int main(int argc, char **argv){
  const char *dir = argc > 1 ? argv[1] : ".";
  char caller_db[4096], recorder_db[4096], raw_db[4096];
  snprintf(caller_db, sizeof caller_db, "%s/bench_caller.db", dir);
  snprintf(recorder_db, sizeof recorder_db, "%s/bench_recorder.db", dir);
  snprintf(raw_db, sizeof raw_db, "%s/bench_raw.db", dir);
  remove_database(caller_db);
  remove_database(recorder_db);
  remove_database(raw_db);
  double floor_ns = baseline_two_clock_reads();
  double pair_ns = caller_cost(caller_db, "", 0);
  double recorder = recorder_throughput(recorder_db, "", SPANS_PER_TRACE, 0);
  double raw = raw_sqlite_throughput(raw_db, RAW_TRIGGERS | RAW_CHECKS, SPANS_PER_TRACE);
  remove_database(raw_db);
  double raw_no_trigger = raw_sqlite_throughput(raw_db, RAW_CHECKS, SPANS_PER_TRACE);
  remove_database(raw_db);
  double raw_no_checks = raw_sqlite_throughput(raw_db, 0, SPANS_PER_TRACE);
  /* Tiny traces: a request or a job a trace, as the seed's users trace.
  ** Against raw inserts of their spans; of their spans and each trace's
  ** rows; of their spans without the CHECKs. */
  static const int tiny_spans[2] = { 1, 5 };
  static const int tiny_raw_kind[3] = { RAW_CHECKS, RAW_CHECKS | RAW_TRACES, 0 };
  double tiny[2], tiny_raw[2][3];
  for(int k = 0; k < 2; k++){
    remove_database(recorder_db);
    tiny[k] = recorder_throughput(recorder_db, "", tiny_spans[k], 0);
    for(int b = 0; b < 3; b++){
      remove_database(raw_db);
      tiny_raw[k][b] = raw_sqlite_throughput(raw_db, tiny_raw_kind[b], tiny_spans[k]);
    }
  }
  printf("%-44s %14s %14s %8s\n", "measure", "tracelm", "baseline", "ratio");
  printf("%-44s %11.1f ns %11.1f ns %8.2f\n", "caller: begin+end pair (median of 1000x1000)",
         pair_ns, floor_ns, pair_ns / floor_ns);
  printf("%-44s %10.0f /s %10.0f /s %8.2f\n", "sustained: spans into SQLite (4000 x 100)",
         recorder, raw, recorder / raw);
  printf("%-44s %10.0f /s %10.0f /s %8.2f\n", "sustained, against raw without the trigger",
         recorder, raw_no_trigger, recorder / raw_no_trigger);
  printf("%-44s %10.0f /s %10.0f /s %8.2f\n", "sustained, against raw without trigger, checks",
         recorder, raw_no_checks, recorder / raw_no_checks);
  for(int k = 0; k < 2; k++){
    static const char *const against[3] = { "", "  the same, raw with the trace rows", "  the same, raw without checks" };
    for(int b = 0; b < 3; b++){
      char label[64];
      if( b == 0 ) snprintf(label, sizeof label, "sustained, %d-span traces (raw, no trigger)", tiny_spans[k]);
      else snprintf(label, sizeof label, "%s", against[b]);
      printf("%-44s %10.0f /s %10.0f /s %8.2f\n", label, tiny[k], tiny_raw[k][b], tiny[k] / tiny_raw[k][b]);
    }
  }
  /* Every child an LLM call: its price stored by the writer (a lookup in
  ** model_prices and an UPDATE of the row just written), against the same
  ** calls with a recorded cost. */
  double calls[2];
  for(int k = 0; k < 2; k++){
    child_kind = k == 0 ? CALL_PRICED : CALL_RECORDED;
    remove_database(recorder_db);
    calls[k] = recorder_throughput(recorder_db, "", SPANS_PER_TRACE, 0);
  }
  child_kind = PLAIN;
  printf("%-44s %10.0f /s %10.0f /s %8.2f\n", "sustained, LLM calls priced (vs cost recorded)",
         calls[0], calls[1], calls[0] / calls[1]);
  for(int threads = 1; threads <= 8; threads *= threads == 2 ? 4 : 2){
    char label[64];
    remove_database(caller_db);
    double pair = threads_cost(caller_db, threads, 0), clocks = threads_cost(caller_db, threads, 1);
    snprintf(label, sizeof label, "caller CPU per pair, %d thread%s at once", threads,
             threads == 1 ? "" : "s");
    printf("%-44s %11.1f ns %11.1f ns %8.2f\n", label, pair, clocks, pair / clocks);
  }
#ifdef TLM_BENCH_EXPORT
  {
    static const fake_answer ok[] = { { 200, NULL, 0, 0 } };
    fake_collector *f = fake_collector_start(ok, 1);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/v1/traces", fake_collector_port(f));
    export_rows(" with OTLP export", url, 0, caller_db, recorder_db, pair_ns, recorder);
    printf("%-44s %10lld\n", "spans the endpoint received", (long long)fake_collector_spans(f));
    fake_collector_stop(f);
    /* The same endpoint, now down (its port closed): batches wait in the
    ** exporter's buffer, are retried and given up on its own thread; the
    ** caller and the writer must not notice.  tlm_flush() waits until each
    ** batch is delivered or given up: a short retry_ms keeps the untimed
    ** flushes between batches short. */
    export_rows(", OTLP endpoint down", url, 200, caller_db, recorder_db, pair_ns, recorder);
  }
#endif
  printf("\nbaselines: two clock_gettime(CLOCK_REALTIME) reads; raw batched SQLite\n"
         "inserts of the same rows into the same schema (prepared, %d per\n"
         "transaction, WAL, the writer's pragmas).\n", 65536 / 4);
  return 0;
}
