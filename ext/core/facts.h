/*
** facts.h — per-span facts for questions over many traces (facts.c).
**
** What a span's trace graph tells about it (path, self time, time on the
** critical path, priced cost), computed once per trace and stored in
** span_facts (sql/facts.sql), so span_stats(NULL), span_stats over a set
** and compare_runs read rows instead of loading a graph per trace.  A
** trace marked in facts_dirty is rebuilt when a reader opens the facts; a
** reader that cannot write computes it in memory instead, the same way.
*/
#ifndef TLM_FACTS_H
#define TLM_FACTS_H

#include "graph.h"

/* One span's facts.  path and the string ids are the reader's (below). */
typedef struct tlm_fact {
  int64_t span_rowid, start_ns, duration_ns, self_ns, critical_ns;
  int64_t tokens_in, tokens_out, cache_read_tokens, cache_creation_tokens, reasoning_tokens;
  int64_t ttft_ns;          /* an LLM call's time to first chunk; -1: none */
  double cost;
  int32_t path;             /* tlm_facts_path_name() and the rest */
  int32_t model, service;   /* tlm_facts_string(), -1 for NULL */
  uint8_t error;
  uint8_t cost_kind;        /* 0 none, 1 recorded, 2 price_table, 3 unknown_model */
} tlm_fact;

/* One trace's totals. */
typedef struct tlm_trace_fact {
  char trace_id[33];
  int64_t start_ns, end_ns, spans, tokens_in, tokens_out, errors;
  double cost;
} tlm_trace_fact;

typedef struct tlm_facts tlm_facts;

/* What a reader reads besides path, duration, self time, error, tokens
** and cost; what it does not ask for reads from stored facts as the
** trace's start (start_ns), -1 (model, service) or 0 (the rest).  Facts
** computed in memory have everything. */
#define TLM_FACTS_MODEL    0x01u
#define TLM_FACTS_SERVICE  0x02u
#define TLM_FACTS_DETAIL   0x04u   /* span_rowid, token buckets, cost_kind */
#define TLM_FACTS_START    0x08u   /* each span's own start */
#define TLM_FACTS_CRITICAL 0x10u
#define TLM_FACTS_TTFT     0x20u   /* ttft_ns */
#define TLM_FACTS_ALL      0x3fu
/* Only the traces' totals: each() gets spans NULL and count the trace's
** span count; a stored trace reads no span_facts row (a marked one is
** still computed from its graph). */
#define TLM_FACTS_TOTALS   0x40u

/* Make the facts current where the connection can write (builds at most
** limit marked traces when limit >= 0, all when -1), then open them for
** reading what want says.  SQLITE_OK, or a code with *errmsg "fn: why".
** Close with tlm_facts_close(). */
int tlm_facts_open(tlm_ext *ext, const char *fn, int64_t limit, unsigned want,
                   tlm_facts **out, char **errmsg);
void tlm_facts_close(tlm_facts *f);

/* Only build: at most limit marked traces (-1: all) in one transaction
** of the caller's (a savepoint), reporting why when it cannot write. */
int tlm_facts_update(tlm_ext *ext, const char *fn, int64_t limit, int64_t *built, char **errmsg);

/* A trace's facts, in depth-first order (children by start time). */
typedef int (*tlm_facts_fn)(void *arg, const tlm_trace_fact *trace,
                            const tlm_fact *spans, int32_t count);

/* Every trace whose start lies in [since, until), in start order. */
int tlm_facts_each_trace_in(tlm_facts *f, int64_t since, int64_t until,
                            tlm_facts_fn each, void *arg, char **errmsg);
/* The traces a set argument names: NULL every trace in [since, until)
** (the others are the caller's to filter), a read-only query of trace
** ids or a run label (trace_set.h).  Opens *out with want for them and
** visits each.  SQLITE_OK with *out NULL when the argument is none of
** these: the caller takes it as one trace. */
int tlm_facts_each_in_set(tlm_ext *ext, const char *fn, sqlite3_value *set, unsigned want,
                          int64_t since, int64_t until, tlm_facts **out,
                          tlm_facts_fn each, void *arg, char **errmsg);
/* One trace by its 32-digit id; a trace with no spans calls nothing. */
int tlm_facts_of_trace(tlm_facts *f, const char *trace_id, tlm_facts_fn each, void *arg,
                       char **errmsg);

/* A path's names from the root, 'rag/llm': sqlite3_free() it; NULL when
** out of memory. */
char *tlm_facts_path(const tlm_facts *f, int32_t path);
/* What the ids in a tlm_fact stand for, valid until tlm_facts_close(). */
const char *tlm_facts_path_name(const tlm_facts *f, int32_t path);   /* 'llm' */
const char *tlm_facts_string(const tlm_facts *f, int32_t id);        /* NULL for -1 */
int32_t tlm_facts_path_count(const tlm_facts *f);                    /* ids are below this */

#endif
