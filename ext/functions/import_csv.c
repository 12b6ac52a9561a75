/*
** import_csv.c — import_csv(text): CSV rows into spans, with libcsv.
**
**   sqlite> SELECT import_csv(export_csv('latest'));   -- into another db
**   10
**
** The header names the columns present, in any order (the spans table's
** names, common/span_row.h): trace_id, span_id, name and start_ns are
** required, the others optional (kind, status, tokens_in, tokens_out and
** cost take their defaults when absent or empty).  An unquoted empty
** field is NULL, a quoted one ("") the empty string, so a NULL survives
** the round trip.  Numbers are checked: a start_ns of "12x" is an error,
** not a string stored in an INTEGER column.  All or nothing (a
** savepoint); errors name the line:
** "import_csv: line 4: start_ns: '12x' is not an integer".
*/
#include "trace_resolve.h"
#include "span_row.h"
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define MAX_FIELDS 64

typedef struct csv_import {
  sqlite3 *db;
  sqlite3_stmt *insert;
  int column_of_field[MAX_FIELDS];   /* a tlm_span_column */
  int field_count;                   /* in the header */
  int header_done;
  char *fields[MAX_FIELDS];          /* this row's fields; NULL = empty */
  int row_fields;
  int line;                          /* the line being fed */
  int64_t imported;
  char *error;
} csv_import;

static void set_error(csv_import *im, const char *fmt, ...){
  va_list ap;
  if( im->error ) return;
  va_start(ap, fmt);
  char *what = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  im->error = sqlite3_mprintf("import_csv: line %d: %s", im->line, what ? what : "out of memory");
  sqlite3_free(what);
}

static void on_field(void *data, size_t length, void *context){
  csv_import *im = context;
  if( im->error ) return;
  if( im->row_fields == MAX_FIELDS ){ set_error(im, "more than %d fields", MAX_FIELDS); return; }
  im->fields[im->row_fields++] = data ? sqlite3_mprintf("%.*s", (int)length, (const char *)data) : NULL;
}

static void clear_row(csv_import *im){
  for(int f = 0; f < im->row_fields; f++) sqlite3_free(im->fields[f]);
  im->row_fields = 0;
}

static void read_header(csv_import *im){
  sqlite3_str *sql = sqlite3_str_new(im->db), *values = sqlite3_str_new(im->db);
  int seen[TLM_SPAN_COLUMN_COUNT] = {0};
  im->field_count = im->row_fields;
  for(int f = 0; f < im->row_fields && !im->error; f++){
    const char *name = im->fields[f] ? im->fields[f] : "";
    int c = 0;
    while( c < TLM_SPAN_COLUMN_COUNT && strcmp(tlm_span_columns[c].name, name) ) c++;
    if( c == TLM_SPAN_COLUMN_COUNT ){ set_error(im, "unknown column '%s'", name); break; }
    if( seen[c]++ ){ set_error(im, "column '%s' appears twice", name); break; }
    im->column_of_field[f] = c;
    sqlite3_str_appendf(sql, "%s%s", f ? "," : "INSERT INTO spans(", name);
    if( tlm_span_columns[c].default_sql ){
      sqlite3_str_appendf(values, "%scoalesce(?%d,%s)", f ? "," : "", f + 1, tlm_span_columns[c].default_sql);
    }else{
      sqlite3_str_appendf(values, "%s?%d", f ? "," : "", f + 1);
    }
  }
  for(int c = 0; c < TLM_SPAN_COLUMN_COUNT && !im->error; c++){
    if( tlm_span_columns[c].required && !seen[c] ) set_error(im, "the header has no '%s' column", tlm_span_columns[c].name);
  }
  char *value_list = sqlite3_str_finish(values);
  sqlite3_str_appendf(sql, ") VALUES(%s)", value_list ? value_list : "");
  sqlite3_free(value_list);
  char *text = sqlite3_str_finish(sql);
  if( !im->error && (text == NULL || sqlite3_prepare_v2(im->db, text, -1, &im->insert, 0)) ){
    set_error(im, "%s", sqlite3_errmsg(im->db));
  }
  sqlite3_free(text);
  im->header_done = 1;
}

