/*
** json_text.c — write JSON text piece by piece (see tlm_json_out).
**
** cJSON does the escaping, so TraceLM holds no JSON escaper of its own;
** what this file adds is streaming: numbers and punctuation go straight
** into a tlm_text, and a string that repeats (span names, services,
** models are interned by the graph) is escaped only the first time.
*/
#include "json_out.h"
#include "arrays.h"
#include <limits.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

int tlm_json_out_init(tlm_json_out *j, const tlm_graph *g){
  j->graph = g;
  j->quoted = tlm_array_zero(g->string_count, sizeof *j->quoted);
  return j->quoted ? SQLITE_OK : SQLITE_NOMEM;
}

static char *quote(const char *text){
  cJSON *item = cJSON_CreateString(text);
  char *printed = item ? cJSON_PrintUnformatted(item) : NULL;
  char *copy = printed ? sqlite3_mprintf("%s", printed) : NULL;
  cJSON_free(printed);
  cJSON_Delete(item);
  return copy;
}

void tlm_json_string(tlm_json_out *j, const char *text){
  char *quoted = quote(text ? text : "");
  if( quoted == NULL ){ j->text.rc = SQLITE_NOMEM; return; }
  tlm_text_str(&j->text, quoted);
  sqlite3_free(quoted);
}

void tlm_json_pooled(tlm_json_out *j, int32_t index){
  if( index < 0 ){ tlm_text_append(&j->text, "null", 4); return; }
  if( j->quoted[index] == NULL ) j->quoted[index] = quote(j->graph->strings[index]);
  if( j->quoted[index] == NULL ){ j->text.rc = SQLITE_NOMEM; return; }
  tlm_text_str(&j->text, j->quoted[index]);
}

void tlm_json_item(tlm_json_out *j, const cJSON *item){
  char *printed = cJSON_PrintUnformatted(item);
  if( printed == NULL ){ j->text.rc = SQLITE_NOMEM; return; }
  tlm_text_str(&j->text, printed);
  cJSON_free(printed);
}


void tlm_json_out_free(tlm_json_out *j){
  if( j->quoted ) tlm_free_strings(j->quoted, j->graph->string_count);
  j->quoted = NULL;
  tlm_text_free(&j->text);
}

void tlm_json_out_result(tlm_json_out *j, sqlite3_context *ctx, const char *fn,
                         int rc, char *errmsg){
  if( j->quoted ) tlm_free_strings(j->quoted, j->graph->string_count);
  j->quoted = NULL;
  if( rc != SQLITE_OK ){
    tlm_text_free(&j->text);
    if( errmsg ) tlm_result_errorf(ctx, "%s: %s", fn, errmsg);
    else sqlite3_result_error_code(ctx, rc);
  }else{
    tlm_text_result(&j->text, ctx);
  }
  sqlite3_free(errmsg);
}
