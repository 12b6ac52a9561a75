/*
** span.c — spans on the caller's thread: begin, annotate, end.
**
** This is the hot path; it does no I/O and takes no lock: an ended span
** goes to this thread's ring (queue.c) as a pointer, and its memory comes
** back from the ring for a later begin once the writer is done with it.
** Each thread keeps a stack of its open spans so that tlm_span_begin()
** finds its parent and tlm_record_*() finds "the current span".  Ending removes the span wherever it sits in the stack, so ending
** out of order never leaves a dangling pointer behind.
**
** An unsampled span still gets ids, because its context must propagate
** (a downstream service has to learn "not sampled"), but it reads no clock,
** keeps no attribute and is never queued.
*/
#include "internal.h"
#include "../common/hexid.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Spans freed by this thread, kept for its next begin: malloc and free
** of a span were a large part of a begin+end pair on the caller. */
#define SPAN_CACHE 16

/* A thread's ring for one recorder, found by the queue's instance, which
** no other queue ever has (the default recorder reuses its address). */
typedef struct ring_entry { uint64_t instance; tlm_ring *ring; } ring_entry;

typedef struct thread_state {
  tlm_span **stack;
  int depth, capacity;
  int64_t thread_id;
  tlm_span *cache[SPAN_CACHE];
  int cached;
  uint64_t ring_instance;        /* the last ring used, and its queue */
  tlm_ring *ring;
  ring_entry *rings;             /* every ring this thread has */
  int ring_count, ring_capacity;
  int registered;                /* thread_state_free runs at exit */
} thread_state;

static TLM_THREAD_LOCAL thread_state tls;
static pthread_key_t tls_key;
static pthread_once_t tls_key_once = PTHREAD_ONCE_INIT;

static void thread_state_free(void *unused){
  (void)unused;
  free(tls.stack);
  tls.stack = NULL;
  tls.depth = tls.capacity = 0;
  while( tls.cached > 0 ) free(tls.cache[--tls.cached]);
  for(int i = 0; i < tls.ring_count; i++) tlm_ring_release(tls.rings[i].ring);
  free(tls.rings);
  tls.rings = NULL;
  tls.ring = NULL;
  tls.ring_count = tls.ring_capacity = 0;
  tls.ring_instance = 0;
  tls.registered = 0;
}

static void make_tls_key(void){ pthread_key_create(&tls_key, thread_state_free); }

/* Free this thread's state when it exits (the value only has to be set). */
static void register_thread(void){
  if( tls.registered ) return;
  pthread_once(&tls_key_once, make_tls_key);
  pthread_setspecific(tls_key, &tls);
  tls.registered = 1;
}

/* Spans come back with their record zeroed: the writer's tlm_record_free
** clears what it frees, and so does every path into the cache. */
static tlm_span *span_alloc(tlm_recorder *rec){
  tlm_span *span;
  if( tls.cached > 0 ) return tls.cache[--tls.cached];
  if( tls.ring_instance == rec->queue.instance && (span = tlm_ring_reuse(tls.ring)) != NULL ){
    return span;
  }
  return calloc(1, sizeof(tlm_span));
}

/* Cache only on a thread whose exit frees the cache. */
static void span_release(tlm_span *span){
  if( tls.registered && tls.cached < SPAN_CACHE ) tls.cache[tls.cached++] = span;
  else free(span);
}

/* The calling thread's ring for rec, made on first use; NULL when out of
** memory.  Rings of closed recorders are let go on the way. */
static tlm_ring *thread_ring_slow(tlm_recorder *rec){
  tlm_ring *ring = NULL;
  int kept = 0;
  for(int i = 0; i < tls.ring_count; i++){
    ring_entry e = tls.rings[i];
    if( e.instance == rec->queue.instance ) ring = e.ring;
    if( __atomic_load_n(&e.ring->gone, __ATOMIC_ACQUIRE) & TLM_RING_QUEUE_GONE ){
      tlm_ring_release(e.ring);
    }else{
      tls.rings[kept++] = e;
    }
  }
  tls.ring_count = kept;
  if( ring == NULL ){
    if( tls.ring_count == tls.ring_capacity ){
      int capacity = tls.ring_capacity ? tls.ring_capacity * 2 : 4;
      ring_entry *grown = realloc(tls.rings, capacity * sizeof *grown);
      if( grown == NULL ) return NULL;
      tls.rings = grown;
      tls.ring_capacity = capacity;
    }
    register_thread();
    if( (ring = tlm_queue_ring(&rec->queue, &tls)) == NULL ) return NULL;
    tls.rings[tls.ring_count++] = (ring_entry){ rec->queue.instance, ring };
  }
  tls.ring = ring;
  tls.ring_instance = rec->queue.instance;
  return ring;
}

