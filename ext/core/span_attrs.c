/*
** span_attrs.c — the text columns the graph leaves out (attrs, flags,
** trace_state), for the exporters.
**
** The graph keeps no attribute text (most analyses never need it, and it
** can be most of a trace's bytes); an export that writes attributes reads
** them in a second scan in the graph's load order, and only when the
** load saw any (g->with_attrs).  flags and trace_state are read only by
** export_otel, the one format that carries them, and only when the load
** saw any (g->with_context).
*/
#include "graph.h"
#include "arrays.h"
SQLITE_EXTENSION_INIT3

void tlm_free_strings(char **strings, int32_t count){
  if( strings == NULL ) return;
  for(int32_t i = 0; i < count; i++) sqlite3_free(strings[i]);
  sqlite3_free(strings);
}

/* Columns of a trace's spans as text, one array per column, row i in
** node i. */
typedef struct text_columns {
  int columns;
  char ***out;
} text_columns;

static int keep_texts(void *arg, int32_t node, sqlite3_value **values){
  text_columns *t = arg;
  for(int c = 0; c < t->columns; c++){
    if( sqlite3_value_type(values[c]) == SQLITE_NULL ) continue;
    sqlite3_free(t->out[c][node]);
    t->out[c][node] = sqlite3_mprintf("%s", sqlite3_value_text(values[c]));
    if( t->out[c][node] == NULL ) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

static int load_columns(tlm_ext *ext, const tlm_graph *g, const char *columns,
                        int count, char ***out, char **errmsg){
  text_columns t = { count, out };
  int rc = SQLITE_OK;
  for(int c = 0; c < count; c++){
    if( (out[c] = tlm_array_zero(g->n, sizeof *out[c])) == NULL ) rc = SQLITE_NOMEM;
  }
  if( rc == SQLITE_OK ) rc = tlm_graph_scan(ext->db, g, columns, keep_texts, &t, errmsg);
  if( rc != SQLITE_OK ){
    if( *errmsg == NULL ) *errmsg = sqlite3_mprintf("out of memory");
    for(int c = 0; c < count; c++){ tlm_free_strings(out[c], g->n); out[c] = NULL; }
  }
  return rc;
}

int tlm_graph_load_attrs(tlm_ext *ext, const tlm_graph *g, char ***out, char **errmsg){
  *out = NULL;
  if( g->with_attrs == 0 ){   /* no second scan */
    *out = tlm_array_zero(g->n, sizeof **out);
    return *out ? SQLITE_OK : SQLITE_NOMEM;
  }
  return load_columns(ext, g, ", attrs", 1, out, errmsg);
}

int tlm_graph_load_trace_context(tlm_ext *ext, const tlm_graph *g, char ***flags,
                                 char ***states, char **errmsg){
  char **out[2] = {0};
  int rc;
  if( g->with_context == 0 ){   /* no third scan */
    *flags = tlm_array_zero(g->n, sizeof **flags);
    *states = tlm_array_zero(g->n, sizeof **states);
    return *flags && *states ? SQLITE_OK : SQLITE_NOMEM;
  }
  rc = load_columns(ext, g, ", flags, trace_state", 2, out, errmsg);
  *flags = out[0];
  *states = out[1];
  return rc;
}
