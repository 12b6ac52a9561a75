/*
** error.c — the recorder's error state.
**
** The library never prints and never aborts.  A call that fails returns a
** code and leaves a message for tlm_last_error(), per thread, so two
** threads' failures never overwrite each other.  The writer thread's
** failures (a refused span, a failed commit) are kept on the recorder,
** under the queue's lock, since no caller is waiting for them.
*/
#include "internal.h"
#include <stdarg.h>
#include <stdio.h>

static __thread char tls_error[512];

const char *tlm_last_error(void){ return tls_error; }

void tlm_set_error(const char *fmt, ...){
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tls_error, sizeof tls_error, fmt, ap);
  va_end(ap);
}

void tlm_note_writer_error(tlm_recorder *rec, const char *what, const char *detail){
  pthread_mutex_lock(&rec->queue.lock);
  if( detail ) snprintf(rec->writer_error, sizeof rec->writer_error, "%s: %s", what, detail);
  else snprintf(rec->writer_error, sizeof rec->writer_error, "%s", what);
  pthread_mutex_unlock(&rec->queue.lock);
}
