/*
** recorder.c — a recorder's life: options, open, flush, close, fork().
**
** tlm_init() opens the database on the caller's thread, so that a bad path,
** a read-only file or a newer schema is an error code now rather than a
** lost trace later; only then does it hand the connection to the writer.
**
** fork(): the child gets a copy of the queue but no writer thread, and a
** SQLite connection it must not use.  The prepare handler waits until no
** recorder is inside SQLite or the queue (so no lock is copied held); the
** child handler discards the parent's queued spans (the parent writes
** them), forgets the connection without closing it, and lets the first
** span the child ends start a writer with a connection of its own.
*/
#include "internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DB_PATH        "./tracelm.db"
#define DEFAULT_QUEUE_CAPACITY 65536
#define DEFAULT_FLUSH_MS       100
#define DEFAULT_RETRY_MS       30000

unsigned tlm_fork_generation;

static tlm_recorder default_recorder;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static tlm_recorder *registry;       /* every open recorder */
static int handlers_installed;

void tlm_options_init(tlm_options *opts){
  memset(opts, 0, sizeof *opts);
  opts->sample_rate = 1.0;
  opts->queue_capacity = DEFAULT_QUEUE_CAPACITY;
  opts->flush_interval_ms = DEFAULT_FLUSH_MS;
  opts->on_full = TLM_FULL_WAIT;
  opts->retry_ms = DEFAULT_RETRY_MS;
}

/* ------------------------------------------------------------- fork */

static void fork_prepare(void){
  pthread_mutex_lock(&registry_lock);
  for(tlm_recorder *r = registry; r; r = r->next_registered){
    pthread_mutex_lock(&r->db_lock);
    pthread_mutex_lock(&r->queue.lock);
    tlm_exporter_fork_prepare(r);
  }
}

static void fork_parent(void){
  for(tlm_recorder *r = registry; r; r = r->next_registered){
    tlm_exporter_fork_parent(r);
    pthread_mutex_unlock(&r->queue.lock);
    pthread_mutex_unlock(&r->db_lock);
  }
  pthread_mutex_unlock(&registry_lock);
}

static void fork_child(void){
  tlm_fork_generation++;
  for(tlm_recorder *r = registry; r; r = r->next_registered){
    tlm_queue_discard(&r->queue, tlm_thread_marker());
    r->db = NULL;                    /* the parent's; not ours to use or close */
    r->writer_running = 0;
    tlm_exporter_fork_child(r);
    pthread_mutex_unlock(&r->queue.lock);
    pthread_mutex_unlock(&r->db_lock);
  }
  pthread_mutex_unlock(&registry_lock);
}

/* At exit nobody reads a return value: with $TRACELM_LOG=stderr, what was
** lost is said here, so a program that set nothing still hears of it. */
static void say_losses_at_exit(int log_to_stderr, int rc){
  if( rc != TLM_OK && log_to_stderr ) fprintf(stderr, "tracelm: %s\n", tlm_last_error());
}

static void flush_all_at_exit(void){
  int log_to_stderr = default_recorder.log_to_stderr;
  say_losses_at_exit(log_to_stderr, tlm_shutdown());
  pthread_mutex_lock(&registry_lock);
  tlm_recorder *r = registry;
  pthread_mutex_unlock(&registry_lock);
  for(; r; r = r->next_registered) say_losses_at_exit(r->log_to_stderr, tlm_recorder_flush(r));
}

static void register_recorder(tlm_recorder *rec){
  pthread_mutex_lock(&registry_lock);
  if( !handlers_installed ){
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    atexit(flush_all_at_exit);
    handlers_installed = 1;
  }
  rec->next_registered = registry;
  registry = rec;
  pthread_mutex_unlock(&registry_lock);
}

static void unregister_recorder(tlm_recorder *rec){
  pthread_mutex_lock(&registry_lock);
  for(tlm_recorder **p = &registry; *p; p = &(*p)->next_registered){
    if( *p == rec ){ *p = rec->next_registered; break; }
  }
  pthread_mutex_unlock(&registry_lock);
}

/* ------------------------------------------------------- open / close */

static const char *env_or(const char *name, const char *fallback){
  const char *value = getenv(name);
  return value && value[0] ? value : fallback;
}

