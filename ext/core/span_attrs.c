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
** node i: the same ORDER BY as the graph's load. */
static int load_columns(tlm_ext *ext, const tlm_graph *g, const char *sql,
                        int columns, char ***out, char **errmsg){
  sqlite3_stmt *stmt = NULL;
  int32_t i = 0;
  int rc = SQLITE_OK;
  for(int c = 0; c < columns; c++){
    if( (out[c] = tlm_array_zero(g->n, sizeof *out[c])) == NULL ) rc = SQLITE_NOMEM;
  }
  if( rc == SQLITE_OK ) rc = sqlite3_prepare_v2(ext->db, sql, -1, &stmt, 0);
  if( rc == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
    while( (rc = sqlite3_step(stmt)) == SQLITE_ROW && i < g->n ){
      for(int c = 0; c < columns && rc == SQLITE_ROW; c++){
        if( sqlite3_column_type(stmt, c) == SQLITE_NULL ) continue;
        out[c][i] = sqlite3_mprintf("%s", sqlite3_column_text(stmt, c));
        if( out[c][i] == NULL ) rc = SQLITE_NOMEM;
      }
      if( rc != SQLITE_ROW ) break;
      i++;
    }
  }
  sqlite3_finalize(stmt);
  if( rc != SQLITE_DONE && rc != SQLITE_ROW ){
    *errmsg = sqlite3_mprintf("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(ext->db));
    for(int c = 0; c < columns; c++){ tlm_free_strings(out[c], g->n); out[c] = NULL; }
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

int tlm_graph_load_attrs(tlm_ext *ext, const tlm_graph *g, char ***out, char **errmsg){
  *out = NULL;
  if( g->with_attrs == 0 ){   /* no second scan */
    *out = tlm_array_zero(g->n, sizeof **out);
    return *out ? SQLITE_OK : SQLITE_NOMEM;
  }
  return load_columns(ext, g, "SELECT attrs FROM spans WHERE trace_id = ?1 ORDER BY rowid",
                      1, out, errmsg);
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
  rc = load_columns(ext, g, "SELECT flags, trace_state FROM spans"
                        " WHERE trace_id = ?1 ORDER BY rowid", 2, out, errmsg);
  *flags = out[0];
  *states = out[1];
  return rc;
}
