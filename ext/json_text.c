/*
** json_text.c — write JSON text piece by piece (see tlm_json_out).
**
** cJSON does the escaping, so TraceLM holds no JSON escaper of its own;
** what this file adds is streaming: numbers and punctuation go straight
** into an sqlite3_str, and a string that repeats (span names, services,
** models are interned by the graph) is escaped only the first time.
*/
#include "tracelm_ext.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

int tlm_json_out_init(tlm_json_out *j, sqlite3 *db, const tlm_graph *g){
  int32_t count = g->string_count ? g->string_count : 1;
  j->graph = g;
  j->text = sqlite3_str_new(db);
  j->quoted = sqlite3_malloc64((uint64_t)count * sizeof *j->quoted);
  if( j->quoted == NULL ) return SQLITE_NOMEM;
  memset(j->quoted, 0, (uint64_t)count * sizeof *j->quoted);
  return SQLITE_OK;
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
  if( quoted == NULL ){ sqlite3_str_appendall(j->text, "\"\""); return; }
  sqlite3_str_appendall(j->text, quoted);
  sqlite3_free(quoted);
}

void tlm_json_pooled(tlm_json_out *j, int32_t index){
  if( index < 0 ){ sqlite3_str_appendall(j->text, "null"); return; }
  if( j->quoted[index] == NULL ) j->quoted[index] = quote(j->graph->strings[index]);
  sqlite3_str_appendall(j->text, j->quoted[index] ? j->quoted[index] : "\"\"");
}

void tlm_json_item(tlm_json_out *j, const cJSON *item){
  char *printed = cJSON_PrintUnformatted(item);
  sqlite3_str_appendall(j->text, printed ? printed : "null");
  cJSON_free(printed);
}

char *tlm_json_out_finish(tlm_json_out *j, int *length){
  char *text;
  if( j->quoted ) tlm_free_strings(j->quoted, j->graph->string_count);
  j->quoted = NULL;
  if( sqlite3_str_errcode(j->text) ){
    sqlite3_free(sqlite3_str_finish(j->text));
    return NULL;
  }
  *length = sqlite3_str_length(j->text);
  text = sqlite3_str_finish(j->text);
  if( text == NULL ) text = sqlite3_mprintf("");
  return text;
}

void tlm_json_out_result(tlm_json_out *j, sqlite3_context *ctx, const char *fn,
                         int rc, char *errmsg){
  int length = 0;
  char *text = j->text ? tlm_json_out_finish(j, &length) : NULL;
  if( rc != SQLITE_OK ){
    sqlite3_free(text);
    if( errmsg ) tlm_result_errorf(ctx, "%s: %s", fn, errmsg);
    else sqlite3_result_error_code(ctx, rc);
  }else if( text == NULL ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_text(ctx, text, length, sqlite3_free);
  }
  sqlite3_free(errmsg);
}
