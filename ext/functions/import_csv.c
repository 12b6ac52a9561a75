/*
** import_csv.c — CSV rows into a table, with libcsv:
**
**   import_csv(text)      spans (the columns of common/span_row.h)
**   import_prices(text)   model_prices; a row with the pattern and
**                         valid_from of a stored one replaces it
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
** Both functions are one importer with a different target.
*/
#include "trace_resolve.h"
#include "span_row.h"
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

/* Where rows go: the INSERT and the table's columns. */
typedef struct csv_target {
  const char *function;              /* for messages */
  const char *insert;                /* "INSERT INTO spans" */
  const tlm_column_def *columns;
  int column_count;
} csv_target;

static const csv_target spans_target = {
  "import_csv", "INSERT INTO spans", tlm_span_columns, TLM_SPAN_COLUMN_COUNT
};

/* model_prices' columns (sql/prices_and_runs.sql). */
static const tlm_column_def price_columns[] = {
  { "model_pattern",         TLM_COL_TEXT, NULL,           1 },
  { "provider",              TLM_COL_TEXT, NULL,           1 },
  { "input_per_mtok",        TLM_COL_REAL, NULL,           1 },
  { "output_per_mtok",       TLM_COL_REAL, NULL,           1 },
  { "cached_input_per_mtok", TLM_COL_REAL, NULL,           0 },
  { "reasoning_per_mtok",    TLM_COL_REAL, NULL,           0 },
  { "currency",              TLM_COL_TEXT, "'USD'",        0 },
  { "valid_from",            TLM_COL_TEXT, "'1970-01-01'", 0 },
  { "source",                TLM_COL_TEXT, NULL,           0 },
  { "cache_write_per_mtok",  TLM_COL_REAL, NULL,           0 },
};
static const csv_target prices_target = {
  "import_prices", "INSERT OR REPLACE INTO model_prices", price_columns,
  (int)(sizeof price_columns / sizeof price_columns[0])
};

#define MAX_FIELDS 64

typedef struct csv_import {
  sqlite3 *db;
  sqlite3_stmt *insert;
  const csv_target *target;
  int column_of_field[MAX_FIELDS];   /* an index into target->columns */
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
  im->error = sqlite3_mprintf("%s: line %d: %s", im->target->function, im->line,
                              what ? what : "out of memory");
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
  const csv_target *target = im->target;
  int seen[MAX_FIELDS] = {0};
  im->field_count = im->row_fields;
  for(int f = 0; f < im->row_fields && !im->error; f++){
    const char *name = im->fields[f] ? im->fields[f] : "";
    int c = 0;
    while( c < target->column_count && strcmp(target->columns[c].name, name) ) c++;
    if( c == target->column_count ){ set_error(im, "unknown column '%s'", name); break; }
    if( seen[c]++ ){ set_error(im, "column '%s' appears twice", name); break; }
    im->column_of_field[f] = c;
    if( f == 0 ) sqlite3_str_appendf(sql, "%s(", target->insert);
    sqlite3_str_appendf(sql, "%s%s", f ? "," : "", name);
    if( target->columns[c].default_sql ){
      sqlite3_str_appendf(values, "%scoalesce(?%d,%s)", f ? "," : "", f + 1, target->columns[c].default_sql);
    }else{
      sqlite3_str_appendf(values, "%s?%d", f ? "," : "", f + 1);
    }
  }
  for(int c = 0; c < target->column_count && !im->error; c++){
    if( target->columns[c].required && !seen[c] ) set_error(im, "the header has no '%s' column", target->columns[c].name);
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
  const tlm_column_def *column = &im->target->columns[im->column_of_field[f]];
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

static void import_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  csv_import im;
  struct csv_parser parser;
  char *errmsg;
  (void)argc;
  memset(&im, 0, sizeof im);
  im.db = sqlite3_context_db_handle(ctx);
  im.target = sqlite3_user_data(ctx);
  const char *fn = im.target->function;
  if( sqlite3_value_type(argv[0]) != SQLITE_TEXT && sqlite3_value_type(argv[0]) != SQLITE_BLOB ){
    tlm_result_errorf(ctx, "%s: the CSV must be text", fn);
    return;
  }
  if( (errmsg = tlm_check_database(im.db, fn)) != NULL ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  if( csv_init(&parser, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( sqlite3_exec(im.db, "SAVEPOINT tracelm_import", 0, 0, 0) != SQLITE_OK ){
    tlm_result_errorf(ctx, "%s: %s", fn, sqlite3_errmsg(im.db));
    csv_free(&parser);
    return;
  }
  parse_lines(&im, &parser, (const char *)sqlite3_value_blob(argv[0]), sqlite3_value_bytes(argv[0]));
  if( !im.error && !im.header_done ){ im.line = 1; set_error(&im, "no header row"); }
  clear_row(&im);
  csv_free(&parser);
  sqlite3_finalize(im.insert);
  if( im.error ){
    sqlite3_exec(im.db, "ROLLBACK TO tracelm_import; RELEASE tracelm_import", 0, 0, 0);
    sqlite3_result_error(ctx, im.error, -1);
    sqlite3_free(im.error);
    return;
  }
  sqlite3_exec(im.db, "RELEASE tracelm_import", 0, 0, 0);
  sqlite3_result_int64(ctx, im.imported);
}

int tlm_register_import_csv(sqlite3 *db, tlm_ext *ext){
  static const csv_target *const targets[] = { &spans_target, &prices_target };
  int rc = SQLITE_OK;
  (void)ext;
  for(int i = 0; i < 2 && rc == SQLITE_OK; i++){
    rc = sqlite3_create_function(db, targets[i]->function, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                 (void *)targets[i], import_func, 0, 0);
  }
  return rc;
}
