/*
** trace_runs.h — what a batch of written spans adds to `traces` and
** `facts_dirty`, for a writer whose connection runs with triggers off.
**
** Every other inserter fires sql/schema.sql's spans_insert_updates_trace
** and sql/facts.sql's spans_insert_dirties_facts once a span; the per-span
** upsert cost the recorder 45% of its rate (docs/performance.md).  The
** recorder's writer and import_otel on a connection without triggers
** (tracelm serve's) instead gather a batch's spans into runs, one a trace,
** and keep each trace's row once, by the same rules as those triggers.
** Runs are sorted by trace id first, so a batch of one-span traces walks
** those tables' pages in key order instead of one random page a span.
*/
#ifndef TLM_TRACE_RUNS_H
#define TLM_TRACE_RUNS_H

#ifdef TLM_SQLITE_EXTENSION
# include <sqlite3ext.h>
#else
# include <sqlite3.h>
#endif
#include <stddef.h>
#include <stdint.h>

/* One written span, as its trace's row needs it.  Strings are borrowed
** until the runs are stored. */
typedef struct tlm_run_span {
  const uint8_t *trace_id;       /* 16 bytes */
  uint64_t span_id;
  int is_root;                   /* no parent */
  const char *name, *service;
  int64_t start_ns, end_ns;      /* end_ns: start_ns for an unfinished span */
  int64_t tokens_in, tokens_out;
  double cost;
  int error;                     /* status 'error' */
} tlm_run_span;

/* What a run of one trace's spans adds to its row. */
typedef struct tlm_trace_run {
  uint8_t trace_id[16];
  uint64_t root_span_id;
  const char *root_name, *root_service;   /* root_name NULL: no root in the run */
  int64_t start_ns, end_ns, spans, tokens_in, tokens_out, errors;
  double cost;
  size_t order;                  /* its place in the batch, for a stable sort */
} tlm_trace_run;

typedef struct tlm_trace_runs {
  tlm_trace_run *items;
  size_t count, capacity;
  int open;                      /* items[count] is the run being added to */
} tlm_trace_runs;

/* The rules of spans_insert_updates_trace for a run of spans at once:
** ?1 trace id, ?2..?3 start and end, ?4..?6 root span id, name, service
** (NULL: none in the run), ?7 spans, ?8..?9 tokens, ?10 cost, ?11 errors. */
extern const char *const tlm_add_trace_sql;
/* spans_insert_dirties_facts: ?1 trace id. */
extern const char *const tlm_dirty_facts_sql;

/* Empty the runs for a new batch (their memory is kept). */
void tlm_trace_runs_begin(tlm_trace_runs *runs);
/* One more written span.  SQLITE_OK or SQLITE_NOMEM. */
int tlm_trace_runs_add(tlm_trace_runs *runs, const tlm_run_span *span);
/* Close the open run, sort by trace id and merge each trace's runs into
** one: items[0 .. count) afterwards, one a trace. */
void tlm_trace_runs_finish(tlm_trace_runs *runs);
/* A finished run into `traces` (add_trace: tlm_add_trace_sql) and
** `facts_dirty` (dirty_facts: tlm_dirty_facts_sql).  trace_hex gets its id
** as text.  SQLITE_OK or the failing step's code. */
int tlm_trace_run_store(const tlm_trace_run *run, sqlite3_stmt *add_trace,
                        sqlite3_stmt *dirty_facts, char trace_hex[33]);
/* Whether the span just inserted (given its model, tokens and cost) is a
** call the price table prices, as the stored-price trigger decides. */
int tlm_is_priced_call(const char *model, int64_t tokens_in, int64_t tokens_out, double cost);
/* What sql/stored_prices.sql's insert trigger does for the row just
** inserted: its price stored in spans.priced_cost.  *stmt is prepared at
** the first call and kept; the caller finalizes it.  SQLITE_OK or the
** error's code. */
int tlm_store_price(sqlite3 *db, sqlite3_stmt **stmt, sqlite3_int64 rowid);
void tlm_trace_runs_free(tlm_trace_runs *runs);

#endif
