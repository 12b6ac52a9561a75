/*
** span_attrs.c — the attributes text the graph leaves out, for the
** exporters.
**
** The graph keeps no attribute text (most analyses never need it, and it
** can be most of a trace's bytes); an export that writes attributes reads
** them in a second scan, and only when the load saw any (g->with_attrs).
*/
#include "graph.h"
#include "arrays.h"
SQLITE_EXTENSION_INIT3

void tlm_free_strings(char **strings, int32_t count){
  if( strings == NULL ) return;
  for(int32_t i = 0; i < count; i++) sqlite3_free(strings[i]);
  sqlite3_free(strings);
}

static int keep_attrs(void *arg, int32_t node, sqlite3_value **values){
  char **attrs = arg;
  if( sqlite3_value_type(values[0]) == SQLITE_NULL ) return SQLITE_OK;
  attrs[node] = sqlite3_mprintf("%s", sqlite3_value_text(values[0]));
  return attrs[node] ? SQLITE_OK : SQLITE_NOMEM;
}

int tlm_graph_load_attrs(tlm_ext *ext, const tlm_graph *g, char ***out, char **errmsg){
  int rc;
  if( (*out = tlm_array_zero(g->n, sizeof **out)) == NULL ) return SQLITE_NOMEM;
  if( g->with_attrs == 0 ) return SQLITE_OK;   /* no second scan */
  rc = tlm_graph_scan(ext, g, ", attrs", keep_attrs, *out, errmsg);
  if( rc != SQLITE_OK ){
    tlm_free_strings(*out, g->n);
    *out = NULL;
  }
  return rc;
}
