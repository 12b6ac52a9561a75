/*
** stats.c — `tracelm stats`: span_stats() over the whole history, a run
** or a window, grouped by name, model, service, day, label or path, or
** with --traces trace_summary() over the same traces, per root; and
** the building of per-span facts with progress, which stats and compare
** share.
**
**   tracelm stats --since 7d --by model,day
**   tracelm stats --label main --format markdown
**   tracelm stats --traces --since 7d
*/
#include "cli.h"
#include "tlm_stats_sql.h"
#include "tlm_stats_json_sql.h"
#include "tlm_stats_traces_sql.h"
#include "tlm_stats_traces_json_sql.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Traces per transaction: a recording writer waits at most one step. */
#define FACTS_STEP 1000

int cli_build_facts(const cli *c, sqlite3 *db){
  sqlite3_stmt *count, *step;
  long long marked = 0, done = 0;
  int progress = isatty(2) && !c->show_sql;
  if( c->show_sql ) return 0;
  if( sqlite3_prepare_v2(db, "SELECT count(*) FROM facts_dirty", -1, &count, NULL) != SQLITE_OK ){
    return 0;    /* no facts tables: the queries compute what they need */
  }
  if( sqlite3_step(count) == SQLITE_ROW ) marked = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  if( marked == 0 ) return 0;
  if( sqlite3_prepare_v2(db, "SELECT facts_update(?1)", -1, &step, NULL) != SQLITE_OK ) return 0;
  sqlite3_bind_int(step, 1, FACTS_STEP);
  for(;;){
    long long built;
    if( sqlite3_step(step) != SQLITE_ROW ){
      /* Read-only or locked: the query computes the marked traces itself. */
      break;
    }
    built = sqlite3_column_int64(step, 0);
    sqlite3_reset(step);
    if( built == 0 ) break;
    done += built;
    if( progress ){
      fprintf(stderr, "\rbuilding span facts: %lld of %lld traces", done < marked ? done : marked, marked);
    }
  }
  sqlite3_finalize(step);
  if( progress && done > 0 ) fprintf(stderr, "\n");
  return 0;
}

const char *cli_relative_time(const char *text, char *buffer, size_t size){
  static const struct { char unit; const char *word; int times; } units[] = {
    { 's', "seconds", 1 }, { 'm', "minutes", 1 }, { 'h', "hours", 1 }, { 'd', "days", 1 },
    { 'w', "days", 7 },
  };
  size_t length = strlen(text), digits = strspn(text, "0123456789");
  if( length < 2 || digits != length - 1 ) return text;
  for(size_t i = 0; i < sizeof units / sizeof units[0]; i++){
    if( text[length - 1] == units[i].unit ){
      snprintf(buffer, size, "-%lld %s", atoll(text) * units[i].times, units[i].word);
      return buffer;
    }
  }
  return text;
}

/* The grouping's columns for stats.sql, in by's order; "" when by is bad
** (span_stats says why). */
static int group_columns(const char *by, char *columns, size_t size, int *by_day){
  static const char *const words[] = { "name", "path", "model", "service", "label", "day" };
  const char *p = by;
  size_t used = 0;
  columns[0] = 0;
  *by_day = 0;
  while( *p ){
    size_t length = strcspn(p, ", ");
    for(size_t i = 0; i < sizeof words / sizeof words[0]; i++){
      if( length == strlen(words[i]) && strncmp(p, words[i], length) == 0 ){
        int n = snprintf(columns + used, size - used, "coalesce(%s, '-') AS \"%s\", ", words[i], words[i]);
        if( n < 0 || (size_t)n >= size - used ) return 1;
        used += (size_t)n;
        *by_day |= i == 5;
      }
    }
    p += length;
    p += strspn(p, ", ");
  }
  return 0;
}

static char *replace(const char *text, const char *token, const char *with){
  const char *at = strstr(text, token);
  size_t before = (size_t)(at - text), length = strlen(text) - strlen(token) + strlen(with) + 1;
  char *out = malloc(length);
  if( out == NULL ) return NULL;
  memcpy(out, text, before);
  strcpy(out + before, with);
  strcat(out, at + strlen(token));
  return out;
}

int cmd_stats(cli *c, int argc, char **argv){
  const char *set = "", *since = "", *until = "", *by = "name", *format = "table", *limit = "-1";
  char since_text[48], until_text[48], columns[512];
  int status, by_day, traces = 0, by_given = 0;
  sqlite3 *db;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--traces") ){ traces = 1; continue; }
    by_given |= !strcmp(argv[i], "--by");
    const char **slot = !strcmp(argv[i], "--label") || !strcmp(argv[i], "--set") ? &set
                      : !strcmp(argv[i], "--since") ? &since
                      : !strcmp(argv[i], "--until") ? &until
                      : !strcmp(argv[i], "--by") ? &by
                      : !strcmp(argv[i], "--format") ? &format
                      : !strcmp(argv[i], "--limit") ? &limit : NULL;
    if( slot == NULL ) return cli_usage_error(c, "unknown argument '%s'", argv[i]);
    if( i + 1 >= argc ) return cli_usage_error(c, "%s needs a value", argv[i]);
    *slot = argv[++i];
  }
  print_style style = !strcmp(format, "table") ? PRINT_TABLE : !strcmp(format, "markdown") ? PRINT_MARKDOWN
                    : !strcmp(format, "csv") ? PRINT_CSV : !strcmp(format, "json") ? PRINT_LINES : -1;
  if( (int)style < 0 ) return cli_usage_error(c, "--format must be table, markdown, csv or json, not '%s'", format);
  if( limit[strspn(limit, "0123456789")] != 0 && strcmp(limit, "-1") != 0 ){
    return cli_usage_error(c, "--limit takes a count of rows, not '%s'", limit);
  }
  if( strcmp(limit, "0") == 0 ) limit = "-1";
  if( traces && by_given ) return cli_usage_error(c, "--traces groups traces by their root; --by groups spans");
  since = cli_relative_time(since, since_text, sizeof since_text);
  until = cli_relative_time(until, until_text, sizeof until_text);
  if( group_columns(by, columns, sizeof columns, &by_day) ) return cli_usage_error(c, "--by lists too much");
  if( (status = cli_open(c, 1, &db)) ) return status;
  cli_build_facts(c, db);
  if( traces ){
    status = cli_print_query(c, db, style == PRINT_LINES ? tlm_stats_traces_json_sql : tlm_stats_traces_sql,
                             style, set, since, until, by, limit, NULL);
  }else if( style == PRINT_LINES ){
    status = cli_print_query(c, db, tlm_stats_json_sql, style, set, since, until, by, limit, NULL);
  }else{
    char *with_columns = replace(tlm_stats_sql, "GROUP_COLUMNS", columns);
    char *sql = with_columns ? replace(with_columns, "GROUP_ORDER", by_day ? "day, " : "") : NULL;
    status = sql ? cli_print_query(c, db, sql, style, set, since, until, by, limit, NULL)
                 : cli_fail(c, "out of memory");
    free(with_columns);
    free(sql);
  }
  sqlite3_close(db);
  return status;
}
