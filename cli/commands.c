/*
** commands.c — list, latest, analyze, compare, export, prices, init.
**
** Each command is its SQL from sql/ (embedded at build time) plus option
** parsing and printing; none computes a number itself.
*/
#include "cli.h"
#include "tlm_list_sql.h"
#include "tlm_compare_sql.h"
#include "tlm_compare_runs_sql.h"
#include "tlm_compare_runs_json_sql.h"
#include "tlm_compare_runs_gate_sql.h"
#include "tlm_prices_list_sql.h"
#include "tlm_prices_unpriced_sql.h"
#include "tlm_prices_import_sql.h"
#include "tlm_export_sql.h"
#include "tlm_report_summary_sql.h"
#include "tlm_report_anomalies_sql.h"
#include "tlm_report_histogram_sql.h"
#include "tlm_report_tree_sql.h"
#include "tlm_report_json_sql.h"
#include "tlm_starter_c.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static int has_traces(sqlite3 *db){
  sqlite3_stmt *stmt;
  int found = 0;
  if( sqlite3_prepare_v2(db, "SELECT 1 FROM traces WHERE span_count > 0 LIMIT 1", -1, &stmt, NULL) == SQLITE_OK ){
    found = sqlite3_step(stmt) == SQLITE_ROW;
  }
  sqlite3_finalize(stmt);
  return found;
}

/* Open an existing database that holds at least one trace. */
static int open_with_traces(const cli *c, sqlite3 **db){
  int status = cli_open(c, 1, db);
  if( status == 0 && !c->show_sql && !has_traces(*db) ){
    fprintf(stderr, "%s\n", CLI_NO_TRACES);
    sqlite3_close(*db);
    *db = NULL;
    return 1;
  }
  return status;
}

/* ------------------------------------------------------------ reports */

/* The full id for 'latest' or a prefix, so every section reads the same
** trace and an unknown id fails before any heading is printed. */
static int resolve(const cli *c, sqlite3 *db, const char *trace, char id[33]){
  sqlite3_stmt *stmt;
  int status = 0;
  sqlite3_prepare_v2(db, "SELECT resolve_trace(?1)", -1, &stmt, NULL);
  sqlite3_bind_text(stmt, 1, trace, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW ){
    snprintf(id, 33, "%s", (const char *)sqlite3_column_text(stmt, 0));
  }else{
    status = cli_fail(c, "%s", cli_sql_error(db));
  }
  sqlite3_finalize(stmt);
  return status;
}

/* A tree of a million lines is no use on a terminal: past this many spans
** it shows the first TERMINAL_TREE_LINES unless --limit says otherwise.
** Pipes and files get everything. */
#define TERMINAL_TREE_SPANS 5000
#define TERMINAL_TREE_LINES "500"

static const char *tree_limit(const cli *c, sqlite3 *db, const char *trace){
  sqlite3_stmt *stmt;
  int64_t spans = 0;
  if( c->tree_limit ) return c->tree_limit;
  if( c->show_sql || !isatty(STDOUT_FILENO) ) return "";
  if( sqlite3_prepare_v2(db, "SELECT span_count FROM traces WHERE trace_id = ?1", -1, &stmt, NULL) == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, trace, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ) spans = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return spans > TERMINAL_TREE_SPANS ? TERMINAL_TREE_LINES : "";
}

int cli_report(const cli *c, sqlite3 *db, const char *trace){
  const char *style = c->ascii ? "ascii" : "unicode";
  char id[33];
  int status;
  if( !c->show_sql ){
    if( (status = resolve(c, db, trace, id)) ) return status;
    trace = id;
  }
  if( c->json ) return cli_print_query(c, db, tlm_report_json_sql, PRINT_LINES, trace, NULL);
  cli_heading(c, "Trace Summary");
  status = cli_print_query(c, db, tlm_report_summary_sql, PRINT_PAIRS, trace, style, NULL);
  if( status ) return status;
  printf("\n");
  cli_heading(c, "Anomalies");
  if( (status = cli_print_query(c, db, tlm_report_anomalies_sql, PRINT_PAIRS, trace, NULL)) ) return status;
  printf("\n");
  cli_heading(c, "Duration Histogram");
  if( (status = cli_print_query(c, db, tlm_report_histogram_sql, PRINT_PAIRS, trace, NULL)) ) return status;
  printf("\n");
  cli_heading(c, "Execution Tree");
  return cli_print_query(c, db, tlm_report_tree_sql, PRINT_LINES, trace, style,
                         c->tree_depth ? c->tree_depth : "", tree_limit(c, db, trace), NULL);
}

