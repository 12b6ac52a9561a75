/*
** propagation.c — carrying a trace across a hop (HTTP, a queue), whatever
** library moves the bytes.
**
** The caller gives two small callbacks, one to read a header and one to
** write one; recorder/integrations/ build curl and libmicrohttpd on top.
** Rules from W3C Trace Context: an invalid traceparent means a new trace,
** and then tracestate is not even read; a valid tracestate is passed on
** unchanged, an invalid one is dropped.
*/
#include "internal.h"
#include <stdlib.h>
#include <string.h>

int tlm_inject(const tlm_span *span, tlm_header_set set, void *carrier){
  char header[TLM_TRACEPARENT_LEN + 1];
  if( span == NULL ) span = tlm_span_current();
  if( span == NULL || set == NULL ) return TLM_EINVAL;
  tlm_span_traceparent(span, header);
  set(carrier, "traceparent", header);
  if( span->r.trace_state ) set(carrier, "tracestate", span->r.trace_state);
  return TLM_OK;
}

tlm_span *tlm_span_begin_extract(tlm_recorder *rec, const char *name,
                                 tlm_header_get get, void *carrier){
  const char *traceparent = get ? get(carrier, "traceparent") : NULL;
  tlm_context ctx;
  tlm_span *span;
  int continued = traceparent && tlm_traceparent_parse(traceparent, &ctx) == TLM_OK;
  span = tlm_span_begin_remote(rec, continued ? traceparent : NULL, name);
  if( span == NULL ) return NULL;
  tlm_span_set_kind(span, TLM_KIND_SERVER);
  if( continued ){
    const char *tracestate = get(carrier, "tracestate");
    if( tracestate && tlm_tracestate_valid(tracestate) ) span->r.trace_state = strdup(tracestate);
  }
  return span;
}
