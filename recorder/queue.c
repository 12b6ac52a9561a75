/*
** queue.c — the bounded queue between span-ending threads and the writer.
**
** A ring of records guarded by one mutex.  Producers copy a record in (a
** few dozen bytes under the lock) and only wake the writer when a batch's
** worth is waiting, so the usual tlm_span_end() takes the lock and leaves.
** The writer works on a batch in place, outside the lock: producers never
** touch slots between tail and head, and tail only moves once the batch is
** committed.  That is what bounds memory (capacity records) and what lets
** flush() mean "on disk", not "handed over".
**
** When the ring is full a producer waits (TLM_FULL_WAIT) or drops the
** record and counts it against its trace (TLM_FULL_DROP); the counts travel
** to the writer with the next batch and land in traces.dropped_spans.
*/
#include "internal.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tlm_queue_init(tlm_queue *q, uint64_t capacity){
  /* A power of two, so a slot is head & mask: the division head % capacity
  ** was measurable on every span end (docs/performance.md). */
  uint64_t rounded = 1;
  while( rounded < capacity ) rounded <<= 1;
  capacity = rounded;
  memset(q, 0, sizeof *q);
  q->slots = calloc(capacity, sizeof *q->slots);
  if( q->slots == NULL ) return TLM_ENOMEM;
  q->capacity = capacity;
  q->mask = capacity - 1;
  /* Wake the writer at a quarter full: big transactions, and producers
  ** rarely meet a full ring even in a burst. */
  q->wake_at = capacity / 4 ? capacity / 4 : 1;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->has_work, NULL);
  pthread_cond_init(&q->has_room, NULL);
  pthread_cond_init(&q->progress, NULL);
  return TLM_OK;
}

void tlm_queue_discard(tlm_queue *q){
  for(uint64_t i = q->tail; i < q->head; i++){
    tlm_record_free(&q->slots[i & q->mask]);
  }
  q->head = q->tail = 0;
  q->drop_count = 0;
  q->writer_busy = 0;
  q->flush_waiters = 0;
  q->drops_taken_seq = q->drops_written_seq = q->drop_seq;
}

void tlm_queue_destroy(tlm_queue *q){
  tlm_queue_discard(q);
  free(q->slots);
  free(q->drops);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->has_work);
  pthread_cond_destroy(&q->has_room);
  pthread_cond_destroy(&q->progress);
  memset(q, 0, sizeof *q);
}

/* Called with the lock held. */
static void count_drop(tlm_queue *q, const uint8_t trace_id[16]){
  q->spans_dropped++;
  q->drop_seq++;
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

int tlm_queue_push(tlm_queue *q, tlm_record *r, tlm_on_full on_full){
  pthread_mutex_lock(&q->lock);
  if( q->stopping ){
    count_drop(q, r->trace_id);
    pthread_mutex_unlock(&q->lock);
    tlm_record_free(r);
    return 0;
  }
  while( q->head - q->tail == q->capacity ){
    if( on_full == TLM_FULL_DROP ){
      count_drop(q, r->trace_id);
      pthread_mutex_unlock(&q->lock);
      tlm_record_free(r);
      return 0;
    }
    pthread_cond_signal(&q->has_work);
    pthread_cond_wait(&q->has_room, &q->lock);
  }
  q->slots[q->head & q->mask] = *r;
  q->head++;
  q->spans_enqueued++;
  if( q->head - q->tail == q->wake_at ) pthread_cond_signal(&q->has_work);
  pthread_mutex_unlock(&q->lock);
  return 1;
}

static int batch_ready(const tlm_queue *q){
  return q->head - q->tail >= q->wake_at || q->flush_waiters > 0
      || q->drop_seq != q->drops_taken_seq || q->stopping;
}

uint64_t tlm_queue_take(tlm_queue *q, unsigned interval_ms, uint64_t *first,
                        tlm_drop_count **drops, int *drop_count,
                        uint64_t *drops_seq, int *stop){
  uint64_t count;
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
  *first = q->tail;
  count = q->head - q->tail;
  /* The ledger moves to the writer whole; a fresh one collects new drops. */
  *drops = NULL;
  *drop_count = 0;
  if( q->drop_count > 0 ){
    *drops = q->drops;
    *drop_count = q->drop_count;
    q->drops = NULL;
    q->drop_count = q->drop_capacity = 0;
  }
  q->drops_taken_seq = q->drop_seq;
  *drops_seq = q->drop_seq;
  q->writer_busy = 1;
  *stop = q->stopping && count == 0 && *drop_count == 0;
  pthread_mutex_unlock(&q->lock);
  return count;
}

void tlm_queue_finish(tlm_queue *q, uint64_t count, uint64_t written,
                      uint64_t failed, uint64_t drops_seq_taken){
  /* Outside the lock: producers never touch slots between tail and head. */
  for(uint64_t i = q->tail; i < q->tail + count; i++){
    tlm_record_free(&q->slots[i & q->mask]);
  }
  pthread_mutex_lock(&q->lock);
  q->tail += count;
  q->spans_written += written;
  q->spans_failed += failed;
  q->drops_written_seq = drops_seq_taken;
  q->writer_busy = 0;
  pthread_cond_broadcast(&q->has_room);
  pthread_cond_broadcast(&q->progress);
  pthread_mutex_unlock(&q->lock);
}

void tlm_queue_flush(tlm_queue *q){
  pthread_mutex_lock(&q->lock);
  uint64_t target = q->head;
  uint64_t drops_target = q->drop_seq;
  q->flush_waiters++;
  pthread_cond_signal(&q->has_work);
  while( (q->tail < target || q->drops_written_seq < drops_target) && !q->stopping ){
    pthread_cond_wait(&q->progress, &q->lock);
  }
  q->flush_waiters--;
  pthread_mutex_unlock(&q->lock);
}

void tlm_queue_stop(tlm_queue *q){
  pthread_mutex_lock(&q->lock);
  q->stopping = 1;
  pthread_cond_broadcast(&q->has_work);
  pthread_cond_broadcast(&q->has_room);
  pthread_cond_broadcast(&q->progress);
  pthread_mutex_unlock(&q->lock);
}