static int analyze_trace(cli *c, const char *trace){
  sqlite3 *db;
  int status = open_with_traces(c, &db);
  if( status ) return status;
  status = cli_report(c, db, trace);
  sqlite3_close(db);
  return status;
}

static int is_count(const char *text){
  return text[0] && strspn(text, "0123456789") == strlen(text) && strlen(text) < 10;
}

/* --depth N and --limit N for the tree; the rest stay in argv. */
static int read_tree_options(cli *c, int *argc, char **argv){
  int kept = 0;
  for(int i = 0; i < *argc; i++){
    const char **slot = !strcmp(argv[i], "--depth") ? &c->tree_depth
                      : !strcmp(argv[i], "--limit") ? &c->tree_limit : NULL;
    if( slot == NULL ){ argv[kept++] = argv[i]; continue; }
    if( i + 1 >= *argc || !is_count(argv[i + 1]) ){
      return cli_usage_error(c, "%s needs a whole number", argv[i]);
    }
    *slot = argv[++i];
  }
  *argc = kept;
  return 0;
}

int cmd_analyze(cli *c, int argc, char **argv){
  int status = read_tree_options(c, &argc, argv);
  if( status ) return status;
  if( argc != 1 ) return cli_usage_error(c, "expected one trace id (or 'latest')");
  return analyze_trace(c, argv[0]);
}

int cmd_latest(cli *c, int argc, char **argv){
  int status = read_tree_options(c, &argc, argv);
  if( status ) return status;
  if( argc != 0 ) return cli_usage_error(c, "takes no arguments");
  return analyze_trace(c, "latest");
}

int cmd_list(cli *c, int argc, char **argv){
  const char *limit = "20";
  sqlite3 *db;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--limit") && i + 1 < argc ){
      limit = argv[++i];
      char *end;
      long n = strtol(limit, &end, 10);
      if( *end || n < 1 ) return cli_usage_error(c, "--limit takes a positive number, not '%s'", limit);
    }else{
      return cli_usage_error(c, "unexpected '%s'", argv[i]);
    }
  }
  int status = open_with_traces(c, &db);
  if( status ) return status;
  status = cli_print_query(c, db, tlm_list_sql, PRINT_TABLE, limit, NULL);
  sqlite3_close(db);
  return status;
}


/* --fail-on-regression PCT: print what failed the gate; 3 when anything did. */
static int regression_gate(const cli *c, sqlite3 *db, const char *baseline,
                           const char *candidate, const char *alpha, const char *percent){
  sqlite3_stmt *stmt;
  int failed = 0;
  if( sqlite3_prepare_v2(db, tlm_compare_runs_gate_sql, -1, &stmt, NULL) != SQLITE_OK ){
    return cli_fail(c, "%s", cli_sql_error(db));
  }
  sqlite3_bind_text(stmt, 1, baseline, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, candidate, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 3, alpha, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 4, percent, -1, SQLITE_STATIC);
  while( sqlite3_step(stmt) == SQLITE_ROW ){
    fprintf(stderr, "tracelm compare: regression beyond %s%%: %s\n", percent,
            (const char *)sqlite3_column_text(stmt, 0));
    failed = 1;
  }
  sqlite3_finalize(stmt);
  return failed ? EXIT_REGRESSION : 0;
}

static int is_number(const char *text){
  char *end;
  if( text[0] == 0 ) return 0;
  (void)strtod(text, &end);
  return *end == 0;
}