const void *tlm_thread_marker(void){ return &tls; }

static tlm_ring *thread_ring(tlm_recorder *rec){
  return tls.ring_instance == rec->queue.instance ? tls.ring : thread_ring_slow(rec);
}

static int stack_push(tlm_span *span){
  if( tls.depth == tls.capacity ){
    int capacity = tls.capacity ? tls.capacity * 2 : 16;
    tlm_span **grown = realloc(tls.stack, capacity * sizeof *grown);
    if( grown == NULL ) return TLM_ENOMEM;
    register_thread();
    tls.stack = grown;
    tls.capacity = capacity;
  }
  tls.stack[tls.depth++] = span;
  return TLM_OK;
}

static void stack_remove(tlm_span *span){
  if( tls.depth > 0 && tls.stack[tls.depth - 1] == span ){   /* the usual case */
    tls.depth--;
    return;
  }
  for(int i = tls.depth - 1; i >= 0; i--){
    if( tls.stack[i] == span ){
      memmove(&tls.stack[i], &tls.stack[i + 1], (tls.depth - i - 1) * sizeof *tls.stack);
      tls.depth--;
      return;
    }
  }
}

static int64_t now_ns(void){
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t current_thread_id(void){
  if( tls.thread_id == 0 ) tls.thread_id = (int64_t)syscall(SYS_gettid);
  return tls.thread_id;
}

static char *copy_string(const char *s){
  return s ? strdup(s) : NULL;
}

/* The common body of every begin: parent context in, span out. */
static tlm_span *span_create(tlm_recorder *rec, const char *name, const uint8_t *trace_id,
                             uint64_t parent_id, int sampled, int remote_parent){
  tlm_span *span = span_alloc(rec);
  if( span == NULL ) return NULL;
  span->rec = rec;
  span->first_chunk = 0;
  span->fork_generation = tlm_fork_generation;
  if( trace_id ){
    memcpy(span->r.trace_id, trace_id, 16);
    span->sampled = (uint8_t)sampled;
  }else{
    tlm_new_trace_id(span->r.trace_id);
    span->sampled = (uint8_t)tlm_trace_is_sampled(span->r.trace_id, rec->sample_bound);
  }
  span->r.span_id = tlm_new_span_id();
  span->r.parent_id = parent_id;
  span->r.kind = TLM_KIND_INTERNAL;
  span->r.flags = (uint16_t)(span->sampled | TLM_FLAG_HAS_IS_REMOTE
                             | (remote_parent ? TLM_FLAG_PARENT_IS_REMOTE : 0));
  if( tlm_record_set_name(&span->r, name ? name : "") != TLM_OK ){
    tlm_record_free(&span->r);
    span_release(span);
    return NULL;
  }
  if( span->sampled ){
    span->r.thread_id = current_thread_id();
    span->r.start_ns = now_ns();
  }
  if( stack_push(span) != TLM_OK ){
    tlm_record_free(&span->r);
    span_release(span);
    return NULL;
  }
  return span;
}

static tlm_span *begin_under(tlm_recorder *rec, tlm_span *parent, const char *name){
  if( rec == NULL || !rec->open ) return NULL;
  if( parent ){
    tlm_span *span = span_create(rec, name, parent->r.trace_id, parent->r.span_id,
                                 parent->sampled, 0);
    /* tracestate travels with the trace: every local descendant carries it. */
    if( span && parent->r.trace_state ) span->r.trace_state = strdup(parent->r.trace_state);
    return span;
  }
  if( rec->has_remote ){
    return span_create(rec, name, rec->remote.trace_id,
                       tlm_span_id_from_bytes(rec->remote.span_id),
                       rec->remote.flags & 1, 1);
  }
  return span_create(rec, name, NULL, 0, 0, 0);
}

tlm_span *tlm_recorder_span_begin(tlm_recorder *rec, const char *name){
  tlm_span *parent = tls.depth ? tls.stack[tls.depth - 1] : NULL;
  /* A current span of another recorder is no parent here. */
  if( parent && parent->rec != rec ) parent = NULL;
  return begin_under(rec, parent, name);
}

tlm_span *tlm_span_begin(const char *name){
  return tlm_recorder_span_begin(tlm_default_recorder(), name);
}

tlm_span *tlm_span_begin_child(tlm_span *parent, const char *name){
  return begin_under(parent ? parent->rec : tlm_default_recorder(), parent, name);
}

tlm_span *tlm_span_begin_remote(tlm_recorder *rec, const char *traceparent,
                                const char *name){
  tlm_context ctx;
  rec = tlm_resolve(rec);
  if( rec == NULL || !rec->open ) return NULL;
  if( traceparent && tlm_traceparent_parse(traceparent, &ctx) == TLM_OK ){
    return span_create(rec, name, ctx.trace_id,
                       tlm_span_id_from_bytes(ctx.span_id), ctx.flags & 1, 1);
  }
  return span_create(rec, name, NULL, 0, 0, 0);
}

void tlm_span_end(tlm_span *span){
  if( span == NULL ) return;
  stack_remove(span);
  if( span->sampled && span->fork_generation == tlm_fork_generation ){
    tlm_recorder *rec = span->rec;
    tlm_ring *ring = thread_ring(rec);
    span->r.end_ns = now_ns();
    tlm_writer_ensure_running(rec);
    if( ring && tlm_queue_push(&rec->queue, ring, span, rec->on_full) ) return;   /* the queue owns it */
    if( ring == NULL ) tlm_queue_drop(&rec->queue, &span->r);
  }
  /* Unsampled, dropped, or begun by the parent before fork(): the parent writes it. */
  tlm_record_free(&span->r);
  span_release(span);
}

void tlm_span_end_scope(tlm_span **span){
  tlm_span_end(*span);
}

tlm_span *tlm_span_current(void){
  return tls.depth ? tls.stack[tls.depth - 1] : NULL;
}

/* ------------------------------------------------------------ setters */

static int recording(const tlm_span *span){ return span && span->sampled; }

void tlm_span_set_name(tlm_span *span, const char *name){
  if( recording(span) && name ) tlm_record_set_name(&span->r, name);
}

void tlm_span_add_tokens(tlm_span *span, int64_t tokens_in, int64_t tokens_out){
  if( !recording(span) ) return;
  span->r.tokens_in += tokens_in;
  span->r.tokens_out += tokens_out;
}

void tlm_span_add_cost(tlm_span *span, double usd){
  if( recording(span) ) span->r.cost += usd;
}

static void replace_string(char **slot, const char *value){
  char *copy = copy_string(value);
  if( value && copy == NULL ) return;   /* out of memory: keep the old value */
  free(*slot);
  *slot = copy;
}

void tlm_span_set_model(tlm_span *span, const char *model){
  if( recording(span) ) replace_string(&span->r.model, model);
}

void tlm_span_set_kind(tlm_span *span, tlm_span_kind kind){
  if( span && kind >= TLM_KIND_INTERNAL && kind <= TLM_KIND_CONSUMER ){
    span->r.kind = (uint8_t)kind;
  }
}

void tlm_span_set_ok(tlm_span *span){
  if( recording(span) ) span->r.status = TLM_STATUS_OK;
}

void tlm_span_set_error(tlm_span *span, const char *message){
  if( !recording(span) ) return;
  span->r.status = TLM_STATUS_ERROR;
  replace_string(&span->r.status_message, message);
}

static tlm_attr *new_attr(tlm_span *span, const char *key, tlm_attr_type type){
  if( !recording(span) || key == NULL ) return NULL;
  return tlm_record_add_attr(&span->r, key, type);
}

void tlm_span_set_str(tlm_span *span, const char *key, const char *value){
  char *copy = copy_string(value ? value : "");
  tlm_attr *a = copy ? new_attr(span, key, TLM_ATTR_STR) : NULL;
  if( a ) a->value.s = copy; else free(copy);
}

void tlm_span_set_int(tlm_span *span, const char *key, int64_t value){
  tlm_attr *a = new_attr(span, key, TLM_ATTR_INT);
  if( a ) a->value.i = value;
}

void tlm_span_set_double(tlm_span *span, const char *key, double value){
  tlm_attr *a = new_attr(span, key, TLM_ATTR_DOUBLE);
  if( a ) a->value.d = value;
}

void tlm_span_set_bool(tlm_span *span, const char *key, int value){
  tlm_attr *a = new_attr(span, key, TLM_ATTR_BOOL);
  if( a ) a->value.i = value != 0;
}

int tlm_span_add_event(tlm_span *span, const char *name, const char *attrs_json){
  cJSON *attrs = NULL;
  if( span == NULL || name == NULL ) return TLM_EINVAL;
  /* Checked now, on the caller's thread: a malformed object is the
  ** caller's to hear about, not the writer's to store. */
  if( attrs_json && (!(attrs = cJSON_ParseWithOpts(attrs_json, NULL, 1)) || !cJSON_IsObject(attrs)) ){
    cJSON_Delete(attrs);
    return TLM_EINVAL;
  }
  cJSON_Delete(attrs);
  if( !recording(span) ) return TLM_OK;
  return tlm_record_add_event(&span->r, now_ns(), name, attrs_json);
}

int tlm_span_score(tlm_span *span, const char *name, double value, const char *label,
                   const char *explanation){
  cJSON *attrs;
  char *text;
  int rc;
  if( span == NULL || name == NULL ) return TLM_EINVAL;
  if( (attrs = cJSON_CreateObject()) == NULL ) return TLM_ENOMEM;
  cJSON_AddStringToObject(attrs, "gen_ai.evaluation.name", name);
  cJSON_AddNumberToObject(attrs, "gen_ai.evaluation.score.value", value);
  if( label ) cJSON_AddStringToObject(attrs, "gen_ai.evaluation.score.label", label);
  if( explanation ) cJSON_AddStringToObject(attrs, "gen_ai.evaluation.explanation", explanation);
  text = cJSON_PrintUnformatted(attrs);
  cJSON_Delete(attrs);
  if( text == NULL ) return TLM_ENOMEM;
  rc = tlm_span_add_event(span, "gen_ai.evaluation.result", text);
  cJSON_free(text);
  return rc;
}

void tlm_record_tokens(int64_t tokens_in, int64_t tokens_out){
  tlm_span_add_tokens(tlm_span_current(), tokens_in, tokens_out);
}
void tlm_record_cost(double usd){ tlm_span_add_cost(tlm_span_current(), usd); }
void tlm_record_model(const char *model){ tlm_span_set_model(tlm_span_current(), model); }
void tlm_record_error(const char *message){ tlm_span_set_error(tlm_span_current(), message); }

/* --------------------------------------------------------- identities */

int tlm_span_is_sampled(const tlm_span *span){ return span ? span->sampled : 0; }

const char *tlm_span_tracestate(const tlm_span *span){ return span ? span->r.trace_state : NULL; }

void tlm_span_trace_id(const tlm_span *span, char out[33]){
  if( span ) tlm_hex_encode(span->r.trace_id, 16, out); else out[0] = 0;
}

void tlm_span_id(const tlm_span *span, char out[17]){
  if( span ) tlm_span_id_to_hex(span->r.span_id, out); else out[0] = 0;
}

int tlm_span_traceparent(const tlm_span *span, char out[TLM_TRACEPARENT_LEN + 1]){
  tlm_context ctx;
  if( span == NULL ){
    out[0] = 0;
    return TLM_EINVAL;
  }
  memcpy(ctx.trace_id, span->r.trace_id, 16);
  for(int i = 7; i >= 0; i--) ctx.span_id[7 - i] = (uint8_t)(span->r.span_id >> (8 * i));
  ctx.flags = span->sampled;
  tlm_traceparent_format(&ctx, out);
  return TLM_OK;
}
