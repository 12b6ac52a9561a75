/*
** error.c — the recorder's error state, and how a failure is heard.
**
** The library never aborts.  A call that fails returns a code and leaves a
** message for tlm_last_error(), per thread, so two threads' failures never
** overwrite each other.  The writer thread's failures (a refused span, a
** full disk) have no caller waiting: each is kept on the recorder for the
** next tlm_flush() to return, and reported as it happens to the
** program's on_error callback, or with $TRACELM_LOG=stderr one line on
** stderr.  Reports are rate-limited: a message is repeated at most every
** REPEAT_AFTER_MS, so a full disk is one line, not one per span.
*/
#include "internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define REPEAT_AFTER_MS 10000

static __thread char tls_error[512];

const char *tlm_last_error(void){ return tls_error; }

void tlm_set_error(const char *fmt, ...){
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tls_error, sizeof tls_error, fmt, ap);
  va_end(ap);
}

/* Say message to on_error (or stderr), unless it was the last one said
** less than REPEAT_AFTER_MS ago. */
static void report(tlm_recorder *rec, const char *message){
  int say;
  pthread_mutex_lock(&rec->queue.lock);
  say = strcmp(message, rec->last_reported) != 0
     || tlm_monotonic_ms() - rec->last_reported_ms >= REPEAT_AFTER_MS;
  if( say ){
    snprintf(rec->last_reported, sizeof rec->last_reported, "%s", message);
    rec->last_reported_ms = tlm_monotonic_ms();
  }
  pthread_mutex_unlock(&rec->queue.lock);
  if( !say ) return;
  if( rec->on_error ) rec->on_error(message, rec->on_error_data);
  else if( rec->log_to_stderr ) fprintf(stderr, "tracelm: %s\n", message);
}

void tlm_note_writer_error(tlm_recorder *rec, const char *what, const char *detail){
  char message[sizeof rec->writer_error];
  if( detail ) snprintf(message, sizeof message, "%s: %s", what, detail);
  else snprintf(message, sizeof message, "%s", what);
  pthread_mutex_lock(&rec->queue.lock);
  memcpy(rec->writer_error, message, sizeof message);
  pthread_mutex_unlock(&rec->queue.lock);
  report(rec, message);
}

void tlm_note_export_error(tlm_recorder *rec, const char *message){
  pthread_mutex_lock(&rec->queue.lock);
  snprintf(rec->export_error, sizeof rec->export_error, "%s", message);
  pthread_mutex_unlock(&rec->queue.lock);
  report(rec, message);
}

/* 196608 as "196,608": the counts in messages are read by people. */
static void with_commas(uint64_t value, char out[32]){
  char digits[24];
  int length = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value), at = 0;
  for(int i = 0; i < length; i++){
    if( i > 0 && (length - i) % 3 == 0 ) out[at++] = ',';
    out[at++] = digits[i];
  }
  out[at] = 0;
}

int tlm_take_losses(tlm_recorder *rec, const char *since){
  uint64_t failed, dropped, unexported = 0;
  char cause[sizeof rec->writer_error], export_cause[sizeof rec->export_error];
  char failed_text[32], dropped_text[32], unexported_text[32];
  char stored[400] = "", exported[400] = "";
  pthread_mutex_lock(&rec->queue.lock);
  failed = rec->queue.spans_failed - rec->failed_reported;
  dropped = rec->queue.spans_dropped - rec->dropped_reported;
  rec->failed_reported = rec->queue.spans_failed;
  rec->dropped_reported = rec->queue.spans_dropped;
  memcpy(cause, rec->writer_error, sizeof cause);
  memcpy(export_cause, rec->export_error, sizeof export_cause);
  pthread_mutex_unlock(&rec->queue.lock);
  if( rec->exporter.config.url ){
    pthread_mutex_lock(&rec->exporter.lock);
    unexported = rec->exporter.spans_failed - rec->exporter.failed_reported;
    rec->exporter.failed_reported = rec->exporter.spans_failed;
    pthread_mutex_unlock(&rec->exporter.lock);
  }
  if( failed == 0 && dropped == 0 && unexported == 0 ) return TLM_OK;
  with_commas(failed, failed_text);
  with_commas(dropped, dropped_text);
  with_commas(unexported, unexported_text);
  if( failed && dropped ){
    snprintf(stored, sizeof stored, "%s; %s spans not stored and %s dropped (queue full)",
             cause[0] ? cause : "writer failed", failed_text, dropped_text);
  }else if( failed ){
    snprintf(stored, sizeof stored, "%s; %s span%s not stored",
             cause[0] ? cause : "writer failed", failed_text, failed == 1 ? "" : "s");
  }else if( dropped ){
    snprintf(stored, sizeof stored, "%s span%s dropped (the queue was full)",
             dropped_text, dropped == 1 ? "" : "s");
  }
  if( unexported ){
    snprintf(exported, sizeof exported, "%s; %s span%s not exported",
             export_cause[0] ? export_cause : "export failed", unexported_text,
             unexported == 1 ? "" : "s");
  }
  tlm_set_error("%s%s%s since the last %s", stored, stored[0] && exported[0] ? "; " : "",
                exported, since);
  return TLM_ELOST;
}
