/*
** rows_json.c — a statement's rows as JSON, for the trace browser's
** endpoints (ui_api.c), its SQL box (sql_box.c) and the page
** `tracelm compare --format html` writes (compare_html.c): one shape for
** all, {"columns":[...],"rows":[[...]...],"truncated":B}.
*/
#include "cli.h"
#include <cjson/cJSON.h>
#include <stdio.h>

#define MAX_SAFE_INTEGER 9007199254740991LL   /* 2^53 - 1: exact as a JSON number */

char *cli_rows_json(sqlite3_stmt *stmt, int64_t limit, char **error){
  cJSON *out = cJSON_CreateObject(), *columns = cJSON_AddArrayToObject(out, "columns");
  cJSON *rows = cJSON_AddArrayToObject(out, "rows");
  int n = sqlite3_column_count(stmt), rc;
  int64_t count = 0;
  char *text = NULL;
  for(int i = 0; i < n; i++) cJSON_AddItemToArray(columns, cJSON_CreateString(sqlite3_column_name(stmt, i)));
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW && count < limit ){
    cJSON *row = cJSON_CreateArray();
    for(int i = 0; i < n; i++){
      cJSON *v;
      switch( sqlite3_column_type(stmt, i) ){
        case SQLITE_INTEGER: {
          sqlite3_int64 x = sqlite3_column_int64(stmt, i);
          if( x > MAX_SAFE_INTEGER || x < -MAX_SAFE_INTEGER ){
            char digits[24];
            snprintf(digits, sizeof digits, "%lld", (long long)x);
            v = cJSON_CreateString(digits);
          }else{
            v = cJSON_CreateNumber((double)x);
          }
          break;
        }
        case SQLITE_FLOAT: v = cJSON_CreateNumber(sqlite3_column_double(stmt, i)); break;
        case SQLITE_NULL: v = cJSON_CreateNull(); break;
        case SQLITE_BLOB: v = cJSON_CreateString("(blob)"); break;
        default: v = cJSON_CreateString((const char *)sqlite3_column_text(stmt, i)); break;
      }
      cJSON_AddItemToArray(row, v);
    }
    cJSON_AddItemToArray(rows, row);
    count++;
  }
  if( rc != SQLITE_ROW && rc != SQLITE_DONE ){
    *error = sqlite3_mprintf("%s", sqlite3_errmsg(sqlite3_db_handle(stmt)));
  }else{
    cJSON_AddBoolToObject(out, "truncated", rc == SQLITE_ROW);
    text = cJSON_PrintUnformatted(out);
    if( text == NULL ) *error = sqlite3_mprintf("out of memory");
  }
  cJSON_Delete(out);
  return text;
}
