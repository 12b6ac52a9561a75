/*
** queue.c — the bounded queue between span-ending threads and the writer.
**
** Each recording thread has its own ring per recorder (tlm_ring): it is
** the only producer, the writer the only consumer, so ending a span is a
** pointer store and a release, with no lock and no cache line shared with
** other threads (docs/performance.md has what that bought).
** The lock below is taken only on slow paths: a ring's first use, a full
** ring, a drop, waking the writer once per batch, and by the writer per
** batch.
**
** The writer takes every ring's spans as one batch and works on them in
** place, outside the lock; a ring's tail moves only once the batch is
** committed.  That is what bounds memory (capacity spans per ring) and
** what lets flush() mean "on disk", not "handed over".  Written spans stay
** in their slots for the producer to reuse on its next begin, so the
** steady state allocates nothing.
**
** When a ring is full its producer waits (TLM_FULL_WAIT) or drops the span
** and counts it against its trace (TLM_FULL_DROP); the counts travel to
** the writer with the next batch and land in traces.dropped_spans.
**
** A ring outlives whichever of its thread and its recorder goes first:
** each sets its bit in `gone`, and the second frees it; the writer frees
** a drained ring whose thread has exited.
*/
#include "internal.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t next_instance = 1;

int tlm_queue_init(tlm_queue *q, uint64_t capacity){
  /* A power of two, so a slot is head & mask: the division head % capacity
  ** was measurable on every span end (docs/performance.md). */
  uint64_t rounded = 1;
  while( rounded < capacity ) rounded <<= 1;
  memset(q, 0, sizeof *q);
  q->instance = __atomic_fetch_add(&next_instance, 1, __ATOMIC_RELAXED);
  q->capacity = rounded;
  /* Wake the writer at a quarter full: big transactions, and producers
  ** rarely meet a full ring even in a burst. */
  q->wake_at = rounded / 4 ? rounded / 4 : 1;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->has_work, NULL);
  pthread_cond_init(&q->has_room, NULL);
  pthread_cond_init(&q->progress, NULL);
  return TLM_OK;
}

/* Free a ring nobody will touch again: the records not yet written, then
** every span it holds (written ones waiting for reuse included). */
static void ring_free(tlm_ring *ring){
  for(uint64_t i = ring->tail; i < ring->head; i++){
    tlm_record_free(&ring->slots[i & ring->mask]->r);
  }
  for(uint64_t i = ring->reuse; i < ring->head; i++) free(ring->slots[i & ring->mask]);
  free(ring->slots);
  free(ring);
}

tlm_ring *tlm_queue_ring(tlm_queue *q, const void *owner){
  tlm_ring *ring = calloc(1, sizeof *ring);
  if( ring == NULL ) return NULL;
  ring->slots = malloc(q->capacity * sizeof *ring->slots);
  if( ring->slots == NULL ){ free(ring); return NULL; }
  ring->mask = q->capacity - 1;
  ring->owner = owner;
  pthread_mutex_lock(&q->lock);
  ring->next = q->rings;
  q->rings = ring;
  pthread_mutex_unlock(&q->lock);
  return ring;
}

void tlm_ring_release(tlm_ring *ring){
  if( __atomic_fetch_or(&ring->gone, TLM_RING_THREAD_GONE, __ATOMIC_ACQ_REL) & TLM_RING_QUEUE_GONE ){
    ring_free(ring);
  }
}

void tlm_queue_discard(tlm_queue *q, const void *owner){
  for(tlm_ring *ring = q->rings; ring; ring = ring->next){
    for(uint64_t i = ring->tail; i < ring->head; i++){
      tlm_record_free(&ring->slots[i & ring->mask]->r);
    }
    ring->tail = ring->taken = ring->head;
    /* Only the thread that forked lives on in the child. */
    if( ring->owner != owner ) ring->gone |= TLM_RING_THREAD_GONE;
  }
  q->drop_count = 0;
  q->flush_waiters = 0;
  q->batches_finished = q->batches_taken;
}

void tlm_queue_destroy(tlm_queue *q){
  tlm_ring *ring = q->rings, *next;
  for(; ring; ring = next){
    next = ring->next;
    if( __atomic_fetch_or(&ring->gone, TLM_RING_QUEUE_GONE, __ATOMIC_ACQ_REL) & TLM_RING_THREAD_GONE ){
      ring_free(ring);
    }
  }
  free(q->batch);
  free(q->drops);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->has_work);
  pthread_cond_destroy(&q->has_room);
  pthread_cond_destroy(&q->progress);
  memset(q, 0, sizeof *q);
}

uint64_t tlm_queue_enqueued(tlm_queue *q){
  uint64_t total = q->spans_from_freed_rings;
  for(tlm_ring *ring = q->rings; ring; ring = ring->next){
    total += __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
  }
  return total;
}

/* Called with the lock held. */
static void count_drop(tlm_queue *q, const uint8_t trace_id[16]){
  q->spans_dropped++;
  for(int i = 0; i < q->drop_count; i++){
    if( memcmp(q->drops[i].trace_id, trace_id, 16) == 0 ){
      q->drops[i].count++;
      return;
    }
  }
  if( q->drop_count == q->drop_capacity ){
    int capacity = q->drop_capacity ? q->drop_capacity * 2 : 16;
    tlm_drop_count *grown = realloc(q->drops, capacity * sizeof *grown);
    if( grown == NULL ) return;   /* still counted in spans_dropped */
    q->drops = grown;
    q->drop_capacity = capacity;
  }
  memcpy(q->drops[q->drop_count].trace_id, trace_id, 16);
  q->drops[q->drop_count].count = 1;
  q->drop_count++;
}

