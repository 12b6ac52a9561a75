/*
** prune.c — `tracelm prune`: delete whole old traces, in steps short
** enough that a program recording into the same file waits at most one.
**
**   tracelm prune --older-than 30d
**   tracelm prune --keep-last 10000 --dry-run
**
** A trace goes with everything of it: spans, events, links, per-span
** facts, its traces row; resources and scopes no span uses any more go
** last.  Nothing of a kept trace changes.  Each step is one IMMEDIATE
** transaction of PRUNE_STEP traces, run with triggers off (the steps
** clear each table once rather than once per span): Ctrl-C or a crash
** between steps leaves the file whole, with fewer traces.
*/
#include "cli.h"
#include "tlm_prune_select_sql.h"
#include "tlm_prune_step_sql.h"
#include "tlm_prune_finish_sql.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PRUNE_STEP "100"
#define VACUUM_STEP "2048"   /* pages: 8 MiB of 4 KiB pages a transaction */

static long long one_int(sqlite3 *db, const char *sql, const char *param, int *ok){
  sqlite3_stmt *stmt;
  long long value = 0;
  *ok = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK;
  if( !*ok ) return 0;
  if( param ) sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
  if( sqlite3_step(stmt) == SQLITE_ROW ) value = sqlite3_column_int64(stmt, 0);
  *ok = sqlite3_finalize(stmt) == SQLITE_OK;
  return value;
}

