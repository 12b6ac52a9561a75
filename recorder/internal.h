/*
** internal.h — what the recorder's files share and callers never see.
**
** A span's life flows one way: span.c builds a tlm_span on the caller's
** thread; at tlm_span_end() its record (record.c) is copied into the
** recorder's queue (queue.c), which owns it from then on; the writer
** thread (writer.c) takes whole batches off the queue, inserts them in one
** transaction, and hands them back to the queue to free.  recorder.c owns
** setup, shutdown and fork(); error.c the error state; ids.c makes ids and
** sampling decisions.
*/
#ifndef TLM_INTERNAL_H
#define TLM_INTERNAL_H

#include "tracelm/tracelm.h"
#include "../common/span_row.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <time.h>

/* Thread-local state the hot path reads.  In a shared library the default
** model calls __tls_get_addr on every access, a measurable share of a span
** (docs/performance.md); initial-exec is a fixed offset.  A module that is
** dlopen()ed (the Python one links the recorder in) takes it from glibc's
** spare static TLS, so what is declared this way stays a few hundred bytes. */
#define TLM_THREAD_LOCAL __thread __attribute__((tls_model("initial-exec")))

/* -------------------------------------------------------------- time */

/* Milliseconds of CLOCK_MONOTONIC, for retries, deadlines and rate limits. */
static inline int64_t tlm_monotonic_ms(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void tlm_sleep_ms(int64_t ms){
  struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
  nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ records */

typedef enum { TLM_ATTR_STR, TLM_ATTR_INT, TLM_ATTR_DOUBLE, TLM_ATTR_BOOL } tlm_attr_type;

typedef struct tlm_attr {
  char *key;                     /* owned */
  tlm_attr_type type;
  union { char *s; int64_t i; double d; } value;   /* s owned */
} tlm_attr;

/* An event at a time on the span (OTLP's Span.Event). */
typedef struct tlm_event {
  int64_t time_ns;
  char *name;                    /* owned */
  char *attrs;                   /* owned JSON object text, or NULL */
} tlm_event;

/* Names this short live inside the record: no allocation for the usual
** "llm_call"-sized name (docs/performance.md has what that bought). */
#define TLM_INLINE_NAME 40

/* Everything the writer needs to insert one span.  Copied by value into
** the queue; the heap pointers travel with it and the writer frees them. */
typedef struct tlm_record {
  uint8_t trace_id[16];
  uint64_t span_id;
  uint64_t parent_id;            /* 0: no parent */
  int64_t start_ns, end_ns;
  int64_t tokens_in, tokens_out;
  double cost;
  int64_t thread_id;
  uint8_t kind;                  /* tlm_span_kind */
  uint8_t status;                /* TLM_STATUS_* (span_row.h) */
  uint16_t flags;                /* TLM_FLAG_* (span_row.h): OTLP's Span.flags */
  char *name_heap;               /* owned; NULL when name_inline holds it */
  char *model;                   /* owned or NULL */
  char *status_message;          /* owned or NULL */
  char *trace_state;             /* owned or NULL; W3C tracestate, inherited */
  tlm_attr *attrs;               /* owned array */
  int attr_count, attr_capacity;
  tlm_event *events;             /* owned array, in the order added */
  int event_count, event_capacity;
  char name_inline[TLM_INLINE_NAME];
} tlm_record;

/* record.c: a record's lifetime, from its name to its free. */
static inline const char *tlm_record_name(const tlm_record *r){
  return r->name_heap ? r->name_heap : r->name_inline;
}
/* Set or replace the name; TLM_OK or TLM_ENOMEM (the name is then ""). */
int tlm_record_set_name(tlm_record *r, const char *name);
/* A new attribute slot with its key copied; NULL when out of memory. */
tlm_attr *tlm_record_add_attr(tlm_record *r, const char *key, tlm_attr_type type);
/* A new event, name and attrs (JSON object text or NULL) copied; TLM_OK
** or TLM_ENOMEM. */
int tlm_record_add_event(tlm_record *r, int64_t time_ns, const char *name, const char *attrs);
/* The attributes as one JSON object's text (cJSON_free it), or NULL. */
char *tlm_record_attrs_json(const tlm_record *r);
void tlm_record_free(tlm_record *r);

struct tlm_span {
  tlm_recorder *rec;
  tlm_record r;
  uint8_t sampled;
  uint8_t first_chunk;           /* tlm_llm_first_token() has been called (genai.c) */
  unsigned fork_generation;      /* a span begun before fork() is the parent's */
};

/* -------------------------------------------------------------- queue */

/* Drops are counted per trace so the writer can add them to
** traces.dropped_spans. */
typedef struct tlm_drop_count {
  uint8_t trace_id[16];
  uint64_t count;
} tlm_drop_count;

/* One recording thread's ended spans for one recorder: a single-producer
** ring the writer drains (queue.c).  The producer and the writer each
** write their own cache line; the slots are span pointers, so ending a
** span copies 8 bytes and takes no lock. */
#define TLM_RING_THREAD_GONE 1   /* its thread exited */
#define TLM_RING_QUEUE_GONE  2   /* its recorder closed */
typedef struct tlm_ring {
  /* The producer's line. */
  uint64_t head;                 /* next slot to fill; published with release */
  uint64_t reuse;                /* next written slot whose span it may reuse */
  uint64_t tail_seen;            /* its last read of tail */
  char producer_pad[64 - 3 * sizeof(uint64_t)];
  /* The writer's line. */
  uint64_t tail;                 /* first slot not yet written; published with release */
  uint64_t taken;                /* end of what the current batch holds */
  struct tlm_ring *next;         /* the queue's list, under its lock */
  tlm_span **slots;
  uint64_t mask;                 /* capacity - 1, a power of two */
  const void *owner;             /* the producing thread's marker (span.c) */
  int gone;                      /* TLM_RING_* bits, atomic */
} tlm_ring;

typedef struct tlm_queue {
  pthread_mutex_t lock;
  pthread_cond_t has_work;       /* writer waits here */
  pthread_cond_t has_room;       /* producers wait here when their ring is full */
  pthread_cond_t progress;       /* flush() waits here */
  uint64_t instance;             /* unique per queue ever made: threads key rings by it */
  uint64_t capacity;             /* slots a ring holds, a power of two */
  uint64_t wake_at;              /* signal the writer when a ring holds this many */
  tlm_ring *rings;               /* every ring of this queue */
  tlm_record **batch;            /* the writer's current batch */
  uint64_t batch_capacity;
  tlm_drop_count *drops;
  int drop_count, drop_capacity;
  uint64_t batches_taken, batches_finished;
  int flush_waiters;
  int stopping;                  /* atomic: producers read it unlocked */
  uint64_t spans_from_freed_rings;
  uint64_t spans_written, spans_dropped, spans_failed;
} tlm_queue;

int tlm_queue_init(tlm_queue *q, uint64_t capacity);
/* Free every ring but those of threads still running, which free theirs
** when they exit. */
void tlm_queue_destroy(tlm_queue *q);
/* In a fork() child: forget the parent's queued spans (the parent writes
** them); rings of threads other than owner's are left for the writer to
** free. */
void tlm_queue_discard(tlm_queue *q, const void *owner);
/* A new ring for the calling thread (owner: its marker), or NULL. */
tlm_ring *tlm_queue_ring(tlm_queue *q, const void *owner);
/* The ring's thread is exiting; the ring is freed once drained. */
void tlm_ring_release(tlm_ring *ring);
/* Under the lock: spans queued so far, for statistics. */
uint64_t tlm_queue_enqueued(tlm_queue *q);
/* The slow half of a push: a full ring or a stopping queue.  Returns 1 when
** the span was queued, 0 when it was dropped (counted) and freed. */
int tlm_queue_push_slow(tlm_queue *q, tlm_ring *ring, tlm_span *span, tlm_on_full on_full);
/* Wake the writer: a ring holds a batch's worth. */
void tlm_queue_wake(tlm_queue *q);
/* Count a span that could not be queued against its trace. */
void tlm_queue_drop(tlm_queue *q, const tlm_record *r);

/* Queue span on ring, the producer's side of tlm_span_end().  Usually a
** store and a release; a full ring or a stopping queue goes the slow way. */
static inline int tlm_queue_push(tlm_queue *q, tlm_ring *ring, tlm_span *span,
                                 tlm_on_full on_full){
  uint64_t head = ring->head;
  if( head - ring->reuse > ring->mask || __atomic_load_n(&q->stopping, __ATOMIC_RELAXED) ){
    return tlm_queue_push_slow(q, ring, span, on_full);
  }
  ring->slots[head & ring->mask] = span;
  __atomic_store_n(&ring->head, head + 1, __ATOMIC_RELEASE);
  /* Once per batch, not per span: the writer sleeps until a ring holds
  ** wake_at spans, or its interval passes. */
  if( head + 1 - ring->tail_seen == q->wake_at ){
    ring->tail_seen = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    if( head + 1 - ring->tail_seen >= q->wake_at ) tlm_queue_wake(q);
  }
  return 1;
}

/* A written span the producer may reuse for its next begin, or NULL. */
static inline tlm_span *tlm_ring_reuse(tlm_ring *ring){
  if( ring->reuse >= ring->tail_seen ){
    ring->tail_seen = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    if( ring->reuse >= ring->tail_seen ) return NULL;
  }
  return ring->slots[ring->reuse++ & ring->mask];
}

/* Writer side: wait up to interval_ms for work, then take a batch: every
** span the rings hold, and the drop ledger.  *stop when stopping and
** nothing is left.  Returns the batch's size. */
uint64_t tlm_queue_take(tlm_queue *q, unsigned interval_ms,
                        tlm_drop_count **drops, int *drop_count, int *stop);
/* The i-th record of the batch tlm_queue_take handed out. */
static inline const tlm_record *tlm_queue_slot(const tlm_queue *q, uint64_t i){
  return q->batch[i];
}
/* Writer side: the batch is done; its records are freed and their spans
** handed back to their threads for reuse. */
void tlm_queue_finish(tlm_queue *q, uint64_t written, uint64_t failed);
/* Wait until everything queued or dropped before the call is committed. */
void tlm_queue_flush(tlm_queue *q);
void tlm_queue_stop(tlm_queue *q);

/* ------------------------------------------------------------ exporter */

/* Where and how spans are exported over OTLP/HTTP (otlp_config.c reads it
** from tlm_options and the OpenTelemetry variables). */
typedef struct tlm_otlp_config {
  char *url;                     /* NULL: no export */
  int json;                      /* http/json, else http/protobuf */
  char **headers;                /* "Name: value" lines, owned */
  int header_count;
  unsigned timeout_ms;
  int only;                      /* export instead of writing a database */
} tlm_otlp_config;

/* A request body waiting to be delivered, and what it holds. */
typedef struct tlm_export_body tlm_export_body;

/* The delivery thread's state (exporter.c).  The writer encodes each batch
** and hands it over; the exporter's own thread posts it, so a slow or
** absent endpoint never holds up the database or the caller. */
typedef struct tlm_exporter {
  tlm_otlp_config config;
  pthread_mutex_t lock;
  pthread_cond_t has_work;       /* the thread waits here */
  pthread_cond_t idle;           /* flush() waits here */
  tlm_export_body *head, *tail;  /* waiting, oldest first */
  uint64_t buffered_spans;       /* spans in the list, and the bound on it */
  uint64_t capacity_spans;
  int busy;                      /* a body is being posted */
  int stopping, running;
  pthread_t thread;
  uint64_t spans_exported, spans_failed, failed_reported;
} tlm_exporter;

/* otlp_config.c */
int tlm_otlp_config_read(const tlm_options *opts, tlm_otlp_config *out);
void tlm_otlp_config_free(tlm_otlp_config *config);

/* ------------------------------------------------------------ recorder */

struct tlm_recorder {
  char *db_path;
  char *service;
  char *run_label;               /* NULL: none (traces.label stays NULL) */
  double sample_rate;
  uint64_t sample_bound;         /* trace ids below this are sampled */
  unsigned flush_interval_ms;
  tlm_on_full on_full;
  int has_remote;                /* $TRACEPARENT seen at init */
  tlm_context remote;

  tlm_queue queue;
  pthread_mutex_t db_lock;       /* held by the writer while it uses db */
  sqlite3 *db;                   /* the writer's connection */
  pthread_t writer;
  int writer_running;
  int open;                      /* between init and shutdown */

  unsigned retry_ms;             /* how long a transient failure is retried */
  /* The writer's thread only.  A database that stayed full or failing
  ** (I/O) for retry_ms is degraded: its batches fail at once, without
  ** waiting, but for a probe at most once a second (writer.c). */
  int degraded;
  int64_t next_probe_ms;
  uint64_t batches_retried;      /* batches tried more than once: the tests */
  uint64_t probes;               /* ... and tries of a degraded database count them */
  int64_t max_db_bytes;          /* 0: no cap */
  tlm_error_fn on_error;         /* NULL: stderr if log_to_stderr, else silent */
  void *on_error_data;
  int log_to_stderr;             /* $TRACELM_LOG=stderr */

  /* Under queue.lock: */
  char writer_error[256];        /* the writer's latest failure */
  char export_error[256];        /* the exporter's latest failure */
  char last_reported[256];       /* ... and the last one reported, when */
  int64_t last_reported_ms;
  uint64_t failed_reported;      /* spans_failed and spans_dropped as the */
  uint64_t dropped_reported;     /* last flush or shutdown reported them */

  tlm_exporter exporter;         /* exporter.config.url NULL: no export */

  tlm_recorder *next_registered; /* list walked by the fork handlers */
};

/* recorder.c */
extern unsigned tlm_fork_generation;
/* span.c: what tells this thread's rings from other threads' (a fork()
** child keeps only the forking thread's). */
const void *tlm_thread_marker(void);
tlm_recorder *tlm_resolve(tlm_recorder *rec);

/* error.c: the calling thread's last error, and the writer's. */
void tlm_set_error(const char *fmt, ...);
/* The writer's latest failure, "what: sqlite's message": kept for the
** next flush and reported (rate-limited) now.  Takes queue.lock. */
void tlm_note_writer_error(tlm_recorder *rec, const char *what, const char *detail);
/* The exporter's latest failure, kept and reported as the writer's. */
void tlm_note_export_error(tlm_recorder *rec, const char *message);
/* TLM_OK, or TLM_ELOST with tlm_last_error() saying how many spans failed
** or were dropped since it was last asked ("since the last <since>"). */
int tlm_take_losses(tlm_recorder *rec, const char *since);

/* writer.c */
int tlm_writer_open_db(tlm_recorder *rec, sqlite3 **out);
/* Add each count to its trace's row through stmt (?1 the trace's hex id,
** ?2 the count): the writer's dropped spans, the exporter's undelivered
** ones.  SQLITE_OK or the first failure; stops at a passing one (busy,
** full), which the caller rolls back and tries again. */
int tlm_add_trace_counts(sqlite3_stmt *stmt, const tlm_drop_count *counts, int count);
int tlm_writer_start(tlm_recorder *rec);
void tlm_writer_stop(tlm_recorder *rec);
/* A fork() child inherits the queue but not the thread: the first span it
** ends starts a writer of its own (recorder.c cleared writer_running). */
void tlm_writer_start_lazily(tlm_recorder *rec);
static inline void tlm_writer_ensure_running(tlm_recorder *rec){
  if( !__atomic_load_n(&rec->writer_running, __ATOMIC_ACQUIRE) ) tlm_writer_start_lazily(rec);
}

/* exporter.c: all of them do nothing when export is off.  init before the
** writer starts; submit on the writer thread, with a batch still queued;
** flush waits until every submitted body is delivered or failed; stop
** flushes and ends the thread. */
#ifdef TLM_HAVE_OTLP
int tlm_exporter_init(tlm_recorder *rec, uint64_t capacity_spans);
void tlm_exporter_submit(tlm_recorder *rec, uint64_t count);
void tlm_exporter_flush(tlm_recorder *rec);
void tlm_exporter_stop(tlm_recorder *rec);
void tlm_exporter_fork_prepare(tlm_recorder *rec);
void tlm_exporter_fork_parent(tlm_recorder *rec);
void tlm_exporter_fork_child(tlm_recorder *rec);
/* otlp_request.c: the first count records of the writer's batch as one
** ExportTraceServiceRequest in protobuf (malloc'd, *size set), or NULL. */
uint8_t *tlm_otlp_request(const tlm_recorder *rec, uint64_t count, size_t *size);
#else
static inline int tlm_exporter_init(tlm_recorder *rec, uint64_t capacity_spans){
  (void)rec; (void)capacity_spans; return TLM_OK;
}
static inline void tlm_exporter_submit(tlm_recorder *rec, uint64_t count){
  (void)rec; (void)count;
}
static inline void tlm_exporter_flush(tlm_recorder *rec){ (void)rec; }
static inline void tlm_exporter_stop(tlm_recorder *rec){ (void)rec; }
static inline void tlm_exporter_fork_prepare(tlm_recorder *rec){ (void)rec; }
static inline void tlm_exporter_fork_parent(tlm_recorder *rec){ (void)rec; }
static inline void tlm_exporter_fork_child(tlm_recorder *rec){ (void)rec; }
#endif

/* ids.c */
void tlm_new_trace_id(uint8_t out[16]);
uint64_t tlm_new_span_id(void);
uint64_t tlm_sample_bound(double rate);
int tlm_trace_is_sampled(const uint8_t trace_id[16], uint64_t bound);

#endif