void tlm_queue_drop(tlm_queue *q, const tlm_record *r){
  pthread_mutex_lock(&q->lock);
  count_drop(q, r->trace_id);
  pthread_cond_signal(&q->has_work);
  pthread_mutex_unlock(&q->lock);
}

void tlm_queue_wake(tlm_queue *q){
  pthread_mutex_lock(&q->lock);
  pthread_cond_signal(&q->has_work);
  pthread_mutex_unlock(&q->lock);
}

int tlm_queue_push_slow(tlm_queue *q, tlm_ring *ring, tlm_span *span, tlm_on_full on_full){
  int queued = 1;
  pthread_mutex_lock(&q->lock);
  for(;;){
    if( q->stopping ){ queued = 0; break; }
    if( ring->head - ring->reuse <= ring->mask ) break;
    /* Every slot holds a span: the oldest, if written, makes room. */
    ring->tail_seen = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    if( ring->reuse < ring->tail_seen ){
      free(ring->slots[ring->reuse++ & ring->mask]);
      break;
    }
    pthread_cond_signal(&q->has_work);
    if( on_full == TLM_FULL_DROP ){ queued = 0; break; }
    pthread_cond_wait(&q->has_room, &q->lock);
  }
  if( !queued ) count_drop(q, span->r.trace_id);
  pthread_mutex_unlock(&q->lock);
  if( queued ){
    ring->slots[ring->head & ring->mask] = span;
    __atomic_store_n(&ring->head, ring->head + 1, __ATOMIC_RELEASE);
  }
  return queued;
}

static int batch_ready(tlm_queue *q){
  if( q->flush_waiters > 0 || q->drop_count > 0 || q->stopping ) return 1;
  for(tlm_ring *ring = q->rings; ring; ring = ring->next){
    if( __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE) - ring->tail >= q->wake_at ) return 1;
  }
  return 0;
}

/* Called with the lock held: room in the batch for count more records. */
static uint64_t batch_room(tlm_queue *q, uint64_t used, uint64_t count){
  if( used + count > q->batch_capacity ){
    uint64_t capacity = q->batch_capacity ? q->batch_capacity : 1024;
    while( capacity < used + count ) capacity *= 2;
    tlm_record **grown = realloc(q->batch, capacity * sizeof *grown);
    /* Out of memory: take what fits now, the rest next time. */
    if( grown == NULL ) return q->batch_capacity - used;
    q->batch = grown;
    q->batch_capacity = capacity;
  }
  return count;
}

uint64_t tlm_queue_take(tlm_queue *q, unsigned interval_ms,
                        tlm_drop_count **drops, int *drop_count, int *stop){
  uint64_t count = 0;
  pthread_mutex_lock(&q->lock);
  if( !batch_ready(q) ){
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += interval_ms / 1000;
    deadline.tv_nsec += (long)(interval_ms % 1000) * 1000000L;
    if( deadline.tv_nsec >= 1000000000L ){ deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
    while( !batch_ready(q) ){
      if( pthread_cond_timedwait(&q->has_work, &q->lock, &deadline) == ETIMEDOUT ) break;
    }
  }
  for(tlm_ring *ring = q->rings; ring; ring = ring->next){
    uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
    uint64_t n = batch_room(q, count, head - ring->tail);
    for(uint64_t i = ring->tail; i < ring->tail + n; i++){
      q->batch[count++] = &ring->slots[i & ring->mask]->r;
    }
    ring->taken = ring->tail + n;
  }
  /* The ledger moves to the writer whole; a fresh one collects new drops. */
  *drops = q->drops;
  *drop_count = q->drop_count;
  q->drops = NULL;
  q->drop_count = q->drop_capacity = 0;
  q->batches_taken++;
  *stop = q->stopping && count == 0 && *drop_count == 0;
  pthread_mutex_unlock(&q->lock);
  return count;
}

void tlm_queue_finish(tlm_queue *q, uint64_t written, uint64_t failed){
  pthread_mutex_lock(&q->lock);
  for(tlm_ring **link = &q->rings; *link; ){
    tlm_ring *ring = *link;
    for(uint64_t i = ring->tail; i < ring->taken; i++){
      tlm_record_free(&ring->slots[i & ring->mask]->r);
    }
    __atomic_store_n(&ring->tail, ring->taken, __ATOMIC_RELEASE);
    if( (__atomic_load_n(&ring->gone, __ATOMIC_ACQUIRE) & TLM_RING_THREAD_GONE)
     && ring->tail == __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE) ){
      *link = ring->next;
      q->spans_from_freed_rings += ring->head;
      ring_free(ring);
    }else{
      link = &ring->next;
    }
  }
  q->spans_written += written;
  q->spans_failed += failed;
  q->batches_finished++;
  pthread_cond_broadcast(&q->has_room);
  pthread_cond_broadcast(&q->progress);
  pthread_mutex_unlock(&q->lock);
}

void tlm_queue_flush(tlm_queue *q){
  pthread_mutex_lock(&q->lock);
  /* Everything published before this call is in the next batch taken. */
  uint64_t target = q->batches_taken + 1;
  q->flush_waiters++;
  pthread_cond_signal(&q->has_work);
  while( q->batches_finished < target && !q->stopping ){
    pthread_cond_wait(&q->progress, &q->lock);
  }
  q->flush_waiters--;
  pthread_mutex_unlock(&q->lock);
}

void tlm_queue_stop(tlm_queue *q){
  pthread_mutex_lock(&q->lock);
  __atomic_store_n(&q->stopping, 1, __ATOMIC_RELAXED);
  pthread_cond_broadcast(&q->has_work);
  pthread_cond_broadcast(&q->has_room);
  pthread_cond_broadcast(&q->progress);
  pthread_mutex_unlock(&q->lock);
}
