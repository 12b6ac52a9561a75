/*
** trace_validate.c — trace_validate(trace_id): NULL when the trace is a
** sound tree, else its problems as text, one "span ID (name): words" per
** suspect span, joined by "; ".
**
**   sqlite> SELECT trace_validate('latest');
**   NULL
**   sqlite> SELECT trace_validate('7d3e');
**   span 00000000000000c2 (step): orphan; span 00000000000000c5 (step): unfinished
**
** The checks are the graph's (graph.c): orphan, unfinished, cycle,
** duplicate_id, negative_duration, extra_root.
*/
#include "graph.h"
#include <stddef.h>
SQLITE_EXTENSION_INIT3


static void trace_validate_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  tlm_graph *g;
  sqlite3_str *text;
  (void)argc;
  if( (g = tlm_graph_shape_for_function(ctx, "trace_validate", argv[0])) == NULL ) return;
  text = sqlite3_str_new(ext->db);
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k];
    if( g->nodes[i].problems == 0 ) continue;
    char *line = tlm_problem_line(g, i);
    sqlite3_str_appendf(text, "%s%s", sqlite3_str_length(text) ? "; " : "", line);
    sqlite3_free(line);
  }
  tlm_graph_release(g);
  if( sqlite3_str_errcode(text) ){
    sqlite3_free(sqlite3_str_finish(text));
    sqlite3_result_error_nomem(ctx);
  }else if( sqlite3_str_length(text) == 0 ){
    sqlite3_free(sqlite3_str_finish(text));
    sqlite3_result_null(ctx);
  }else{
    int length = sqlite3_str_length(text);
    sqlite3_result_text(ctx, sqlite3_str_finish(text), length, sqlite3_free);
  }
}

int tlm_register_trace_validate(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "trace_validate", 1, SQLITE_UTF8, ext,
                                 trace_validate_func, 0, 0);
}
