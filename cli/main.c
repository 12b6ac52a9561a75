/*
** main.c — the tracelm command: options, dispatch, help.
**
**   tracelm [--db PATH] COMMAND [OPTIONS]
**
** The database is --db PATH, else $TRACELM_DB, else ./tracelm.db.  Exit
** status: 0 success, 1 an error (a one-line message on stderr), 2 a usage
** mistake; `run` returns its command's status.
*/
#include "cli.h"
#include "tracelm/tracelm.h"
#include <dlfcn.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int sqlite3_tracelm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

typedef struct command {
  const char *name;
  int (*run)(cli *c, int argc, char **argv);
  const char *usage;
  const char *help;
} command;

static const command commands[] = {
  { "demo", cmd_demo, "demo [--sample-rate R]",
    "Record a RAG-shaped trace (prompt, parallel retrieval, LLM call) and analyse it." },
  { "init", cmd_init, "init [FILE.c] [--force]",
    "Write a small instrumented C program (default tracelm_example.c) and say how to build it." },
  { "run", cmd_run, "run [--sample-rate R] [--name NAME] [--label L] [--strict] -- COMMAND [ARGS...]",
    "Run COMMAND inside a new trace; instrumented children join it. Exits with its status;\n"
    "           spans dropped or not stored are reported, and with --strict exit 1." },
  { "list", cmd_list, "list [--limit N]",
    "The newest traces: id, start, duration, spans, root, tokens, cost, errors." },
  { "latest", cmd_latest, "latest [--json] [--depth N] [--limit N]",
    "Analyse the newest trace: summary, histogram, execution tree." },
  { "analyze", cmd_analyze, "analyze ID [--json] [--depth N] [--limit N]",
    "Analyse one trace. ID is a full id, a unique prefix, or 'latest'. The tree shows\n"
    "           spans down to --depth N (the root is 0) and at most --limit N lines (0: all;\n"
    "           on a terminal, traces of over 5000 spans show 500 unless told)." },
  { "compare", cmd_compare, "compare A B | compare --baseline SET --candidate SET [--format table|markdown|csv|json|html [-o FILE]]\n"
    "                 [--alpha A] [--fail-on-regression PCT]",
    "Latency, token and cost changes from trace A to trace B, per span path; or between\n"
    "           two sets of runs (SET: a run label, or SQL returning trace ids), with a\n"
    "           Mann-Whitney test per path. --fail-on-regression exits 3 on a significant\n"
    "           latency rise, or a token or cost rise, beyond PCT percent." },
  { "stats", cmd_stats, "stats [--label L | --set SQL] [--since 7d|DATE|NS] [--until ...]\n"
    "                 [--by name|path|model|service|label|day[,...] | --traces]\n"
    "                 [--format table|markdown|csv|json] [--limit N]",
    "Latency percentiles, time on the critical path, tokens, cost and errors over many\n"
    "           traces: all, a run label or SQL, in a window (by trace start), grouped;\n"
    "           --traces: whole traces' durations, cost and errors, per root span." },
  { "conversations", cmd_conversations, "conversations [--format table|markdown|csv] [--limit N]",
    "The conversations traces belong to (gen_ai.conversation.id, session.id): traces,\n"
    "           turns, tokens, cost, p50/p90 latency and errors, costliest first." },
  { "prune", cmd_prune, "prune --older-than 30d|DATE|NS | --keep-last N [--dry-run]",
    "Delete whole traces (spans, events, links, facts) by age or count, in short steps\n"
    "           that never hold up a recording program for long; says what it freed." },
  { "prices", cmd_prices, "prices list | prices import FILE.csv",
    "The model price table that costs spans with tokens but no recorded cost; import\n"
    "           adds or replaces rows (columns: model_pattern, provider, input_per_mtok, ...)." },
  { "export", cmd_export, "export ID --format EXPORT_FORMATS [-o FILE|-] | export ID --format otel --to URL",
    "Write a trace as Chrome trace JSON, OTLP/JSON, CSV or an HTML timeline; --to sends\n"
    "           it as OTLP/JSON to a receiver (an OpenTelemetry Collector, tracelm serve)." },
  { "view", cmd_view, "view ID",
    "Write the trace as an HTML timeline to a temporary file and open it in a browser\n"
    "           (where there is a display); prints the file's path." },
  { "serve", cmd_serve, "serve [--listen 127.0.0.1] [--port 4318] [--token TOKEN] [--max-body BYTES]\n"
    "                 [--timeout SECONDS] [--verbose]",
    "Receive OTLP/HTTP traces (POST /v1/traces, protobuf or JSON, gzip) from any\n"
    "           OpenTelemetry SDK into the database, and serve the trace browser at /;\n"
    "           SIGINT/SIGTERM stops it cleanly." },
  { "ui", cmd_ui, "ui [--listen 127.0.0.1] [--port 4318] [--token TOKEN] [--no-open] [--verbose]",
    "The trace browser alone (serve without the receiver), opened in a browser\n"
    "           where there is a display." },
  { "import", cmd_import, "import FILE [--format IMPORT_FORMATS]",
    "Load OTLP/JSON (one request, or JSON Lines of any size) or CSV spans, all or\n"
    "           nothing; FILE '-' is standard input.  Progress on a terminal; Ctrl-C\n"
    "           leaves the database as it was." },
};
#define COMMAND_COUNT (int)(sizeof commands / sizeof commands[0])

