/*
** span_attrs.c — the attrs text of a graph's spans, for the exporters.
**
** The graph keeps no attribute text (most analyses never need it, and it
** can be most of a trace's bytes); an export that writes attributes reads
** them in a second scan in the graph's load order, and only when the
** load saw any (g->with_attrs).
*/
#include "graph.h"
#include "arrays.h"
SQLITE_EXTENSION_INIT3

void tlm_free_strings(char **strings, int32_t count){
  if( strings == NULL ) return;
  for(int32_t i = 0; i < count; i++) sqlite3_free(strings[i]);
  sqlite3_free(strings);
}

int tlm_graph_load_attrs(tlm_ext *ext, const tlm_graph *g, char ***out, char **errmsg){
  sqlite3_stmt *stmt;
  char **attrs = tlm_array_zero(g->n, sizeof *attrs);
  int32_t i = 0;
  int rc;
  *out = NULL;
  if( attrs == NULL ) return SQLITE_NOMEM;
  if( g->with_attrs == 0 ){ *out = attrs; return SQLITE_OK; }   /* no second scan */
  /* Same ORDER BY as the load: row i is node i. */
  rc = sqlite3_prepare_v2(ext->db, "SELECT attrs FROM spans WHERE trace_id = ?1"
                          " ORDER BY rowid", -1, &stmt, 0);
  if( rc == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
    while( (rc = sqlite3_step(stmt)) == SQLITE_ROW && i < g->n ){
      if( sqlite3_column_type(stmt, 0) != SQLITE_NULL ){
        attrs[i] = sqlite3_mprintf("%s", sqlite3_column_text(stmt, 0));
        if( attrs[i] == NULL ){ rc = SQLITE_NOMEM; break; }
      }
      i++;
    }
    sqlite3_finalize(stmt);
  }
  if( rc != SQLITE_DONE && rc != SQLITE_ROW ){
    *errmsg = sqlite3_mprintf("%s", sqlite3_errmsg(ext->db));
    tlm_free_strings(attrs, g->n);
    return SQLITE_ERROR;
  }
  *out = attrs;
  return SQLITE_OK;
}
