/*
** output.c — how the tracelm command prints: errors, headings, and the
** rows of a query as an aligned table.
**
** Widths count characters, not bytes, so box-drawing trees and "µs" line
** up.  Colour only on a terminal, never with NO_COLOR set (no-color.org).
*/
#include "cli.h"
#include <csv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void print_error(const cli *c, const char *fmt, va_list ap){
  fprintf(stderr, "tracelm%s%s: ", c->command ? " " : "", c->command ? c->command : "");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

int cli_fail(const cli *c, const char *fmt, ...){
  va_list ap;
  va_start(ap, fmt);
  print_error(c, fmt, ap);
  va_end(ap);
  return 1;
}

int cli_usage_error(const cli *c, const char *fmt, ...){
  va_list ap;
  va_start(ap, fmt);
  print_error(c, fmt, ap);
  va_end(ap);
  fprintf(stderr, "Run 'tracelm %s--help' for usage.\n", c->command ? "COMMAND " : "");
  return EXIT_USAGE;
}

void cli_heading(const cli *c, const char *title){
  if( c->color ) printf("\033[1m%s\033[0m\n", title);
  else printf("%s\n", title);
}

static int display_width(const char *s){
  int width = 0;
  for(; *s; s++) if( ((unsigned char)*s & 0xC0) != 0x80 ) width++;
  return width;
}

typedef struct table {
  int columns, rows, capacity;
  char **cells;              /* rows * columns, malloc'd */
  unsigned char *numeric;    /* per cell */
  int *widths;
} table;

static void table_free(table *t){
  for(int i = 0; i < t->rows * t->columns; i++) free(t->cells[i]);
  free(t->cells);
  free(t->numeric);
  free(t->widths);
}

static int table_add_row(table *t, sqlite3_stmt *stmt, int header){
  if( t->rows == t->capacity ){
    int capacity = t->capacity ? t->capacity * 2 : 16;
    char **cells = realloc(t->cells, (size_t)capacity * t->columns * sizeof *cells);
    if( cells == NULL ) return 0;
    t->cells = cells;
    unsigned char *numeric = realloc(t->numeric, (size_t)capacity * t->columns);
    if( numeric == NULL ) return 0;
    t->numeric = numeric;
    t->capacity = capacity;
  }
  for(int col = 0; col < t->columns; col++){
    const char *text = header ? sqlite3_column_name(stmt, col)
                              : (const char *)sqlite3_column_text(stmt, col);
    int type = header ? SQLITE_TEXT : sqlite3_column_type(stmt, col);
    int at = t->rows * t->columns + col;
    t->cells[at] = strdup(text ? text : "");
    t->numeric[at] = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
    int width = display_width(t->cells[at]);
    if( width > t->widths[col] ) t->widths[col] = width;
  }
  t->rows++;
  return 1;
}

/* A GitHub-flavoured Markdown table, for a CI job to post as a comment:
** numeric columns (by the first row) right-aligned, '|' escaped. */
static void markdown_print(const table *t){
  for(int r = 0; r < t->rows; r++){
    for(int col = 0; col < t->columns; col++){
      fputs(col ? " | " : "| ", stdout);
      for(const char *p = t->cells[r * t->columns + col]; *p; p++){
        if( *p == '|' ) putchar('\\');
        putchar(*p == '\n' ? ' ' : *p);
      }
    }
    fputs(" |\n", stdout);
    if( r == 0 ){
      for(int col = 0; col < t->columns; col++){
        int right = t->rows > 1 && t->numeric[t->columns + col];
        fputs(col ? " | " : "| ", stdout);
        fputs(right ? "---:" : "---", stdout);
      }
      fputs(" |\n", stdout);
    }
  }
}

/* RFC 4180, quoted by libcsv where a field needs it. */
static void csv_print(const table *t){
  for(int r = 0; r < t->rows; r++){
    for(int col = 0; col < t->columns; col++){
      const char *cell = t->cells[r * t->columns + col];
      if( col ) putchar(',');
      if( strpbrk(cell, ",\"\r\n") ) csv_fwrite(stdout, cell, strlen(cell));
      else fputs(cell, stdout);
    }
    fputs("\r\n", stdout);
  }
}

/* Numbers are right-aligned in tables; in label/value pairs the values
** are prose and stay left-aligned.  No line ends in spaces. */
static void table_print(const cli *c, const table *t, print_style style){
  if( style == PRINT_MARKDOWN ){ markdown_print(t); return; }
  if( style == PRINT_CSV ){ csv_print(t); return; }
  for(int r = 0; r < t->rows; r++){
    int header = style == PRINT_TABLE && r == 0;
    char *line = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&line, &size);
    if( out == NULL ) return;
    if( style != PRINT_TABLE ) fputs("  ", out);
    for(int col = 0; col < t->columns; col++){
      const char *cell = t->cells[r * t->columns + col];
      int pad = t->widths[col] - display_width(cell);
      if( col ) fputs("  ", out);
      if( style == PRINT_TABLE && t->numeric[r * t->columns + col] ){
        fprintf(out, "%*s%s", pad, "", cell);
      }else{
        fprintf(out, "%s%*s", cell, pad, "");
      }
    }
    fclose(out);
    while( size > 0 && line[size - 1] == ' ' ) line[--size] = 0;
    if( header && c->color ) printf("\033[1m%s\033[0m\n", line);
    else printf("%s\n", line);
    free(line);
  }
}

static void print_sql(const char *sql, va_list ap){
  int n = 1;
  for(const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)){
    printf("-- ?%d = '%s'\n", n++, p);
  }
  fputs(sql, stdout);
  if( sql[0] && sql[strlen(sql) - 1] != '\n' ) fputc('\n', stdout);
}

const char *cli_sql_error(sqlite3 *db){
  const char *message = sqlite3_errmsg(db), *colon = strstr(message, ": ");
  if( colon && (size_t)(colon - message) < 24 && !memchr(message, ' ', (size_t)(colon - message)) ){
    return colon + 2;
  }
  return message;
}

int cli_print_query(const cli *c, sqlite3 *db, const char *sql, print_style style, ...){
  sqlite3_stmt *stmt;
  table t = {0};
  va_list ap;
  int rc, n = 1;
  va_start(ap, style);
  if( c->show_sql ){
    print_sql(sql, ap);
    va_end(ap);
    return 0;
  }
  if( sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ){
    va_end(ap);
    return cli_fail(c, "%s", cli_sql_error(db));
  }
  for(const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)){
    sqlite3_bind_text(stmt, n++, p, -1, SQLITE_TRANSIENT);
  }
  va_end(ap);
  t.columns = sqlite3_column_count(stmt);
  t.widths = calloc(t.columns ? t.columns : 1, sizeof *t.widths);
  if( style == PRINT_TABLE || style == PRINT_MARKDOWN || style == PRINT_CSV ) table_add_row(&t, stmt, 1);
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    if( style == PRINT_LINES ){     /* streamed: a tree may be huge */
      const char *text = (const char *)sqlite3_column_text(stmt, 0);
      printf("  %s\n", text ? text : "");
      continue;
    }
    table_add_row(&t, stmt, 0);
  }
  if( rc != SQLITE_DONE ){
    int status = cli_fail(c, "%s", cli_sql_error(db));
    sqlite3_finalize(stmt);
    table_free(&t);
    return status;
  }
  sqlite3_finalize(stmt);
  table_print(c, &t, style);
  table_free(&t);
  return 0;
}