/* A usage line with EXPORT_FORMATS / IMPORT_FORMATS spelled out from
** the one table of formats (formats.c). */
static void print_usage_line(FILE *out, const char *usage){
  static const char *const tokens[2] = { "EXPORT_FORMATS", "IMPORT_FORMATS" };
  for(int k = 0; k < 2; k++){
    const char *at = strstr(usage, tokens[k]);
    if( at ){
      char names[64];
      cli_format_names(names, sizeof names, k, "|", "|");
      fprintf(out, "%.*s%s%s", (int)(at - usage), usage, names, at + strlen(tokens[k]));
      return;
    }
  }
  fputs(usage, out);
}

/* What to type to load the extension in the sqlite3 shell: "tracelm"
** where dlopen finds tracelm.so by name (an install under /usr, or its
** folder on LD_LIBRARY_PATH), else the full path of the one installed (or
** built) beside this program. */
static void extension_to_load(char *out, size_t size){
  static const char *const beside[] = { "/../" TLM_INSTALL_LIBDIR "/tracelm.so", "/../tracelm.so" };
  char self[4096], candidate[4200];
  void *handle = dlopen("tracelm.so", RTLD_LAZY | RTLD_LOCAL);
  ssize_t length;
  snprintf(out, size, "tracelm");
  if( handle ){ dlclose(handle); return; }
  length = readlink("/proc/self/exe", self, sizeof self - 1);
  if( length <= 0 ) return;
  self[length] = 0;
  *strrchr(self, '/') = 0;
  for(int i = 0; i < 2; i++){
    char resolved[4096];
    snprintf(candidate, sizeof candidate, "%s%s", self, beside[i]);
    if( realpath(candidate, resolved) ){
      resolved[strlen(resolved) - 3] = 0;   /* SQLite adds ".so" itself */
      snprintf(out, size, "%s", resolved);
      return;
    }
  }
}

static void print_usage(FILE *out){
  char extension[4096];
  fprintf(out, "tracelm %s: record and analyse traces of LLM pipelines\n\n"
               "Usage: tracelm [--db PATH] COMMAND [OPTIONS]\n\nCommands:\n", TLM_VERSION);
  for(int i = 0; i < COMMAND_COUNT; i++) fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
  extension_to_load(extension, sizeof extension);
  fprintf(out, "\nOptions for every command:\n"
               "  --db PATH   the database (default: $TRACELM_DB, else ./tracelm.db)\n"
               "  --sql       print the SQL the command runs instead of running it\n"
               "  --help      help for the command\n\n"
               "Every report is SQL over the tracelm extension: sqlite3 tracelm.db '.load %s'\n",
          extension);
}

static int utf8_locale(void){
  const char *names[] = { "LC_ALL", "LC_CTYPE", "LANG" };
  for(int i = 0; i < 3; i++){
    const char *value = getenv(names[i]);
    if( value && value[0] ){
      return strcasestr(value, "utf-8") != NULL || strcasestr(value, "utf8") != NULL;
    }
  }
  return 0;
}

int main(int argc, char **argv){
  cli c = {0};
  int i = 1;
  const char *no_color = getenv("NO_COLOR");
  c.color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
  c.ascii = !utf8_locale();
  c.db_path = getenv("TRACELM_DB") && getenv("TRACELM_DB")[0] ? getenv("TRACELM_DB") : "./tracelm.db";
  /* No count of SQLite's memory in use: nothing here reads it, and
  ** keeping it took a global mutex on every allocation, a tenth of
  ** serve's time under load (docs/performance.md).  Before SQLite starts. */
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);

  for(; i < argc && argv[i][0] == '-'; i++){
    if( !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ){ print_usage(stdout); return 0; }
    if( !strcmp(argv[i], "--version") ){ printf("tracelm %s\n", TLM_VERSION); return 0; }
    if( !strcmp(argv[i], "--sql") ){ c.show_sql = 1; continue; }
    if( !strcmp(argv[i], "--db") && i + 1 < argc ){ c.db_path = argv[++i]; continue; }
    return cli_usage_error(&c, "unknown option '%s'", argv[i]);
  }
  if( i == argc ){ print_usage(stderr); return EXIT_USAGE; }
  for(int k = 0; k < COMMAND_COUNT; k++){
    if( strcmp(argv[i], commands[k].name) ) continue;
    c.command = commands[k].name;
    /* Common options may also follow the command; `run` stops at "--". */
    int kept = 0;
    char **rest = argv + i + 1;
    int rest_count = argc - i - 1;
    for(int a = 0; a < rest_count; a++){
      if( !strcmp(rest[a], "--") ){
        while( a < rest_count ) rest[kept++] = rest[a++];
        break;
      }
      if( !strcmp(rest[a], "--help") || !strcmp(rest[a], "-h") ){
        fputs("Usage: tracelm ", stdout);
        print_usage_line(stdout, commands[k].usage);
        printf("\n\n%s\n", commands[k].help);
        return 0;
      }
      if( !strcmp(rest[a], "--sql") ){ c.show_sql = 1; continue; }
      if( !strcmp(rest[a], "--json") ){ c.json = 1; continue; }
      if( !strcmp(rest[a], "--db") ){
        if( a + 1 >= rest_count ) return cli_usage_error(&c, "--db needs a path");
        c.db_path = rest[++a];
        continue;
      }
      rest[kept++] = rest[a];
    }
    return commands[k].run(&c, kept, rest);
  }
  return cli_usage_error(&c, "unknown command '%s'", argv[i]);
}