static void bind_field(csv_import *im, int f){
  const tlm_column_def *column = &tlm_span_columns[im->column_of_field[f]];
  const char *text = im->fields[f];
  char *end;
  if( text == NULL ){ sqlite3_bind_null(im->insert, f + 1); return; }
  errno = 0;
  if( column->type == TLM_COL_INTEGER ){
    long long v = strtoll(text, &end, 10);
    if( errno || *end || end == text ){ set_error(im, "%s: '%s' is not an integer", column->name, text); return; }
    sqlite3_bind_int64(im->insert, f + 1, v);
  }else if( column->type == TLM_COL_REAL ){
    double v = strtod(text, &end);
    if( errno || *end || end == text ){ set_error(im, "%s: '%s' is not a number", column->name, text); return; }
    sqlite3_bind_double(im->insert, f + 1, v);
  }else{
    sqlite3_bind_text(im->insert, f + 1, text, -1, SQLITE_STATIC);
  }
}

static void on_row_end(int terminator, void *context){
  csv_import *im = context;
  (void)terminator;
  if( im->error ){ clear_row(im); return; }
  if( !im->header_done ){
    read_header(im);
  }else if( im->row_fields != im->field_count ){
    set_error(im, "expected %d fields, found %d", im->field_count, im->row_fields);
  }else{
    for(int f = 0; f < im->row_fields && !im->error; f++) bind_field(im, f);
    if( !im->error ){
      int rc = sqlite3_step(im->insert);
      if( rc == SQLITE_DONE ) im->imported++;
      else if( sqlite3_extended_errcode(im->db) == SQLITE_CONSTRAINT_PRIMARYKEY ){
        set_error(im, TLM_SPAN_ALREADY_STORED, im->fields[1] ? im->fields[1] : "?",
                  im->fields[0] ? im->fields[0] : "?");
      }else{
        set_error(im, "%s", sqlite3_errmsg(im->db));
      }
      sqlite3_reset(im->insert);
    }
  }
  clear_row(im);
}

/* Feed libcsv one line at a time so that errors know their line. */
static void parse_lines(csv_import *im, struct csv_parser *parser, const char *text, int length){
  const char *at = text, *stop;
  im->line = 0;
  if( text == NULL ) return;   /* an empty blob: "no header row" (found by fuzz_import_csv) */
  stop = text + length;
  while( at < stop && !im->error ){
    const char *newline = memchr(at, '\n', (size_t)(stop - at));
    size_t chunk = newline ? (size_t)(newline - at) + 1 : (size_t)(stop - at);
    im->line++;
    if( csv_parse(parser, at, chunk, on_field, on_row_end, im) != chunk ){
      set_error(im, "%s", csv_strerror(csv_error(parser)));
    }
    at += chunk;
  }
  if( !im->error ) csv_fini(parser, on_field, on_row_end, im);
  if( !im->error && csv_error(parser) == CSV_EPARSE ) set_error(im, "unterminated quoted field");
}

static void import_csv_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  csv_import im;
  struct csv_parser parser;
  char *errmsg;
  (void)argc;
  memset(&im, 0, sizeof im);
  im.db = sqlite3_context_db_handle(ctx);
  if( sqlite3_value_type(argv[0]) != SQLITE_TEXT && sqlite3_value_type(argv[0]) != SQLITE_BLOB ){
    sqlite3_result_error(ctx, "import_csv: the CSV must be text", -1);
    return;
  }
  if( (errmsg = tlm_check_database(im.db, "import_csv")) != NULL ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  if( csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( sqlite3_exec(im.db, "SAVEPOINT import_csv", 0, 0, 0) != SQLITE_OK ){
    tlm_result_errorf(ctx, "import_csv: %s", sqlite3_errmsg(im.db));
    csv_free(&parser);
    return;
  }
  parse_lines(&im, &parser, (const char *)sqlite3_value_blob(argv[0]), sqlite3_value_bytes(argv[0]));
  if( !im.error && !im.header_done ){ im.line = 1; set_error(&im, "no header row"); }
  clear_row(&im);
  csv_free(&parser);
  sqlite3_finalize(im.insert);
  if( im.error ){
    sqlite3_exec(im.db, "ROLLBACK TO import_csv; RELEASE import_csv", 0, 0, 0);
    sqlite3_result_error(ctx, im.error, -1);
    sqlite3_free(im.error);
    return;
  }
  sqlite3_exec(im.db, "RELEASE import_csv", 0, 0, 0);
  sqlite3_result_int64(ctx, im.imported);
}

int tlm_register_import_csv(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "import_csv", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, ext,
                                 import_csv_func, 0, 0);
}
