/*
** lanes.c — which row of a timeline each span is drawn on (see lanes.h).
**
** Viewers draw the spans of one thread as a stack and require them to
** nest strictly; two spans on one thread that overlap without nesting
** (async work, explicit parents handed across an event loop) are drawn
** wrongly or dropped.  The seed tool put every span on one thread and hit
** exactly that with parallel work.  Here the spans of each (service,
** thread), sorted by start (longer first on ties), are dealt into lanes: a
** span goes to the first lane whose innermost open span contains it, else
** a new lane.  Each lane is a stack, and a span ended before the current
** start is popped for good.  Finding the first lane that takes a span
** [s, e) is a scan of a thread's first lanes, then a walk down a tree over
** the others: a lane refuses only when its innermost span ends inside
** (s, e), so a subtree whose innermost ends all lie there is skipped whole.
** Dealing is O(spans x log lanes): a thread with ten thousand overlapping
** lanes (parallel work started in a loop) is no longer a scan of every
** lane per span.  export_chrome and
** export_html both draw from this.
*/
#include "lanes.h"
#include "arrays.h"
#include "radix_sort.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

typedef struct tlm_lane_stack {
  int64_t *ends;             /* end times of the open spans, innermost last */
  int32_t height, capacity;
} tlm_lane_stack;

/* What dealing lanes reads of a span, in dealing order, so that loop
** never touches the nodes. */
typedef struct thread_key { int64_t thread, start_ns, end_ns; int32_t pid, node; } thread_key;

/* The nodes' keys by (pid, thread, start, longer first): the graph's start
** order, radix-sorted by thread and then by pid (stable passes, no
** comparisons). */
static int sort_by_thread(const tlm_lanes *l, thread_key **out){
  const tlm_graph *g = l->g;
  tlm_sort_key *order = tlm_array(g->n, sizeof *order);
  thread_key *keys = NULL;
  int rc = order ? SQLITE_OK : SQLITE_NOMEM;
  *out = NULL;
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    int32_t i = g->by_start[k];
    order[k] = (tlm_sort_key){ tlm_sort_signed(g->nodes[i].thread_id), i };
  }
  if( rc == SQLITE_OK ) rc = tlm_radix_sort(order, g->n);
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    order[k].key = (uint64_t)l->pid[order[k].node];
  }
  if( rc == SQLITE_OK ) rc = tlm_radix_sort(order, g->n);
  if( rc == SQLITE_OK && (keys = tlm_array(g->n, sizeof *keys)) == NULL ) rc = SQLITE_NOMEM;
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    int32_t i = order[k].node;
    const tlm_node *n = &g->nodes[i];
    if( k + 8 < g->n ) TLM_PREFETCH(&g->nodes[order[k + 8].node]);
    keys[k] = (thread_key){ n->thread_id, n->start_ns, n->end_ns, l->pid[i], i };
  }
  sqlite3_free(order);
  *out = keys;
  return rc;
}

static int lane_push(tlm_lane_stack *l, int64_t end){
  if( tlm_grow(&l->ends, l->height, &l->capacity, sizeof *l->ends) ) return SQLITE_NOMEM;
  l->ends[l->height++] = end;
  return SQLITE_OK;
}

/* pid by service, in tree order. */
static int assign_pids(tlm_lanes *l){
  const tlm_graph *g = l->g;
  int32_t *pid_of_service = sqlite3_malloc64((uint64_t)(g->string_count + 1) * sizeof(int32_t));
  int32_t next_pid = 1;
  if( pid_of_service == NULL ) return SQLITE_NOMEM;
  l->service_of_pid = sqlite3_malloc64((uint64_t)(g->string_count + 2) * sizeof(int32_t));
  if( l->service_of_pid == NULL ){ sqlite3_free(pid_of_service); return SQLITE_NOMEM; }
  for(int32_t s = 0; s <= g->string_count; s++) pid_of_service[s] = 0;
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k], s = g->nodes[i].service + 1;   /* slot 0: no service */
    if( pid_of_service[s] == 0 ){
      l->service_of_pid[next_pid] = g->nodes[i].service;
      pid_of_service[s] = next_pid++;
    }
    l->pid[i] = pid_of_service[s];
  }
  l->pid_count = next_pid - 1;
  sqlite3_free(pid_of_service);
  return SQLITE_OK;
}

