/*
** span_otlp.h — what a trace's spans carry beyond the graph, for
** export_otel: resources, scopes, dropped counts, events and links
** (span_otlp.c).
*/
#ifndef TLM_SPAN_OTLP_H
#define TLM_SPAN_OTLP_H

#include "graph.h"
#include "json_out.h"

/* Every per-node array below is NULL when no span has a value:
** TEXT_AT(array, node) reads one either way. */
#define TEXT_AT(array, node) ((array) ? (array)[node] : NULL)

typedef struct tlm_span_otlp {
  char **attrs;             /* per node: the attrs JSON text, or NULL */
  char **flags;             /* per node: flags as decimal text, or NULL */
  char **states;            /* per node: trace_state, or NULL */
  int32_t with_origin;      /* spans with a resource, a scope or a dropped count */
  int64_t *resource_id;     /* per node, 0: none; NULL when no span has one */
  int64_t *scope_id;        /* the same for scopes */
  char **extras;            /* per node: ",\"droppedEventsCount\":1,\"events\":[...]"
                               and the rest, ready to append, or NULL; the
                               array NULL when no span has any */
  sqlite3_stmt *resource, *scope;   /* a row of resources / scopes by id */
  tlm_graph_rider rider;    /* the columns' pass, riding on the graph's load */
  struct tlm_otlp_row *rows;        /* what that pass kept, until placed */
  int32_t row_count, row_capacity;
} tlm_span_otlp;

/* Start: clears o and sets o->rider, to hand to tlm_graph_for_function_with
** so that the columns are read in the graph's own pass when it loads. */
void tlm_span_otlp_ride(tlm_span_otlp *o);
/* Then load them for every node of g (their own scan if the graph came
** from the cache; a few indexed lookups for events and links).  SQLITE_OK,
** or an error with *errmsg set. */
int tlm_span_otlp_load(tlm_ext *ext, const tlm_graph *g, tlm_span_otlp *o, char **errmsg);
void tlm_span_otlp_free(tlm_span_otlp *o, int32_t n);

/* {"resource":{...},"schemaUrl":".." and {"scope":{...},"schemaUrl":".."
** from the stored row (the caller adds the rest of the object). */
int tlm_span_otlp_resource(tlm_span_otlp *o, tlm_json_out *j, int64_t resource_id);
int tlm_span_otlp_scope(tlm_span_otlp *o, tlm_json_out *j, int64_t scope_id);

#endif
