/*
** ids.c — random trace and span ids, and the head sampling decision.
**
** Ids come from xoshiro256** with one state per thread, seeded from
** getrandom(): no lock, no system call per id.  A fork() child would
** otherwise repeat its parent's sequence, so the state remembers the fork
** generation it was seeded in and reseeds after a fork.
**
** A new trace id starts with the time: its first two bytes count 16 ms
** steps (wrapping every 17 minutes), the other 14 bytes are random.  Every
** index keyed by trace id (spans, traces, facts_dirty) then takes a
** batch's new traces on a few neighbouring pages, instead of on random
** pages all over it: a program that makes a trace a request stores its
** spans at about twice the rate (docs/performance.md).  Two bytes, not a
** whole timestamp: the first eight hex digits a user types to name a
** trace still tell apart any two made 16 ms apart, and hold 16 random
** bits besides.  The right-most 7 bytes stay random, as W3C Trace Context
** level 2's random flag asks.
**
** Sampling follows OpenTelemetry's TraceIdRatioBased: the last 8 bytes of
** the trace id, read as a 63-bit number, are compared with rate * 2^63.  The
** decision is a function of the trace id alone, so every process that sees
** the trace decides alike.
*/
#include "internal.h"
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

typedef struct rng_state {
  uint64_t s[4];
  unsigned fork_generation;
  int seeded;
} rng_state;

static TLM_THREAD_LOCAL rng_state tls_rng;

static uint64_t rotl(uint64_t x, int k){ return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *x){
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void rng_seed(rng_state *st){
  uint64_t seed[4];
  if( getrandom(seed, sizeof seed, 0) != (ssize_t)sizeof seed ){
    /* No entropy source (very early boot, seccomp): mix what differs
    ** between threads and processes; ids stay unique in practice. */
    struct timespec ts;
    uint64_t x;
    clock_gettime(CLOCK_REALTIME, &ts);
    x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30)
      ^ ((uint64_t)getpid() << 17) ^ (uint64_t)(uintptr_t)st;
    for(int i = 0; i < 4; i++) seed[i] = splitmix64(&x);
  }
  memcpy(st->s, seed, sizeof seed);
  if( (st->s[0] | st->s[1] | st->s[2] | st->s[3]) == 0 ) st->s[0] = 1;
  st->fork_generation = tlm_fork_generation;
  st->seeded = 1;
}

static uint64_t rng_next(void){
  rng_state *st = &tls_rng;
  if( !st->seeded || st->fork_generation != tlm_fork_generation ) rng_seed(st);
  uint64_t *s = st->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t; s[3] = rotl(s[3], 45);
  return result;
}

static void put_u64(uint8_t *out, uint64_t v){
  for(int i = 7; i >= 0; i--){ out[i] = (uint8_t)v; v >>= 8; }
}

void tlm_new_trace_id(uint8_t out[16]){
  struct timespec ts;
  uint64_t hi, lo, step;
  clock_gettime(CLOCK_REALTIME, &ts);
  step = ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000) >> 4;
  do{ hi = rng_next(); lo = rng_next(); }while( lo == 0 );   /* never the all-zero id */
  put_u64(out, (hi >> 16) | ((step & 0xffff) << 48));
  put_u64(out + 8, lo);
}

uint64_t tlm_new_span_id(void){
  uint64_t id;
  do{ id = rng_next(); }while( id == 0 );
  return id;
}

uint64_t tlm_sample_bound(double rate){
  if( !(rate > 0.0) ) return 0;
  if( rate >= 1.0 ) return UINT64_MAX;
  return (uint64_t)(rate * 9223372036854775808.0);   /* rate * 2^63 */
}

int tlm_trace_is_sampled(const uint8_t trace_id[16], uint64_t bound){
  uint64_t low = 0;
  if( bound == UINT64_MAX ) return 1;
  for(int i = 8; i < 16; i++) low = low << 8 | trace_id[i];
  return (low & 0x7fffffffffffffffull) < bound;
}