/* A lane refuses [s, e) only when its innermost span ends inside (s, e):
** an end at or before s is stale (popped below), one at or after e
** contains the span.  Read from l->innermost, one array for all lanes, so
** a scan past refusing lanes never touches their stacks. */
static int lane_refuses(int64_t innermost, const thread_key *key){
  return innermost > key->start_ns && innermost < key->end_ns;
}

/* Pop the spans of lane s that ended by key's start; whether the lane then
** takes key (it is empty, or its innermost span contains key). */
static int lane_takes(tlm_lanes *l, int32_t s, const thread_key *key){
  tlm_lane_stack *stack = &l->stacks[s];
  while( stack->height > 0 && stack->ends[stack->height - 1] <= key->start_ns ) stack->height--;
  l->innermost[s] = stack->height ? stack->ends[stack->height - 1] : INT64_MAX;
  return !lane_refuses(l->innermost[s], key);
}

/* A thread's first lanes are scanned in turn: nearly every span lands in
** one of them, and a scan that stops early costs less than keeping a tree.
** Only lanes from SCANNED on are in the tree. */
#define SCANNED 64

/* The innermost end of every lane of the current thread (INT64_MAX: an
** empty lane), with the least and greatest of each subtree: a segment
** tree over lane numbers, leaves from `size` on. */
typedef struct lane_tree {
  int64_t *low, *high;
  int32_t size;              /* leaves, a power of two */
} lane_tree;

static void tree_set(lane_tree *t, int32_t lane, int64_t top){
  int32_t at = t->size + lane;
  t->low[at] = t->high[at] = top;
  for(at /= 2; at >= 1; at /= 2){
    int64_t a = t->low[2 * at], b = t->low[2 * at + 1], c = t->high[2 * at], d = t->high[2 * at + 1];
    t->low[at] = a < b ? a : b;
    t->high[at] = c > d ? c : d;
  }
}

/* Room for lane `need`: the leaves double, the inner nodes are rebuilt. */
static int tree_reserve(lane_tree *t, int32_t need){
  int32_t size = t->size ? t->size : 16;
  if( need < t->size ) return SQLITE_OK;
  while( size <= need ) size *= 2;
  int64_t *low = tlm_array(2 * (int64_t)size, sizeof *low), *high = tlm_array(2 * (int64_t)size, sizeof *high);
  if( !low || !high ){ sqlite3_free(low); sqlite3_free(high); return SQLITE_NOMEM; }
  for(int32_t i = 0; i < size; i++){
    low[size + i] = high[size + i] = i < t->size ? t->low[t->size + i] : INT64_MAX;
  }
  for(int32_t at = size - 1; at >= 1; at--){
    low[at] = low[2 * at] < low[2 * at + 1] ? low[2 * at] : low[2 * at + 1];
    high[at] = high[2 * at] > high[2 * at + 1] ? high[2 * at] : high[2 * at + 1];
  }
  sqlite3_free(t->low);
  sqlite3_free(t->high);
  t->low = low;
  t->high = high;
  t->size = size;
  return SQLITE_OK;
}

/* The first lane in [from, used) under node `at` (lanes [lo, hi)) that may
** take [s, e): its innermost end is not inside (s, e).  An end at or
** before s is stale, to be popped, so that lane must be looked at too.  A
** subtree that passes the test holds such a lane, so this is a walk down
** one path plus the O(log) nodes cut by the range.  -1 when none. */
static int32_t tree_first(const lane_tree *t, int32_t at, int32_t lo, int32_t hi,
                          int32_t from, int32_t used, int64_t s, int64_t e){
  int32_t mid, found;
  if( hi <= from || lo >= used || (t->low[at] > s && t->high[at] < e) ) return -1;
  if( at >= t->size ) return lo;
  mid = lo + (hi - lo) / 2;
  found = tree_first(t, 2 * at, lo, mid, from, used, s, e);
  return found >= 0 ? found : tree_first(t, 2 * at + 1, mid, hi, from, used, s, e);
}