/* Run a script of statements whose ?1 (and ?2) are text. */
static int run_script(sqlite3 *db, const char *sql, const char *p1, const char *p2){
  const char *tail = sql;
  while( tail && *tail ){
    sqlite3_stmt *stmt;
    if( sqlite3_prepare_v2(db, tail, -1, &stmt, &tail) != SQLITE_OK ) return 1;
    if( stmt == NULL ) break;
    if( sqlite3_bind_parameter_count(stmt) >= 1 ) sqlite3_bind_text(stmt, 1, p1, -1, SQLITE_STATIC);
    if( sqlite3_bind_parameter_count(stmt) >= 2 ) sqlite3_bind_text(stmt, 2, p2, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if( rc != SQLITE_DONE && rc != SQLITE_ROW ) return 1;
  }
  return 0;
}

/* --older-than: '30d' (s, m, h, d, w), a date, or ns since 1970 -> ns. */
static int cutoff_ns(sqlite3 *db, const char *text, char out[32]){
  char modifier[48];
  const char *age = cli_relative_time(text, modifier, sizeof modifier);
  int ok;
  long long ns;
  if( text[0] && text[strspn(text, "0123456789")] == 0 ){
    snprintf(out, 32, "%s", text);
    return 0;
  }
  ns = one_int(db, age != text
      ? "SELECT CAST((julianday('now', ?1) - 2440587.5) * 86400000 AS INTEGER) * 1000000"
      : "SELECT CAST((julianday(?1) - 2440587.5) * 86400000 AS INTEGER) * 1000000", age, &ok);
  if( !ok || ns == 0 ) return 1;
  snprintf(out, 32, "%lld", ns);
  return 0;
}

int cmd_prune(cli *c, int argc, char **argv){
  const char *older = NULL, *keep = NULL;
  char cutoff[32] = "";
  int dry_run = 0, status, ok, progress = isatty(2);
  long long traces, spans, done = 0, pages_before, auto_vacuum;
  int64_t start;
  sqlite3 *db;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--dry-run") ){ dry_run = 1; continue; }
    const char **slot = !strcmp(argv[i], "--older-than") ? &older : !strcmp(argv[i], "--keep-last") ? &keep : NULL;
    if( slot == NULL ) return cli_usage_error(c, "unknown argument '%s'", argv[i]);
    if( i + 1 >= argc ) return cli_usage_error(c, "%s needs a value", argv[i]);
    *slot = argv[++i];
  }
  if( !older && !keep ) return cli_usage_error(c, "say what goes: --older-than 30d (or a date), --keep-last N, or both");
  if( keep && (keep[0] == 0 || keep[strspn(keep, "0123456789")] != 0) ){
    return cli_usage_error(c, "--keep-last takes a count of traces, not '%s'", keep);
  }
  if( (status = cli_open(c, 1, &db)) ) return status;
  if( older && cutoff_ns(db, older, cutoff) ){
    sqlite3_close(db);
    return cli_usage_error(c, "--older-than takes an age (30d, 12h, 2w), a date or ns, not '%s'", older);
  }
  if( c->show_sql ){
    printf("-- ?1 = '%s', ?2 = '%s'\n%s\n-- each step, ?1 = '%s'\n%s\n%s", cutoff, keep ? keep : "",
           tlm_prune_select_sql, PRUNE_STEP, tlm_prune_step_sql, tlm_prune_finish_sql);
    sqlite3_close(db);
    return 0;
  }
  start = cli_now_ns();
  if( run_script(db, tlm_prune_select_sql, cutoff, keep ? keep : "") ){
    status = cli_fail(c, "%s", cli_sql_error(db));
    sqlite3_close(db);
    return status;
  }
  traces = one_int(db, "SELECT count(*) FROM prune_candidates", NULL, &ok);
  spans = one_int(db, "SELECT coalesce(sum(span_count), 0) FROM traces"
                      " WHERE trace_id IN (SELECT trace_id FROM prune_candidates)", NULL, &ok);
  if( dry_run || traces == 0 ){
    printf("%s %lld traces (%lld spans)%s\n", dry_run ? "Would prune" : "Pruned", traces, spans,
           traces ? "; nothing deleted (--dry-run)" : "");
    sqlite3_close(db);
    return 0;
  }
  pages_before = one_int(db, "SELECT freelist_count FROM pragma_freelist_count", NULL, &ok);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)0);
  while( done < traces ){
    if( sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK
     || run_script(db, tlm_prune_step_sql, PRUNE_STEP, NULL)
     || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ){
      status = cli_fail(c, "stopped after %lld of %lld traces (the file is whole): %s", done, traces,
                        cli_sql_error(db));
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      sqlite3_close(db);
      return status;
    }
    done += atoi(PRUNE_STEP);
    if( done > traces ) done = traces;
    if( progress ) fprintf(stderr, "\rpruning: %lld of %lld traces", done, traces);
  }
  if( progress ) fprintf(stderr, "\n");
  if( run_script(db, tlm_prune_finish_sql, NULL, NULL) ){
    status = cli_fail(c, "%s", cli_sql_error(db));
    sqlite3_close(db);
    return status;
  }
  double seconds = (double)(cli_now_ns() - start) / 1e9;
  long long page_size = one_int(db, "PRAGMA page_size", NULL, &ok);
  long long freed = one_int(db, "SELECT freelist_count FROM pragma_freelist_count", NULL, &ok) - pages_before;
  auto_vacuum = one_int(db, "PRAGMA auto_vacuum", NULL, &ok);
  printf("Pruned %lld traces (%lld spans) in %.1f s, %.0f spans/s; %.1f MB of pages freed", traces,
         spans, seconds, seconds > 0 ? spans / seconds : 0.0, freed * page_size / 1e6);
  if( auto_vacuum == 2 ){
    /* Returned in steps, each its own transaction, for the same reason
    ** the deletes are. */
    long long before = one_int(db, "SELECT page_count FROM pragma_page_count", NULL, &ok), left;
    do{
      if( sqlite3_exec(db, "PRAGMA incremental_vacuum(" VACUUM_STEP ")", NULL, NULL, NULL) != SQLITE_OK ) break;
      left = one_int(db, "SELECT freelist_count FROM pragma_freelist_count", NULL, &ok);
    }while( ok && left > 0 );
    long long after = one_int(db, "SELECT page_count FROM pragma_page_count", NULL, &ok);
    printf(", %.1f MB returned to the file system\n", (before - after) * page_size / 1e6);
  }else{
    printf(" for new spans (this file predates auto_vacuum: VACUUM returns them to the file system)\n");
  }
  sqlite3_close(db);
  return 0;
}