/* compare A B (two traces), or --baseline SET --candidate SET (run sets). */
int cmd_compare(cli *c, int argc, char **argv){
  const char *baseline = NULL, *candidate = NULL, *format = "table", *alpha = "", *gate = NULL, *file = NULL;
  const char *traces[2];
  int trace_count = 0, status;
  sqlite3 *db;
  for(int i = 0; i < argc; i++){
    const char **slot = !strcmp(argv[i], "--baseline") ? &baseline
                      : !strcmp(argv[i], "--candidate") ? &candidate
                      : !strcmp(argv[i], "--format") ? &format
                      : !strcmp(argv[i], "--alpha") ? &alpha
                      : !strcmp(argv[i], "--fail-on-regression") ? &gate
                      : !strcmp(argv[i], "-o") ? &file : NULL;
    if( slot ){
      if( i + 1 >= argc ) return cli_usage_error(c, "%s needs a value", argv[i]);
      *slot = argv[++i];
    }else if( argv[i][0] == '-' && argv[i][1] ){
      return cli_usage_error(c, "unknown option '%s'", argv[i]);
    }else if( trace_count < 2 ){
      traces[trace_count++] = argv[i];
    }else{
      return cli_usage_error(c, "unexpected '%s'", argv[i]);
    }
  }
  if( !baseline && !candidate ){
    if( trace_count != 2 ) return cli_usage_error(c, "expected two trace ids (compare A B), or --baseline and --candidate");
    if( (status = open_with_traces(c, &db)) ) return status;
    status = cli_print_query(c, db, tlm_compare_sql, PRINT_TABLE, traces[0], traces[1], NULL);
    sqlite3_close(db);
    return status;
  }
  if( !baseline || !candidate || trace_count ){
    return cli_usage_error(c, "run sets take --baseline LABEL|SQL and --candidate LABEL|SQL, and no trace ids");
  }
  int html = !strcmp(format, "html");
  print_style style = !strcmp(format, "table") || html ? PRINT_TABLE : !strcmp(format, "markdown") ? PRINT_MARKDOWN
                    : !strcmp(format, "csv") ? PRINT_CSV : !strcmp(format, "json") ? PRINT_LINES : -1;
  if( (int)style < 0 ) return cli_usage_error(c, "--format must be table, markdown, csv, json or html, not '%s'", format);
  if( file && !html ) return cli_usage_error(c, "-o FILE is for --format html");
  if( alpha[0] && !(is_number(alpha) && strtod(alpha, NULL) > 0 && strtod(alpha, NULL) < 1) ){
    return cli_usage_error(c, "--alpha takes a number between 0 and 1, not '%s'", alpha);
  }
  if( gate && !(is_number(gate) && strtod(gate, NULL) >= 0) ){
    return cli_usage_error(c, "--fail-on-regression takes a percentage, not '%s'", gate);
  }
  if( html && !c->show_sql ){
    /* The runs page as a file: compare.html unless -o says (- : stdout). */
    const char *path = file ? file : "compare.html";
    FILE *out;
    if( (status = open_with_traces(c, &db)) ) return status;
    cli_build_facts(c, db);
    out = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if( out == NULL ){
      status = cli_fail(c, "cannot write '%s': %s", path, strerror(errno));
    }else{
      status = cli_compare_html(c, db, baseline, candidate, out);
      if( out != stdout && fclose(out) != 0 && status == 0 ) status = cli_fail(c, "cannot write '%s'", path);
      if( status && out != stdout ) remove(path);
      if( status == 0 && out != stdout ) printf("%s\n", path);
    }
    sqlite3_close(db);
    return status;
  }
  if( (status = open_with_traces(c, &db)) ) return status;
  cli_build_facts(c, db);
  status = cli_print_query(c, db, style == PRINT_LINES ? tlm_compare_runs_json_sql : tlm_compare_runs_sql,
                           style, baseline, candidate, alpha, NULL);
  if( status == 0 && gate && !c->show_sql ) status = regression_gate(c, db, baseline, candidate, alpha, gate);
  sqlite3_close(db);
  return status;
}

/* --------------------------------------------------------------- view */

