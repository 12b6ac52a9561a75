/*
** cli.h — what the tracelm command's files share.
**
** The command is a thin shell: every number it prints comes from SQL in
** sql/ run through the extension (linked in statically), so `--sql` can
** show a user the query behind any output.
*/
#ifndef TLM_CLI_H
#define TLM_CLI_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define EXIT_USAGE 2
#define EXIT_REGRESSION 3    /* compare --fail-on-regression found one */
#define CLI_NO_TRACES "No traces yet. Run `tracelm demo` or `tracelm run -- CMD` first."

typedef struct cli {
  const char *db_path;       /* --db, $TRACELM_DB, ./tracelm.db */
  int show_sql;              /* --sql: print the SQL, run nothing */
  int json;                  /* --json */
  const char *tree_depth;    /* analyze/latest --depth N, or NULL */
  const char *tree_limit;    /* analyze/latest --limit N (0: all), or NULL */
  int ascii;                 /* draw with ASCII, not box characters */
  int color;                 /* stdout is a TTY and NO_COLOR is unset */
  const char *command;
} cli;

/* Print "tracelm COMMAND: message" to stderr; returns 1 (the exit status). */
int cli_fail(const cli *c, const char *fmt, ...);
/* The same, for a usage mistake; returns EXIT_USAGE. */
int cli_usage_error(const cli *c, const char *fmt, ...);

/* The last SQL error of db without the "function_name: " the extension
** starts its messages with: the command already names itself. */
const char *cli_sql_error(sqlite3 *db);

/* The file formats of export and import, listed once (formats.c). */
typedef struct cli_format {
  const char *name;          /* what --format takes; sql/export.sql and import.sql too */
  const char *suffix;        /* of export's default file name */
  int can_export, can_import;
} cli_format;
/* The format called name that can export (or import), or NULL. */
const cli_format *cli_find_format(const char *name, int for_import);
/* The names joined, e.g. "chrome|otel|csv" or "chrome, otel or csv". */
void cli_format_names(char *out, size_t size, int for_import, const char *sep,
                      const char *last_sep);

/* Nanoseconds of CLOCK_MONOTONIC: progress rates, request times, deadlines. */
static inline int64_t cli_now_ns(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* rows_json.c: the rows of stmt as {"columns":[...],"rows":[[...]...],
** "truncated":B}, at most limit rows; integers past 2^53 as strings (JSON
** numbers are doubles).  Returns malloc'd text, or NULL with the error
** (sqlite3_malloc'd) in *error. */
char *cli_rows_json(sqlite3_stmt *stmt, int64_t limit, char **error);
/* compare_html.c: compare_runs of two sets as the trace browser's runs
** page, one self-contained HTML file written to out; 0 or the exit status. */
int cli_compare_html(const cli *c, sqlite3 *db, const char *baseline, const char *candidate, FILE *out);

/* POST an OTLP/JSON document to url (post.c); 0, or the exit status after
** saying what went wrong. */
/* import.c: the whole of path ("-": standard input), NUL-terminated
** (free it); NULL with errno. */
char *cli_read_file(const char *path, size_t *length);
/* commands.c */
int cli_ends_with(const char *s, const char *suffix);
/* otlp_split.c: an OTLP/JSON document as valid documents of whole spans,
** about piece_bytes each, handed to fn in order (fn returns 0 to go on).
** 0 when every piece went through; 1 when there is nothing to split; -1
** when the text is not a shape it splits, or fn said stop: import the
** document whole then (after undoing the pieces), which names the problem. */
/* Is text one JSON value and blanks (by its brackets and strings only)? */
int cli_json_is_whole(const char *text, size_t length);
typedef int (*cli_piece_fn)(const char *text, size_t length, void *user);
int cli_otlp_split(const char *text, size_t length, size_t piece_bytes, cli_piece_fn fn, void *user);

int cli_post_otlp(const cli *c, const char *url, const char *json, size_t length);

/* Open the database.  must_exist: a missing file is "No traces yet". */
int cli_open(const cli *c, int must_exist, sqlite3 **db);
/* Set up a connection that writes only through import_otel (database.c). */
void cli_import_connection(sqlite3 *db);

/* Run one embedded SQL statement with text parameters (NULL ends the
** list) and print its rows.  On an SQL error prints it and returns 1. */
typedef enum { PRINT_TABLE, PRINT_PAIRS, PRINT_LINES, PRINT_MARKDOWN, PRINT_CSV } print_style;
int cli_print_query(const cli *c, sqlite3 *db, const char *sql, print_style style, ...);

/* Build the per-span facts of traces marked since (stats.c), in steps,
** with progress on a terminal; a database that cannot be written is left
** to the query, which computes those traces itself.  Always 0. */
int cli_build_facts(const cli *c, sqlite3 *db);

/* An age as SQLite's modifier of now: '7d' -> '-7 days' into buffer (also
** s, m, h, w), returned; anything else is returned as it is (stats.c). */
const char *cli_relative_time(const char *text, char *buffer, size_t size);

/* A section heading, bold on a colour terminal. */
void cli_heading(const cli *c, const char *title);

/* The full analysis of one trace (summary, anomalies, histogram, tree). */
int cli_report(const cli *c, sqlite3 *db, const char *trace);

/* Commands. */
int cmd_demo(cli *c, int argc, char **argv);
int cmd_init(cli *c, int argc, char **argv);
int cmd_run(cli *c, int argc, char **argv);
int cmd_list(cli *c, int argc, char **argv);
int cmd_analyze(cli *c, int argc, char **argv);
int cmd_latest(cli *c, int argc, char **argv);
int cmd_compare(cli *c, int argc, char **argv);
int cmd_prices(cli *c, int argc, char **argv);
int cmd_stats(cli *c, int argc, char **argv);
int cmd_prune(cli *c, int argc, char **argv);
int cmd_conversations(cli *c, int argc, char **argv);
int cmd_view(cli *c, int argc, char **argv);
int cmd_serve(cli *c, int argc, char **argv);
int cmd_ui(cli *c, int argc, char **argv);
int cmd_export(cli *c, int argc, char **argv);
int cmd_import(cli *c, int argc, char **argv);

/* Record the demo trace with the recorder; its id into trace_id. */
int demo_record(const char *db_path, double sample_rate, char trace_id[33], int *sampled);

#endif
