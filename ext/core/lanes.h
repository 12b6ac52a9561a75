/*
** lanes.h — the rows a timeline draws a trace on (lanes.c).
**
** One process row group per service (pid 1, 2, ... in tree order), and per
** recording thread one or more lanes: spans that overlap on a thread
** without nesting go to a lane of their own, so that every lane nests
** strictly, as Chrome's viewers and TraceLM's HTML page require.
*/
#ifndef TLM_LANES_H
#define TLM_LANES_H

#include "graph.h"

/* Lane k of a thread is exported as tid = thread + k * TLM_LANE_TID_STRIDE. */
#define TLM_LANE_TID_STRIDE 10000000LL

typedef struct tlm_lane_row { int32_t pid; int64_t thread; int32_t lane; } tlm_lane_row;
typedef struct tlm_lane_stack tlm_lane_stack;

typedef struct tlm_lanes {
  const tlm_graph *g;
  int32_t pid_count;
  int32_t *service_of_pid;   /* pid -> pool index of its service (or -1) */
  tlm_lane_row *rows;        /* every (pid, thread, lane), by pid, thread, lane */
  int32_t row_count, row_capacity;
  int32_t *pid;              /* per node */
  int64_t *tid;              /* per node: thread + lane * TLM_LANE_TID_STRIDE */
  int32_t *row;              /* per node: index into rows */
  int32_t *level;            /* per node: spans open around it in its lane
                                (0: outermost), its depth in a flame chart */
  tlm_lane_stack *stacks;    /* dealing state: per lane, its open spans */
  int64_t *innermost;        /* and the end of its innermost (INT64_MAX: none) */
  int32_t stack_capacity;
} tlm_lanes;

/* Deal every node of g into lanes.  SQLITE_OK or SQLITE_NOMEM; either way
** tlm_lanes_free() releases what was made. */
int tlm_lanes_assign(tlm_lanes *l, const tlm_graph *g);
void tlm_lanes_free(tlm_lanes *l);

#endif