/* tracelm view ID: the HTML page in a temporary file, opened in the
** user's browser where there is a display; the path is printed either way. */
int cmd_view(cli *c, int argc, char **argv){
  char path[4096], id[33];
  const char *tmp = getenv("TMPDIR");
  sqlite3 *db;
  sqlite3_stmt *stmt;
  int status, fd;
  if( argc != 1 ) return cli_usage_error(c, "expected one trace id (or 'latest')");
  if( c->show_sql ) return cli_print_query(c, NULL, tlm_export_sql, PRINT_LINES, argv[0], "html", NULL);
  if( (status = open_with_traces(c, &db)) ) return status;
  sqlite3_prepare_v2(db, tlm_export_sql, -1, &stmt, NULL);
  sqlite3_bind_text(stmt, 1, argv[0], -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, "html", -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) != SQLITE_ROW ){
    status = cli_fail(c, "%s", cli_sql_error(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return status;
  }
  snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(stmt, 0));
  snprintf(path, sizeof path, "%s/tracelm_%.12s_XXXXXX.html", tmp && tmp[0] ? tmp : "/tmp", id);
  fd = mkstemps(path, 5);
  if( fd < 0 ){
    status = cli_fail(c, "cannot create a file in %s: %s", tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
  }else{
    size_t length = (size_t)sqlite3_column_bytes(stmt, 1);
    FILE *out = fdopen(fd, "wb");
    if( out == NULL || fwrite(sqlite3_column_text(stmt, 1), 1, length, out) != length || fclose(out) != 0 ){
      status = cli_fail(c, "cannot write '%s': %s", path, strerror(errno));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if( status ) return status;
  printf("%s\n", path);
  if( (getenv("DISPLAY") || getenv("WAYLAND_DISPLAY")) && fork() == 0 ){
    int null = open("/dev/null", O_WRONLY);
    if( null >= 0 ){ dup2(null, STDOUT_FILENO); dup2(null, STDERR_FILENO); }
    execlp("xdg-open", "xdg-open", path, (char *)NULL);
    _exit(127);
  }
  return 0;
}

#ifndef TLM_HAVE_CURL
int cli_post_otlp(const cli *c, const char *url, const char *json, size_t length){
  (void)url; (void)json; (void)length;
  return cli_fail(c, "this tracelm was built without libcurl (libcurl4-openssl-dev); --to needs it");
}
#endif

#ifndef TLM_HAVE_SERVE
int cmd_serve(cli *c, int argc, char **argv){
  (void)argc; (void)argv;
  return cli_fail(c, "this tracelm was built without libmicrohttpd, zlib or protobuf-c"
                     " (libmicrohttpd-dev, zlib1g-dev, libprotobuf-c-dev, protobuf-c-compiler);"
                     " rebuild with them to receive OTLP");
}
int cmd_ui(cli *c, int argc, char **argv){ return cmd_serve(c, argc, argv); }
#endif

/* ------------------------------------------------------------- prices */

int cmd_prices(cli *c, int argc, char **argv){
  sqlite3 *db;
  int status;
  if( argc == 1 && !strcmp(argv[0], "list") ){
    if( (status = cli_open(c, 0, &db)) ) return status;
    status = cli_print_query(c, db, tlm_prices_list_sql, PRINT_TABLE, NULL);
    if( status == 0 && !c->show_sql ){
      sqlite3_stmt *stmt;
      int unpriced = 0;
      if( sqlite3_prepare_v2(db, "SELECT 1 FROM unpriced_models", -1, &stmt, NULL) == SQLITE_OK ){
        unpriced = sqlite3_step(stmt) == SQLITE_ROW;
        sqlite3_finalize(stmt);
      }
      if( unpriced ){
        printf("\nModels with tokens but no price (their cost is unknown, not zero):\n");
        status = cli_print_query(c, db, tlm_prices_unpriced_sql, PRINT_TABLE, NULL);
      }
    }
    sqlite3_close(db);
    return status;
  }
  if( argc == 2 && !strcmp(argv[0], "import") ){
    size_t length;
    sqlite3_stmt *stmt;
    if( c->show_sql ) return cli_print_query(c, NULL, tlm_prices_import_sql, PRINT_LINES, "<file text>", NULL);
    char *text = cli_read_file(argv[1], &length);
    if( text == NULL ) return cli_fail(c, "cannot read '%s': %s", argv[1], strerror(errno));
    if( (status = cli_open(c, 0, &db)) ){ free(text); return status; }
    sqlite3_prepare_v2(db, tlm_prices_import_sql, -1, &stmt, NULL);
    sqlite3_bind_text(stmt, 1, text, (int)length, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      printf("Imported %lld prices from %s\n", sqlite3_column_int64(stmt, 0), argv[1]);
    }else{
      status = cli_fail(c, "%s: %s", argv[1], cli_sql_error(db));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    free(text);
    return status;
  }
  return cli_usage_error(c, "expected 'prices list' or 'prices import FILE.csv'");
}

/* ------------------------------------------------------------- export */

/* Write all of text to path, or nothing: a temporary file renamed into place. */
static int write_file_whole(const cli *c, const char *path, const char *text, size_t length){
  char temporary[4096];
  snprintf(temporary, sizeof temporary, "%s.tmp.%d", path, (int)getpid());
  FILE *out = fopen(temporary, "wb");
  if( out == NULL ) return cli_fail(c, "cannot write '%s': %s", path, strerror(errno));
  int ok = fwrite(text, 1, length, out) == length;
  ok = (fclose(out) == 0) && ok;
  if( !ok || rename(temporary, path) != 0 ){
    int saved = errno;
    unlink(temporary);
    return cli_fail(c, "cannot write '%s': %s", path, strerror(saved));
  }
  return 0;
}

int cmd_export(cli *c, int argc, char **argv){
  const char *trace = NULL, *format = NULL, *output = NULL, *to = NULL;
  const cli_format *chosen;
  char default_name[64], names[64];
  sqlite3 *db;
  sqlite3_stmt *stmt;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--format") && i + 1 < argc ) format = argv[++i];
    else if( (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc ) output = argv[++i];
    else if( !strcmp(argv[i], "--to") && i + 1 < argc ) to = argv[++i];
    else if( argv[i][0] == '-' && argv[i][1] ) return cli_usage_error(c, "unknown option '%s'", argv[i]);
    else if( trace == NULL ) trace = argv[i];
    else return cli_usage_error(c, "unexpected '%s'", argv[i]);
  }
  if( trace == NULL ) return cli_usage_error(c, "expected a trace id (or 'latest')");
  cli_format_names(names, sizeof names, 0, ", ", " or ");
  if( format == NULL ) return cli_usage_error(c, "--format is required (%s)", names);
  if( (chosen = cli_find_format(format, 0)) == NULL ){
    return cli_usage_error(c, "--format must be %s, not '%s'", names, format);
  }
  if( to && (strcmp(format, "otel") || output) ){
    return cli_usage_error(c, "--to URL sends OTLP: it takes --format otel and no -o");
  }
  if( c->show_sql ) return cli_print_query(c, NULL, tlm_export_sql, PRINT_LINES, trace, format, NULL);
  int status = open_with_traces(c, &db);
  if( status ) return status;
  sqlite3_prepare_v2(db, tlm_export_sql, -1, &stmt, NULL);
  sqlite3_bind_text(stmt, 1, trace, -1, SQLITE_STATIC);
  sqlite3_bind_text(stmt, 2, format, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) != SQLITE_ROW ){
    status = cli_fail(c, "%s", cli_sql_error(db));
  }else{
    const char *id = (const char *)sqlite3_column_text(stmt, 0);
    const char *text = (const char *)sqlite3_column_text(stmt, 1);
    size_t length = (size_t)sqlite3_column_bytes(stmt, 1);
    if( to ){
      status = cli_post_otlp(c, to, text, length);
    }else if( output == NULL ){
      snprintf(default_name, sizeof default_name, "trace_%s%s", id, chosen->suffix);
      output = default_name;
    }
    if( to ){
      /* sent above */
    }else if( !strcmp(output, "-") ){
      fwrite(text, 1, length, stdout);
      if( length && text[length - 1] != '\n' ) fputc('\n', stdout);
    }else if( (status = write_file_whole(c, output, text, length)) == 0 ){
      printf("Wrote %s (%s, %zu bytes)\n", output, format, length);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return status;
}

/* ------------------------------------------------------------- import */

int cli_ends_with(const char *s, const char *suffix){
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* --------------------------------------------------------------- init */

static int make_parents(const char *path){
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", path);
  for(char *p = copy + 1; *p; p++){
    if( *p != '/' ) continue;
    *p = 0;
    if( mkdir(copy, 0777) != 0 && errno != EEXIST ) return -1;
    *p = '/';
  }
  return 0;
}

int cmd_init(cli *c, int argc, char **argv){
  const char *file = "tracelm_example.c";
  int force = 0, named = 0;
  struct stat st;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--force") ) force = 1;
    else if( argv[i][0] == '-' ) return cli_usage_error(c, "unknown option '%s'", argv[i]);
    else if( !named++ ) file = argv[i];
    else return cli_usage_error(c, "unexpected '%s'", argv[i]);
  }
  if( !cli_ends_with(file, ".c") ) return cli_usage_error(c, "the file name must end in .c");
  if( stat(file, &st) == 0 && !force ){
    return cli_fail(c, "%s exists; use --force to overwrite it", file);
  }
  if( make_parents(file) != 0 ) return cli_fail(c, "cannot create the folders of '%s': %s", file, strerror(errno));
  if( write_file_whole(c, file, tlm_starter_c, strlen(tlm_starter_c)) ) return 1;
  char program[4096];
  snprintf(program, sizeof program, "%s", file);
  program[strlen(program) - 2] = 0;
  const char *slash = strchr(program, '/') ? "" : "./";
  printf("Wrote %s. Build it and run it in a trace:\n\n"
         "  cc %s -o %s $(pkg-config --cflags --libs tracelm)\n"
         "  tracelm run -- %s%s\n", file, file, program, slash, program);
  return 0;
}