/* $TRACELM_RETRY_MS, where the program kept the default retry_ms. */
static int read_retry_ms(const tlm_options *opts, unsigned *retry_ms){
  const char *text = getenv("TRACELM_RETRY_MS");
  *retry_ms = opts->retry_ms;
  if( text && text[0] && opts->retry_ms == DEFAULT_RETRY_MS ){
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if( errno || *end || text[0] == '-' || value > 86400000UL ){
      tlm_set_error("TRACELM_RETRY_MS must be a whole number of milliseconds up to 86400000, not '%s'",
                    text);
      return TLM_EINVAL;
    }
    *retry_ms = (unsigned)value;
  }
  return TLM_OK;
}

static int read_sample_rate(const tlm_options *opts, double *rate){
  const char *text = getenv("TRACELM_SAMPLE_RATE");
  *rate = opts->sample_rate;
  /* The environment speaks only where the program kept the default. */
  if( text && text[0] && opts->sample_rate == 1.0 ){
    char *end;
    errno = 0;
    *rate = strtod(text, &end);
    if( errno || *end || !(*rate >= 0.0 && *rate <= 1.0) ){
      tlm_set_error("TRACELM_SAMPLE_RATE must be a number from 0 to 1, not '%s'", text);
      return TLM_EINVAL;
    }
  }
  if( !(*rate >= 0.0 && *rate <= 1.0) ){
    tlm_set_error("sample_rate must be from 0 to 1, not %g", *rate);
    return TLM_EINVAL;
  }
  return TLM_OK;
}

static int recorder_setup(tlm_recorder *rec, const tlm_options *given){
  tlm_options opts;
  const char *traceparent;
  int rc;
  if( given ) opts = *given; else tlm_options_init(&opts);
  if( opts.queue_capacity == 0 ) opts.queue_capacity = DEFAULT_QUEUE_CAPACITY;
  if( opts.flush_interval_ms == 0 ) opts.flush_interval_ms = DEFAULT_FLUSH_MS;
  if( opts.on_full != TLM_FULL_WAIT && opts.on_full != TLM_FULL_DROP ){
    tlm_set_error("on_full must be TLM_FULL_WAIT or TLM_FULL_DROP");
    return TLM_EINVAL;
  }
  memset(rec, 0, sizeof *rec);
  if( (rc = read_sample_rate(&opts, &rec->sample_rate)) != TLM_OK ) return rc;
  rec->sample_bound = tlm_sample_bound(rec->sample_rate);
  rec->flush_interval_ms = opts.flush_interval_ms;
  rec->on_full = opts.on_full;
  if( (rc = read_retry_ms(&opts, &rec->retry_ms)) != TLM_OK ) return rc;
  rec->max_db_bytes = opts.max_db_bytes;
  rec->on_error = opts.on_error;
  rec->on_error_data = opts.on_error_data;
  rec->log_to_stderr = getenv("TRACELM_LOG") && !strcmp(getenv("TRACELM_LOG"), "stderr");
  rec->db_path = strdup(opts.db_path ? opts.db_path : env_or("TRACELM_DB", DEFAULT_DB_PATH));
  rec->service = strdup(opts.service ? opts.service
                        : env_or("TRACELM_SERVICE", env_or("OTEL_SERVICE_NAME",
                                                           program_invocation_short_name)));
  if( rec->db_path == NULL || rec->service == NULL ) goto no_memory;
  {
    const char *label = opts.run_label ? opts.run_label : env_or("TRACELM_RUN_LABEL", NULL);
    if( label && label[0] && (rec->run_label = strdup(label)) == NULL ) goto no_memory;
  }
  traceparent = getenv("TRACEPARENT");
  /* An invalid header is ignored, as the W3C spec asks of a receiver:
  ** the process then starts traces of its own. */
  if( !opts.ignore_env_traceparent && traceparent
   && tlm_traceparent_parse(traceparent, &rec->remote) == TLM_OK ){
    rec->has_remote = 1;
  }
  if( (rc = tlm_otlp_config_read(&opts, &rec->exporter.config)) != TLM_OK ) goto failed;
  if( tlm_queue_init(&rec->queue, opts.queue_capacity) != TLM_OK ) goto no_memory;
  pthread_mutex_init(&rec->db_lock, NULL);
  if( !rec->exporter.config.only && (rc = tlm_writer_open_db(rec, &rec->db)) != TLM_OK ) goto failed;
  tlm_exporter_init(rec, opts.queue_capacity);
  rec->open = 1;
  if( (rc = tlm_writer_start(rec)) != TLM_OK ){
    rec->open = 0;
    sqlite3_close(rec->db);
    goto failed;
  }
  register_recorder(rec);
  return TLM_OK;

no_memory:
  tlm_set_error("out of memory");
  rc = TLM_ENOMEM;
failed:
  if( rec->queue.capacity ){
    tlm_queue_destroy(&rec->queue);
    pthread_mutex_destroy(&rec->db_lock);
  }
  tlm_otlp_config_free(&rec->exporter.config);
  free(rec->db_path);
  free(rec->service);
  free(rec->run_label);
  memset(rec, 0, sizeof *rec);
  return rc;
}