int tlm_lanes_assign(tlm_lanes *l, const tlm_graph *g){
  int32_t lanes_used = 0, thread_row = 0;
  thread_key *keys;
  lane_tree tree = { NULL, NULL, 0 };
  int rc;
  memset(l, 0, sizeof *l);
  l->g = g;
  l->pid = tlm_array(g->n, sizeof *l->pid);
  l->tid = tlm_array(g->n, sizeof *l->tid);
  l->row = tlm_array(g->n, sizeof *l->row);
  l->level = tlm_array(g->n, sizeof *l->level);
  if( !l->pid || !l->tid || !l->row || !l->level ) return SQLITE_NOMEM;
  if( (rc = assign_pids(l)) != SQLITE_OK ) return rc;
  if( sort_by_thread(l, &keys) != SQLITE_OK ) return SQLITE_NOMEM;

  for(int32_t k = 0; k < g->n && rc == SQLITE_OK; k++){
    const thread_key *key = &keys[k];
    int32_t chosen = -1;
    if( k == 0 || key->pid != key[-1].pid || key->thread != key[-1].thread ){
      for(int32_t s = 0; s < lanes_used; s++){                /* a new thread */
        l->stacks[s].height = 0;
        l->innermost[s] = INT64_MAX;
        if( s >= SCANNED ) tree_set(&tree, s - SCANNED, INT64_MAX);
      }
      lanes_used = 0;
      thread_row = l->row_count;
    }
    for(int32_t s = 0; s < lanes_used && s < SCANNED && chosen < 0; s++){
      if( !lane_refuses(l->innermost[s], key) && lane_takes(l, s, key) ) chosen = s;
    }
    for(int32_t t = chosen < 0 ? tree_first(&tree, 1, 0, tree.size, 0, lanes_used - SCANNED, key->start_ns, key->end_ns) : -1;
        t >= 0; t = tree_first(&tree, 1, 0, tree.size, t + 1, lanes_used - SCANNED, key->start_ns, key->end_ns)){
      int taken = lane_takes(l, SCANNED + t, key);
      tree_set(&tree, t, l->innermost[SCANNED + t]);
      if( taken ){
        chosen = SCANNED + t;
        break;
      }
    }
    if( chosen < 0 ){
      if( lanes_used == l->stack_capacity ){
        int32_t old_capacity = l->stack_capacity;
        if( tlm_grow(&l->stacks, lanes_used, &l->stack_capacity, sizeof *l->stacks) ){
          rc = SQLITE_NOMEM;
          break;
        }
        memset(l->stacks + old_capacity, 0, (l->stack_capacity - old_capacity) * sizeof *l->stacks);
        if( tlm_resize(&l->innermost, l->stack_capacity, sizeof *l->innermost) ){
          rc = SQLITE_NOMEM;
          break;
        }
      }
      if( lanes_used >= SCANNED && tree_reserve(&tree, lanes_used - SCANNED) != SQLITE_OK ){
        rc = SQLITE_NOMEM;
        break;
      }
      chosen = lanes_used++;
      if( tlm_grow(&l->rows, l->row_count, &l->row_capacity, sizeof *l->rows) ){
        rc = SQLITE_NOMEM;
        break;
      }
      l->rows[l->row_count++] = (tlm_lane_row){ key->pid, key->thread, chosen };
    }
    l->level[key->node] = l->stacks[chosen].height;
    rc = lane_push(&l->stacks[chosen], key->end_ns);
    l->innermost[chosen] = key->end_ns;
    if( chosen >= SCANNED ) tree_set(&tree, chosen - SCANNED, key->end_ns);   /* its new innermost end */
    l->tid[key->node] = key->thread + chosen * TLM_LANE_TID_STRIDE;
    l->row[key->node] = thread_row + chosen;
  }
  sqlite3_free(keys);
  sqlite3_free(tree.low);
  sqlite3_free(tree.high);
  return rc;
}

void tlm_lanes_free(tlm_lanes *l){
  for(int32_t s = 0; s < l->stack_capacity; s++) sqlite3_free(l->stacks[s].ends);
  sqlite3_free(l->stacks);
  sqlite3_free(l->innermost);
  sqlite3_free(l->rows);
  sqlite3_free(l->service_of_pid);
  sqlite3_free(l->pid);
  sqlite3_free(l->tid);
  sqlite3_free(l->row);
  sqlite3_free(l->level);
  memset(l, 0, sizeof *l);
}
