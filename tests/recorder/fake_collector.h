/*
** fake_collector.h — an OTLP/HTTP endpoint for the exporter's tests that
** answers from a script (503 with Retry-After, 400, a partialSuccess) and
** remembers what it was sent: when, with which headers, how many spans.
** libmicrohttpd on a loopback port the system picks.
*/
#ifndef TLM_FAKE_COLLECTOR_H
#define TLM_FAKE_COLLECTOR_H
#include <stdint.h>

#define FAKE_MAX_REQUESTS 4096

/* One scripted answer; the last one repeats. */
typedef struct fake_answer {
  unsigned status;               /* 200, 503, ... */
  const char *retry_after;       /* NULL: no Retry-After header */
  int64_t rejected;              /* with 200: a partialSuccess of this many */
  unsigned delay_ms;             /* wait before answering */
} fake_answer;

typedef struct fake_collector fake_collector;

fake_collector *fake_collector_start(const fake_answer *script, int count);
unsigned fake_collector_port(const fake_collector *f);
void fake_collector_stop(fake_collector *f);

/* What arrived, in order. */
int fake_collector_requests(fake_collector *f);
int64_t fake_collector_spans(fake_collector *f);        /* in 2xx-answered requests */
int64_t fake_collector_time_ms(fake_collector *f, int i); /* monotonic, request i */
/* The value of header name in the latest request ("" when absent). */
void fake_collector_header(fake_collector *f, const char *name, char *out, int size);
void fake_collector_path(fake_collector *f, char *out, int size);

#endif