/* Returns what the spans since the last flush came to (tlm_take_losses). */
static int recorder_teardown(tlm_recorder *rec){
  int rc;
  if( !rec->open ) return TLM_OK;
  rec->open = 0;
  unregister_recorder(rec);
  tlm_writer_stop(rec);                 /* writes what is still queued */
  tlm_exporter_stop(rec);               /* ... and delivers it, or gives up */
  rc = tlm_take_losses(rec, "flush");
  tlm_otlp_config_free(&rec->exporter.config);
  tlm_queue_destroy(&rec->queue);
  pthread_mutex_destroy(&rec->db_lock);
  free(rec->db_path);
  free(rec->service);
  free(rec->run_label);
  rec->db_path = rec->service = rec->run_label = NULL;
  return rc;
}

tlm_recorder *tlm_recorder_open(const tlm_options *opts){
  tlm_recorder *rec = malloc(sizeof *rec);
  if( rec == NULL ){
    tlm_set_error("out of memory");
    return NULL;
  }
  if( recorder_setup(rec, opts) != TLM_OK ){
    free(rec);
    return NULL;
  }
  return rec;
}

int tlm_recorder_flush(tlm_recorder *rec){
  rec = tlm_resolve(rec);
  if( rec == NULL || !rec->open ) return TLM_OK;
  if( __atomic_load_n(&rec->writer_running, __ATOMIC_ACQUIRE) ) tlm_queue_flush(&rec->queue);
  tlm_exporter_flush(rec);
  return tlm_take_losses(rec, "flush");
}

int tlm_recorder_close(tlm_recorder *rec){
  int rc;
  if( rec == NULL || rec == &default_recorder ) return TLM_OK;
  rc = recorder_teardown(rec);
  free(rec);
  return rc;
}

void tlm_recorder_stats(tlm_recorder *rec, tlm_stats *out){
  memset(out, 0, sizeof *out);
  rec = tlm_resolve(rec);
  if( rec == NULL || !rec->open ) return;
  pthread_mutex_lock(&rec->queue.lock);
  out->spans_enqueued = tlm_queue_enqueued(&rec->queue);
  out->spans_written = rec->queue.spans_written;
  out->spans_dropped = rec->queue.spans_dropped;
  out->spans_failed = rec->queue.spans_failed;
  pthread_mutex_unlock(&rec->queue.lock);
  if( rec->exporter.config.url ){
    pthread_mutex_lock(&rec->exporter.lock);
    out->spans_exported = rec->exporter.spans_exported;
    out->spans_export_failed = rec->exporter.spans_failed;
    pthread_mutex_unlock(&rec->exporter.lock);
  }
}

/* ------------------------------------------ the process-wide recorder */

int tlm_init(const tlm_options *opts){
  if( default_recorder.open ){
    tlm_set_error("tlm_init: already initialised; call tlm_shutdown() first");
    return TLM_ESTATE;
  }
  return recorder_setup(&default_recorder, opts);
}

int tlm_flush(void){ return tlm_recorder_flush(&default_recorder); }

int tlm_shutdown(void){ return recorder_teardown(&default_recorder); }

tlm_recorder *tlm_default_recorder(void){
  return default_recorder.open ? &default_recorder : NULL;
}

tlm_recorder *tlm_resolve(tlm_recorder *rec){
  return rec ? rec : tlm_default_recorder();
}
