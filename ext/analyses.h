/*
** analyses.h — the algorithms more than one SQL function uses.
**
** critical_path() and trace_summary() share the critical path;
** trace_anomalies() and the summary share the anomalies; span_histogram()
** and the summary share the buckets; trace_tree, span_stats and the
** exports share self time.  Each lives in the file of the function it is
** named after (self time, which has none, in core/self_time.c).
*/
#ifndef TLM_ANALYSES_H
#define TLM_ANALYSES_H

#include "graph.h"

/* Self time of every node: its duration minus the union of its children's
** intervals clipped to it.  An array of g->n, sqlite3_free() it. */
int64_t *tlm_graph_self_ns(const tlm_graph *g);

/* The p-th percentile of n sorted values by nearest rank: the
** ceil(p/100 * n)-th smallest, so it is always a value that occurred.
** span_stats and compare_runs report percentiles this way. */
static inline int64_t tlm_nearest_rank(const int64_t *sorted, int64_t n, int percent){
  int64_t rank = (n * percent + 99) / 100;
  return sorted[rank > 0 ? rank - 1 : 0];
}

typedef struct tlm_segment {
  int32_t node;
  int64_t start_ns, end_ns;
} tlm_segment;
/* The critical path of the root, in time order; sqlite3_free(*out). */
int tlm_critical_path(const tlm_graph *g, tlm_segment **out, int32_t *count);

typedef struct tlm_anomaly {
  int32_t node;
  const char *kind;
  char *detail;             /* sqlite3_malloc'd */
} tlm_anomaly;
/* db: where to look for an error span's exception event (NULL: don't). */
int tlm_find_anomalies(tlm_ext *ext, const tlm_graph *g, tlm_anomaly **out, int32_t *count);
void tlm_free_anomalies(tlm_anomaly *a, int32_t count);

typedef struct tlm_bucket {
  char label[48];
  double lower_ms, upper_ms;   /* upper_ms < 0: no upper bound */
  int64_t count;
} tlm_bucket;
#define TLM_MAX_BUCKETS 65
/* bounds_json NULL: the default bounds.  Returns the bucket count, or -1
** with *errmsg set. */
int tlm_histogram(const tlm_graph *g, const char *bounds_json, tlm_bucket *out,
                  char **errmsg);

/* trace_summary() over a set of traces (trace_summary_set.c): the
** result set when argv[0] names a set (NULL, a query, a run label) or
** argc > 1, and 1; 0 when it names one trace, which the caller reports. */
int tlm_trace_summary_of_set(sqlite3_context *ctx, int argc, sqlite3_value **argv);

#endif
