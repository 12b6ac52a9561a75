/*
** compare_html.c — `tracelm compare --baseline A --candidate B --format
** html`: the trace browser's runs page as one file to keep or send.  The
** rows are sql/ui_compare.sql's, the drawing is the browser's own
** cli/ui/app.js and app.css, inlined, with the rows in a
** <script type="application/json" id="tlm-compare"> block (app.js draws
** from it when it is there).  Every '<' in the data is written \u003c, so
** no span name can end the block.
*/
#include "cli.h"
#include "tlm_ui_compare_sql.h"
#include "tlm_ui_app_js.h"
#include "tlm_ui_app_css.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void put_script_safe(FILE *out, const char *text){
  for(; *text; text++){
    if( *text == '<' ) fputs("\\u003c", out);
    else fputc(*text, out);
  }
}

int cli_compare_html(const cli *c, sqlite3 *db, const char *baseline, const char *candidate, FILE *out){
  sqlite3_stmt *stmt;
  char *rows = NULL, *error = NULL, *a, *b;
  cJSON *names[2];
  if( sqlite3_prepare_v2(db, tlm_ui_compare_sql, -1, &stmt, NULL) != SQLITE_OK ){
    return cli_fail(c, "%s", cli_sql_error(db));
  }
  sqlite3_bind_text(stmt, 1, baseline, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, candidate, -1, SQLITE_STATIC);
  rows = cli_rows_json(stmt, INT64_MAX, &error);
  sqlite3_finalize(stmt);
  if( rows == NULL ){
    int status = cli_fail(c, "%s", error ? error : "out of memory");
    sqlite3_free(error);
    return status;
  }
  names[0] = cJSON_CreateString(baseline);
  names[1] = cJSON_CreateString(candidate);
  a = cJSON_PrintUnformatted(names[0]);
  b = cJSON_PrintUnformatted(names[1]);
  fputs("<!DOCTYPE html>\n<!-- TraceLM: compare_runs of two run sets (tracelm compare --format html) -->\n"
        "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>TraceLM: runs</title>\n<style>\n", out);
  fputs(tlm_ui_app_css, out);
  fputs("</style>\n</head>\n<body>\n<header id=\"top\"></header>\n<span id=\"status\" hidden></span>\n"
        "<main id=\"view\"></main>\n<script type=\"application/json\" id=\"tlm-compare\">{\"a\":", out);
  put_script_safe(out, a ? a : "\"\"");
  fputs(",\"b\":", out);
  put_script_safe(out, b ? b : "\"\"");
  fputs(",\"rows\":", out);
  put_script_safe(out, rows);
  fputs("}</script>\n<script>\n", out);
  fputs(tlm_ui_app_js, out);
  fputs("</script>\n</body>\n</html>\n", out);
  cJSON_free(a);
  cJSON_free(b);
  cJSON_Delete(names[0]);
  cJSON_Delete(names[1]);
  free(rows);
  return ferror(out) ? cli_fail(c, "cannot write the page") : 0;
}
