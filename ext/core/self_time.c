/*
** self_time.c — how long each span worked on its own.
**
** Self time is a span's duration minus the union of its children's
** intervals, clipped to the span: parallel children overlap, and the
** seed tool's "duration minus the sum of children" went negative on them.
*/
#include "analyses.h"
#include "arrays.h"
#include <stddef.h>
SQLITE_EXTENSION_INIT3

int64_t *tlm_graph_self_ns(const tlm_graph *g){
  int64_t *self = tlm_array(g->n, sizeof *self);
  if( self == NULL ) return NULL;
  for(int32_t i = 0; i < g->n; i++){
    const tlm_node *p = &g->nodes[i];
    int64_t covered = 0, run_start = 0, run_end = INT64_MIN;
    /* Children come in start order: one sweep merges their intervals. */
    for(int32_t c = 0; c < g->child_count[i]; c++){
      const tlm_node *child = &g->nodes[g->children[g->child_start[i] + c]];
      int64_t lo = child->start_ns > p->start_ns ? child->start_ns : p->start_ns;
      int64_t hi = child->end_ns < p->end_ns ? child->end_ns : p->end_ns;
      if( hi <= lo ) continue;
      if( lo > run_end ){
        if( run_end > run_start ) covered += run_end - run_start;
        run_start = lo;
        run_end = hi;
      }else if( hi > run_end ){
        run_end = hi;
      }
    }
    if( run_end > run_start ) covered += run_end - run_start;
    self[i] = tlm_duration(p) - covered;
  }
  return self;
}
