/*
** bench_history.c — questions over the whole history: span_stats, by
** model and day, compare_runs, span_cost and a time window, on a file of
** many traces, each against a baseline measured in the same run.
**
** The file: TRACES traces (default 100,000) of 100 spans each, spread over
** 30 days from 2026-11-01 UTC, every other one labelled 'base' or 'cand'.
** A trace is an agent run of nine turns; each turn retrieves (an
** embedding, four parallel searches, a rerank), calls one of five priced
** models (tokens, no recorded cost: the price table prices them), calls
** a tool and formats (depth 4).  'cand' runs search_web 20% slower.  It is
** written once with raw inserts (triggers off, then `traces` and the
** facts marks in one statement each, as fast as SQLite takes rows) and
** kept beside the build as bench_history_TRACES.db for the next run.
**
** Measures (each query on a fresh connection, best of three):
**   raw inserts         the generation itself: SQLite's floor for rows
**   facts build         facts_update() over every trace, spans/s
**   span_stats(NULL)    against a plain GROUP BY over the same facts rows
**                       (sums, min, max: no percentiles) and the GROUP BY
**                       name over spans a user would write
**   by model and day    against the plain GROUP BY model, day
**   compare_runs        the two labels, 50% of the traces each
**   span_cost           sum(cost) against sum(cost) of spans' column
**   7 of 30 days        span_stats over a window against the whole file
**   file size           bytes per span before and after the facts
**   when to build       on a file of its own (20,000 traces), the facts
**                       built lazily (the marks per batch, then one
**                       facts_update) against at write time (facts_update
**                       in every batch's transaction, as the writer would),
**                       and both again with a late child for every trace of
**                       the batch before (as OTLP senders deliver them)
** Prints a table; asserts nothing.  Usage: bench_history [DIR [TRACES]]
**
** bench_history --check DIR TRACES measures nothing: on the same file it
** checks each question's exact answer against plain SQL over `spans` (CI
** runs it on 1,000 traces, 100,000 spans) and prints "N passed, N failed".
*/
#include "tracelm_sqlite.h"
#include "bench_common.h"
#include "schema.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPANS_PER_TRACE 100
#define ROUNDS 3
#define CHUNK 2000

static void exec(sqlite3 *db, const char *sql){
  char *errmsg = NULL;
  if( sqlite3_exec(db, sql, 0, 0, &errmsg) != SQLITE_OK ){
    fprintf(stderr, "bench_history: %s\n  in: %.200s\n", errmsg, sql);
    exit(1);
  }
}

static long long one_int(sqlite3 *db, const char *sql){
  sqlite3_stmt *stmt;
  long long value = 0;
  check(db, sqlite3_prepare_v2(db, sql, -1, &stmt, 0), sql);
  if( sqlite3_step(stmt) == SQLITE_ROW ) value = sqlite3_column_int64(stmt, 0);
  check(db, sqlite3_finalize(stmt), sql);
  return value;
}

static long long file_bytes(sqlite3 *db){
  return one_int(db, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
       - one_int(db, "SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size");
}

/* One chunk of traces [first, first + count).  Span j of trace i: 0 the
** root; then per turn g (0..8) eleven spans, p = (j - 1) % 11. */
static const char chunk_sql[] =
  "WITH RECURSIVE t(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM t WHERE i < ?2),"
  " k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 99),"
  " s AS (SELECT i, j, (j - 1) / 11 AS g, (j - 1) % 11 AS p,"
  "   ?3 + i * ?4 AS t0, (i * 7919 + j * 104729) % 1000 AS r FROM t, k),"
  " v AS (SELECT i, j, g, p, r, t0 + 1000000 + g * 100000000 AS b, t0 FROM s)"
  " INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, model, tokens_in,"
  "   tokens_out, service)"
  " SELECT printf('%032x', i + 1), printf('%016x', j + 1),"
  "  CASE WHEN j = 0 THEN NULL WHEN p IN (0) THEN printf('%016x', 1)"
  "       WHEN p IN (1, 8, 9, 10) THEN printf('%016x', 2 + g * 11)"
  "       ELSE printf('%016x', 3 + g * 11) END,"
  "  CASE WHEN j = 0 THEN 'agent_run' ELSE"
  "   CASE p WHEN 0 THEN 'turn' WHEN 1 THEN 'retrieve' WHEN 2 THEN 'embed_query'"
  "    WHEN 3 THEN 'search_docs' WHEN 4 THEN 'search_faq' WHEN 5 THEN 'search_web'"
  "    WHEN 6 THEN 'search_code' WHEN 7 THEN 'rerank' WHEN 8 THEN 'llm_call'"
  "    WHEN 9 THEN 'tool_call' ELSE 'format' END END,"
  "  CASE WHEN j = 0 THEN t0 WHEN p = 0 THEN b WHEN p = 1 THEN b + 1000000"
  "       WHEN p = 2 THEN b + 1000000 WHEN p <= 6 THEN b + 5000000 WHEN p = 7 THEN b + 26000000"
  "       WHEN p = 8 THEN b + 30000000 WHEN p = 9 THEN b + 96000000 ELSE b + 98000000 END,"
  "  CASE WHEN j = 0 THEN t0 + 902000000 WHEN p = 0 THEN b + 100000000 WHEN p = 1 THEN b + 30000000"
  "       WHEN p = 2 THEN b + 2000000 + r * 3000"
  "       WHEN p <= 6 THEN b + 5000000 + (5000000 + r * 15000) * iif(p = 5 AND i % 2 = 1, 12, 10) / 10"
  "       WHEN p = 7 THEN b + 29000000 WHEN p = 8 THEN b + 50000000 + r * 45000"
  "       WHEN p = 9 THEN b + 97000000 + r * 1000 ELSE b + 99000000 END,"
  "  iif(p = 8 AND j > 0, CASE (i + g) % 5 WHEN 0 THEN 'gpt-4o-mini' WHEN 1 THEN 'gpt-4o'"
  "    WHEN 2 THEN 'claude-3-5-sonnet-20241022' WHEN 3 THEN 'claude-3-5-haiku-20241022'"
  "    ELSE 'gemini-2.0-flash' END, NULL),"
  "  iif(p = 8 AND j > 0, 400 + r, 0), iif(p = 8 AND j > 0, 40 + r / 10, 0), 'agent'"
  " FROM v";

/* How generate() keeps `traces` and the facts: once at the end (the main
** file), or per batch as a writer does, the facts then built lazily or in
** the batch's own transaction; optionally with a late child for every
** trace of the batch before. */
enum { FACTS_AT_END, FACTS_LAZY, FACTS_AT_WRITE };

/* Per batch [?1, ?2] of trace numbers: its `traces` rows and marks. */
static const char batch_traces_sql[] =
  "INSERT INTO traces(trace_id, start_ns, end_ns, root_span_id, root_name, service, span_count,"
  "  tokens_in, tokens_out, label)"
  " SELECT trace_id, min(start_ns), max(end_ns), max(iif(parent_id IS NULL, span_id, NULL)),"
  "  'agent_run', 'agent', count(*), sum(tokens_in), sum(tokens_out),"
  "  iif(instr('13579bdf', substr(trace_id, 32)) > 0, 'base', 'cand')"
  " FROM spans WHERE trace_id BETWEEN printf('%032x', ?1 + 1) AND printf('%032x', ?2 + 1)"
  " GROUP BY trace_id;"
  "INSERT OR IGNORE INTO facts_dirty"
  " SELECT trace_id FROM traces WHERE trace_id BETWEEN printf('%032x', ?1 + 1) AND printf('%032x', ?2 + 1)";
/* A late child (a span id past the trace's hundred) of every trace in
** [?1, ?2], inside its root's time; its trace marked and counted. */
static const char late_children_sql[] =
  "INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, service)"
  " SELECT trace_id, printf('%016x', 1000), root_span_id, 'late_callback', start_ns + 1000, start_ns + 2000,"
  "  'agent' FROM traces WHERE trace_id BETWEEN printf('%032x', ?1 + 1) AND printf('%032x', ?2 + 1);"
  "UPDATE traces SET span_count = span_count + 1"
  " WHERE trace_id BETWEEN printf('%032x', ?1 + 1) AND printf('%032x', ?2 + 1);"
  "INSERT OR IGNORE INTO facts_dirty"
  " SELECT trace_id FROM traces WHERE trace_id BETWEEN printf('%032x', ?1 + 1) AND printf('%032x', ?2 + 1)";

/* sql (several statements) with ?1 and ?2 bound in each. */
static void exec_range(sqlite3 *db, const char *sql, long long first, long long last){
  const char *tail = sql;
  while( tail && *tail ){
    sqlite3_stmt *stmt;
    check(db, sqlite3_prepare_v2(db, tail, -1, &stmt, &tail), tail);
    if( stmt == NULL ) break;
    sqlite3_bind_int64(stmt, 1, first);
    sqlite3_bind_int64(stmt, 2, last);
    check(db, sqlite3_step(stmt), "batch");
    check(db, sqlite3_finalize(stmt), "batch");
  }
}

static void generate(const char *path, long long traces, int facts, int late, double *seconds){
  sqlite3 *db;
  sqlite3_stmt *chunk;
  /* 30 days over the traces, from 2026-11-01 00:00 UTC. */
  long long first_ns = 1793491200LL * 1000000000LL;
  long long step_ns = 30LL * 86400 * 1000000000LL / traces;
  unlink(path);
  check(db, sqlite3_open(path, &db), "open");
  exec(db, "SELECT tracelm_init(); PRAGMA journal_mode=WAL;");   /* the schema first: auto_vacuum */
  /* As the recorder's writer does: no per-span trigger but the one that
  ** stores a call's price as it is written (the writer's own statement);
  ** `traces` and the facts marks below, once per trace.  The others are
  ** set aside and made again at the end. */
  sqlite3_str *triggers = sqlite3_str_new(db);
  {
    sqlite3_stmt *stmt;
    check(db, sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
        " AND tbl_name = 'spans' AND name <> 'spans_insert_stores_price'", -1, &stmt, 0), "triggers");
    while( sqlite3_step(stmt) == SQLITE_ROW ){
      char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", (const char *)sqlite3_column_text(stmt, 0));
      sqlite3_str_appendf(triggers, "%s;\n", (const char *)sqlite3_column_text(stmt, 1));
      exec(db, drop);
      sqlite3_free(drop);
    }
    sqlite3_finalize(stmt);
  }
  char *restore = sqlite3_str_finish(triggers);
  check(db, sqlite3_prepare_v2(db, chunk_sql, -1, &chunk, 0), "prepare");
  double start = now_s();
  for(long long i = 0; i < traces; i += CHUNK){
    long long last = i + CHUNK - 1 < traces - 1 ? i + CHUNK - 1 : traces - 1;
    exec(db, "BEGIN");
    sqlite3_bind_int64(chunk, 1, i);
    sqlite3_bind_int64(chunk, 2, last);
    sqlite3_bind_int64(chunk, 3, first_ns);
    sqlite3_bind_int64(chunk, 4, step_ns);
    check(db, sqlite3_step(chunk), "insert");
    sqlite3_reset(chunk);
    if( facts != FACTS_AT_END ){
      exec_range(db, batch_traces_sql, i, last);
      if( late && i > 0 ) exec_range(db, late_children_sql, i - CHUNK, i - 1);
      if( facts == FACTS_AT_WRITE ) exec(db, "SELECT facts_update()");
    }
    exec(db, "COMMIT");
    if( isatty(2) ) fprintf(stderr, "\rgenerating: %lld of %lld traces", last + 1, traces);
  }
  *seconds = now_s() - start;
  if( isatty(2) ) fprintf(stderr, "\n");
  sqlite3_finalize(chunk);
  exec(db, restore);
  sqlite3_free(restore);
  if( facts != FACTS_AT_END ){
    sqlite3_close(db);
    return;
  }
  exec(db, "BEGIN;"
    "INSERT INTO traces(trace_id, start_ns, end_ns, root_span_id, root_name, service, span_count,"
    "  tokens_in, tokens_out, label)"
    " SELECT trace_id, min(start_ns), max(end_ns), max(iif(parent_id IS NULL, span_id, NULL)),"
    "  'agent_run', 'agent', count(*), sum(tokens_in), sum(tokens_out),"
    "  iif(instr('13579bdf', substr(trace_id, 32)) > 0, 'base', 'cand')"
    " FROM spans GROUP BY trace_id;"
    "INSERT INTO facts_dirty SELECT trace_id FROM traces;"
    "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);");
  sqlite3_close(db);
}

static void row(const char *what, double seconds, long long rows, double baseline, const char *target){
  printf("%-46s %9.3f %9lld %7.2fx  %s\n", what, seconds, rows, baseline > 0 ? seconds / baseline : 1.0,
         target);
}

/* A target of the issue, met or missed by how much, and why when missed. */
static void verdict(const char *what, double value, double target, const char *unit, const char *why){
  if( value <= target ){
    printf("  %-40s met (%.2f%s)\n", what, value, unit);
  }else{
    printf("  %-40s missed by %.0f%% (%.2f%s): %s\n", what, 100.0 * (value - target) / target, value, unit, why);
  }
}

/* --check: one query's rows against another's, as text, in order. */
static int check_same(const char *path, const char *what, const char *got_sql, const char *want_sql){
  sqlite3 *db;
  sqlite3_stmt *stmt;
  char *got = NULL, *want = NULL;
  const char *sqls[2] = { got_sql, want_sql };
  char **outs[2] = { &got, &want };
  check(db, sqlite3_open(path, &db), "open");
  for(int i = 0; i < 2; i++){
    check(db, sqlite3_prepare_v2(db, sqls[i], -1, &stmt, 0), sqls[i]);
    sqlite3_str *text = sqlite3_str_new(db);
    while( sqlite3_step(stmt) == SQLITE_ROW ){
      for(int c = 0; c < sqlite3_column_count(stmt); c++){
        const unsigned char *v = sqlite3_column_text(stmt, c);
        sqlite3_str_appendf(text, "%s%s", c ? "|" : "", v ? (const char *)v : "NULL");
      }
      sqlite3_str_appendchar(text, 1, '\n');
    }
    check(db, sqlite3_finalize(stmt), sqls[i]);
    *outs[i] = sqlite3_str_finish(text);
  }
  int same = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
  int rows = 0;
  for(const char *p = want; p && *p; p++) rows += *p == '\n';
  if( same ) printf("ok   %s (%d rows)\n", what, rows);
  else printf("FAIL %s\n     got:\n%s\n     want:\n%s\n", what, got ? got : "", want ? want : "");
  sqlite3_free(got);
  sqlite3_free(want);
  sqlite3_close(db);
  return same;
}

/* Nearest-rank percentiles by window functions, per group g of rows (g, d). */
#define RANKS(rows) "SELECT g, count(*), sum(d), min(d), max(d)," \
  " max(iif(r = (n * 50 + 99) / 100, d, NULL)), max(iif(r = (n * 90 + 99) / 100, d, NULL))," \
  " max(iif(r = (n * 99 + 99) / 100, d, NULL)) FROM (SELECT g, d," \
  " row_number() OVER (PARTITION BY g ORDER BY d) AS r, count(*) OVER (PARTITION BY g) AS n" \
  " FROM (" rows ")) GROUP BY g ORDER BY g"

static int run_checks(const char *path){
  int passed = 0, failed = 0;
  #define CHECK(what, got, want) (check_same(path, what, got, want) ? passed++ : failed++)
  CHECK("span_stats(NULL): count, total, min, max, p50, p90, p99 per name",
        "SELECT name, count, total_ns, min_ns, max_ns, p50_ns, p90_ns, p99_ns FROM span_stats(NULL) ORDER BY name",
        RANKS("SELECT name AS g, end_ns - start_ns AS d FROM spans"));
  CHECK("span_stats(NULL): self time of leaves, critical path of format (last in every turn)",
        "SELECT name, self_ns FROM span_stats(NULL) WHERE name IN ('embed_query', 'search_web', 'rerank')"
        " UNION ALL SELECT name, critical_ns FROM span_stats(NULL) WHERE name = 'format' ORDER BY 1",
        "SELECT name, sum(end_ns - start_ns) FROM spans WHERE name IN ('embed_query', 'search_web', 'rerank',"
        " 'format') GROUP BY name ORDER BY 1");
  CHECK("span_stats by model,day: spans, tokens and cost as span_cost prices them",
        "SELECT day, model, count, tokens_in, tokens_out, printf('%.9f', cost)"
        " FROM span_stats(NULL, NULL, NULL, 'model,day') WHERE model IS NOT NULL ORDER BY day, model",
        "SELECT date(start_ns / 1000000000, 'unixepoch') AS day, model, count(*), sum(tokens_in),"
        " sum(tokens_out), printf('%.9f', sum(cost)) FROM span_cost WHERE model IS NOT NULL"
        " GROUP BY day, model ORDER BY day, model");
  CHECK("span_stats over 7 of 30 days: the traces that start in the window",
        "SELECT name, count, total_ns, p99_ns FROM span_stats(NULL, '2026-11-08', '2026-11-15') ORDER BY name",
        "SELECT g, count(*), sum(d), max(iif(r = (n * 99 + 99) / 100, d, NULL)) FROM (SELECT g, d,"
        " row_number() OVER (PARTITION BY g ORDER BY d) AS r, count(*) OVER (PARTITION BY g) AS n FROM"
        " (SELECT s.name AS g, s.end_ns - s.start_ns AS d FROM spans s JOIN traces t USING (trace_id)"
        "  WHERE t.start_ns >= unixepoch('2026-11-08') * 1000000000"
        "    AND t.start_ns < unixepoch('2026-11-15') * 1000000000)) GROUP BY g ORDER BY g");
  CHECK("span_stats of a label: as the plain query over its traces",
        "SELECT name, count, total_ns, p50_ns FROM span_stats('cand') ORDER BY name",
        "SELECT g, count(*), sum(d), max(iif(r = (n * 50 + 99) / 100, d, NULL)) FROM (SELECT g, d,"
        " row_number() OVER (PARTITION BY g ORDER BY d) AS r, count(*) OVER (PARTITION BY g) AS n FROM"
        " (SELECT s.name AS g, s.end_ns - s.start_ns AS d FROM spans s JOIN traces t USING (trace_id)"
        "  WHERE t.label = 'cand')) GROUP BY g ORDER BY g");
  CHECK("compare_runs: n and p50 of each side per path",
        "SELECT path, n_a, n_b, p50_a, p50_b FROM compare_runs('base', 'cand') WHERE path <> '*' ORDER BY path",
        "SELECT p, sum(l = 'base'), sum(l = 'cand'),"
        " max(iif(l = 'base' AND r = (n * 50 + 99) / 100, d, NULL)), max(iif(l = 'cand' AND r = (n * 50 + 99) / 100, d, NULL))"
        " FROM (SELECT p, l, d, row_number() OVER (PARTITION BY p, l ORDER BY d) AS r,"
        "  count(*) OVER (PARTITION BY p, l) AS n FROM (SELECT t.label AS l, s.end_ns - s.start_ns AS d,"
        "  CASE WHEN s.parent_id IS NULL THEN 'agent_run' WHEN s.name = 'turn' THEN 'agent_run/turn'"
        "   WHEN s.name IN ('retrieve', 'llm_call', 'tool_call', 'format') THEN 'agent_run/turn/' || s.name"
        "   ELSE 'agent_run/turn/retrieve/' || s.name END AS p FROM spans s JOIN traces t USING (trace_id)))"
        " GROUP BY p ORDER BY p");
  CHECK("compare_runs: search_web, and only it, is slower",
        "SELECT path, change FROM compare_runs('base', 'cand') WHERE change <> 'same'",
        "SELECT 'agent_run/turn/retrieve/search_web', 'slower'");
  CHECK("trace_summary(NULL): traces, spans, p50, p90, p99 and max of the traces' durations",
        "SELECT s ->> 'traces', s ->> 'spans', s ->> 'p50_ns', s ->> 'p90_ns', s ->> 'p99_ns', s ->> 'max_ns'"
        " FROM (SELECT trace_summary(NULL) AS s)",
        "SELECT count(*), sum(c), max(iif(r = (n * 50 + 99) / 100, d, NULL)), max(iif(r = (n * 90 + 99) / 100, d, NULL)),"
        " max(iif(r = (n * 99 + 99) / 100, d, NULL)), max(d) FROM (SELECT d, c, row_number() OVER (ORDER BY d) AS r,"
        " count(*) OVER () AS n FROM (SELECT end_ns - start_ns AS d, span_count AS c FROM traces))");
  CHECK("trace_summary of a label: its traces and their cost as span_cost prices them",
        "SELECT s ->> 'traces', printf('%.6f', s ->> 'cost') FROM (SELECT trace_summary('base') AS s)",
        "SELECT count(DISTINCT c.trace_id), printf('%.6f', sum(c.cost)) FROM span_cost c"
        " JOIN traces t USING (trace_id) WHERE t.label = 'base'");
  CHECK("the facts: every trace built, every span once",
        "SELECT (SELECT count(*) FROM trace_facts), (SELECT count(*) FROM span_facts), (SELECT count(*) FROM facts_dirty)",
        "SELECT (SELECT count(*) FROM traces), (SELECT count(*) FROM spans), 0");
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

/* Facts lazily against at write time, on a file of its own: the time to
** take every batch in (what a writer spends, and so what it can ingest),
** then the time to build what is still marked (what the first question
** pays), spans per second over both. */
static void when_to_build(const char *dir, long long traces){
  static const char *const names[2][2] = {
    { "facts lazily (marks per batch, built at the end)", "facts at write time (in every batch)" },
    { "  the same, a late child for every trace", "  the same, a late child for every trace" },
  };
  char path[4096];
  snprintf(path, sizeof path, "%s/bench_history_when.db", dir);
  printf("\nwhen to build the facts: %lld traces of %d spans, batches of %d traces\n",
         traces, SPANS_PER_TRACE, CHUNK);
  printf("%-50s %9s %9s %9s %9s\n", "", "ingest s", "build s", "spans", "spans/s");
  for(int late = 0; late < 2; late++){
    for(int mode = FACTS_LAZY; mode <= FACTS_AT_WRITE; mode++){
      double ingest_s, build_s;
      sqlite3 *db;
      generate(path, traces, mode, late, &ingest_s);
      check(db, sqlite3_open(path, &db), "open");
      double start = now_s();
      one_int(db, "SELECT facts_update()");
      build_s = now_s() - start;
      long long spans = one_int(db, "SELECT count(*) FROM spans");
      long long built = one_int(db, "SELECT sum(spans) FROM trace_facts");
      sqlite3_close(db);
      if( built != spans ){ fprintf(stderr, "bench_history: %lld spans, %lld with facts\n", spans, built); exit(1); }
      printf("%-50s %9.3f %9.3f %9lld %9.0f\n", names[late][mode - FACTS_LAZY], ingest_s, build_s, spans,
             spans / (ingest_s + build_s));
    }
  }
  unlink(path);
}

int main(int argc, char **argv){
  int checking = argc > 1 && strcmp(argv[1], "--check") == 0;
  if( checking ){ argv++; argc--; }
  const char *dir = argc > 1 ? argv[1] : ".";
  long long traces = argc > 2 ? atoll(argv[2]) : 100000, rows, base_rows;
  char path[4096];
  double generate_s = 0, build_s = 0;
  long long bytes_before = 0, bytes_after, spans;
  int kept = 0;
  sqlite3 *db;
  if( traces < 10 ){ fprintf(stderr, "bench_history: TRACES must be at least 10\n"); return 2; }
  snprintf(path, sizeof path, "%s/bench_history_%lld.db", dir, traces);
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);

  struct stat st;
  double upgrade_s = -1;
  long long upgraded_from = 0;
  /* A check builds its file anew: a kept one may be of older code, which
  ** is upgraded as a user's file would be (timed). */
  if( !checking && stat(path, &st) == 0 ){
    check(db, sqlite3_open(path, &db), "open");
    upgraded_from = one_int(db, "PRAGMA user_version");
    if( upgraded_from < TLM_SCHEMA_VERSION ){
      double start = now_s();
      exec(db, "SELECT tracelm_init()");
      upgrade_s = now_s() - start;
    }
    kept = one_int(db, "SELECT count(*) FROM trace_facts") == traces
        && one_int(db, "SELECT count(*) FROM facts_dirty") == 0;
    sqlite3_close(db);
  }
  if( !kept ){
    generate(path, traces, FACTS_AT_END, 0, &generate_s);
    check(db, sqlite3_open(path, &db), "open");
    bytes_before = file_bytes(db);
    double start = now_s();
    for(long long done = 0; ; ){
      long long built = one_int(db, "SELECT facts_update(1000)");
      if( built == 0 ) break;
      done += built;
      if( isatty(2) ) fprintf(stderr, "\rbuilding facts: %lld of %lld traces", done, traces);
    }
    build_s = now_s() - start;
    if( isatty(2) ) fprintf(stderr, "\n");
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
  }
  if( checking ) return run_checks(path);
  check(db, sqlite3_open(path, &db), "open");
  spans = one_int(db, "SELECT count(*) FROM spans");
  bytes_after = file_bytes(db);
  sqlite3_close(db);

  printf("bench_history: %lld traces, %lld spans%s\n\n", traces, spans,
         kept ? " (file kept from an earlier run: no generation or build times)" : "");
  if( upgrade_s >= 0 ){
    printf("upgraded from schema version %lld to %d in %.1f s (tracelm_init)\n\n", upgraded_from,
           TLM_SCHEMA_VERSION, upgrade_s);
  }
  printf("%-46s %9s %9s %8s  %s\n", "measure", "seconds", "rows", "ratio", "target");
  if( !kept ){
    printf("%-46s %9.3f %9lld %7.0f/s\n", "raw inserts (generation, price trigger only)", generate_s, spans,
           spans / generate_s);
    printf("%-46s %9.3f %9lld %7.0f/s  %.2fx raw inserts' time\n", "facts build (facts_update)", build_s,
           spans, spans / build_s, build_s / generate_s);
  }

  /* The floor: the columns span_stats reads, read and summed, no grouping. */
  double floor_scan = time_query(path, "SELECT total(path_id), total(start_offset_ns), total(duration_ns),"
      " total(self_ns), total(critical_ns), total(error), total(tokens_in), total(tokens_out), total(cost)"
      " FROM span_facts", &rows, ROUNDS);
  double plain_facts = time_query(path, "SELECT path_id, count(*), sum(duration_ns), sum(self_ns),"
      " min(duration_ns), max(duration_ns), sum(critical_ns), sum(cost), sum(error)"
      " FROM span_facts GROUP BY path_id", &base_rows, ROUNDS);
  long long name_rows;
  double plain_spans = time_query(path, "SELECT name, count(*), avg(end_ns - start_ns)"
      " FROM spans GROUP BY name", &name_rows, ROUNDS);
  double stats = time_query(path, "SELECT * FROM span_stats(NULL)", &rows, ROUNDS);
  row("span_stats(NULL)", stats, rows, plain_facts, "<= 1.5x, <= 3 s");
  row("  baseline: GROUP BY path_id over span_facts", plain_facts, base_rows, plain_facts, "");
  row("  plain GROUP BY name over spans (avg only)", plain_spans, name_rows, plain_facts, "");
  row("  floor: the same columns of span_facts summed", floor_scan, 1, plain_facts, "");

  double plain_md = time_query(path, "SELECT model, (t.start_ns + f.start_offset_ns) / 86400000000000,"
      " count(*), sum(duration_ns), min(duration_ns), max(duration_ns), sum(f.cost)"
      " FROM trace_facts t JOIN span_facts f USING (trace_key) GROUP BY 1, 2", &base_rows, ROUNDS);
  double by_md = time_query(path, "SELECT * FROM span_stats(NULL, NULL, NULL, 'model,day')", &rows, ROUNDS);
  row("span_stats(NULL, NULL, NULL, 'model,day')", by_md, rows, plain_md, "<= 1.5x, <= 3 s");
  row("  baseline: GROUP BY model, day over span_facts", plain_md, base_rows, plain_md, "");

  double runs = time_query(path, "SELECT * FROM compare_runs('base', 'cand')", &rows, ROUNDS);
  row("compare_runs('base', 'cand')", runs, rows, floor_scan, "<= 2 s (ratio: to the floor)");

  double cost_plain = time_query(path, "SELECT sum(cost) FROM spans", &base_rows, ROUNDS);
  double cost_view = time_query(path, "SELECT sum(cost) FROM span_cost", &rows, ROUNDS);
  row("sum(cost) FROM span_cost", cost_view, rows, cost_plain, "<= 1.2x");
  row("  baseline: sum(cost) FROM spans", cost_plain, base_rows, cost_plain, "");

  double traces_plain = time_query(path, "SELECT count(*), sum(span_count), max(end_ns - start_ns),"
      " sum(errors > 0) FROM traces", &base_rows, ROUNDS);
  double summary_all = time_query(path, "SELECT trace_summary(NULL)", &rows, ROUNDS);
  row("trace_summary(NULL)", summary_all, rows, traces_plain, "(ratio: to the plain aggregate)");
  row("  baseline: count, sum, max over traces", traces_plain, base_rows, traces_plain, "");
  double label_plain = time_query(path, "SELECT count(*), sum(span_count), max(end_ns - start_ns),"
      " sum(errors > 0) FROM traces WHERE label = 'base'", &base_rows, ROUNDS);
  double summary_label = time_query(path, "SELECT trace_summary('base')", &rows, ROUNDS);
  row("trace_summary('base')", summary_label, rows, label_plain, "(ratio: to the plain aggregate)");
  row("  baseline: the same over the label's traces", label_plain, base_rows, label_plain, "");

  /* 2026-11-08 .. 2026-11-15: 7 of the 30 days. */
  double week = time_query(path, "SELECT * FROM span_stats(NULL, '2026-11-08', '2026-11-15')", &rows, ROUNDS);
  row("span_stats over 7 of 30 days", week, rows, stats, "~ 7/30 = 0.23x");

  printf("%-46s %9s %9lld %7.1f B  before the facts: %.1f B (%+.0f%%; target <= +25%%)\n",
         "file bytes per span", "", spans, (double)bytes_after / spans,
         bytes_before ? (double)bytes_before / spans : 0.0,
         bytes_before ? 100.0 * (bytes_after - bytes_before) / bytes_before : 0.0);
  char why_floor[200], why_compare[200], why_cost[240];
  snprintf(why_floor, sizeof why_floor, "reading the facts' columns alone takes %.2f s (the floor row)",
           floor_scan);
  snprintf(why_compare, sizeof why_compare, "it reads both sets' facts (the floor, %.2f s) and sorts"
           " %lld durations", floor_scan, spans);
  snprintf(why_cost, sizeof why_cost, "span_cost reads each call's stored price, but through a CASE"
           " a span (recorded, no model, a price change pending) that a plain column does not pay");
  double growth = bytes_before ? 100.0 * (bytes_after - bytes_before) / bytes_before : 0.0;
  printf("\ntargets, this run:\n");
  verdict("span_stats(NULL) <= 1.5x baseline", stats / plain_facts, 1.5, "x", "");
  verdict("span_stats(NULL) <= 3 s", stats, 3.0, " s", why_floor);
  verdict("by model and day <= 1.5x baseline", by_md / plain_md, 1.5, "x", "");
  verdict("by model and day <= 3 s", by_md, 3.0, " s", why_floor);
  verdict("compare_runs <= 2 s", runs, 2.0, " s", why_compare);
  verdict("sum(cost) through span_cost <= 1.2x", cost_view / cost_plain, 1.2, "x", why_cost);
  verdict("7 of 30 days <= 7/30 of the whole, +50%", week / stats, 7.0 / 30 * 1.5, "x",
          "a window reads its traces through trace_facts_by_start; the rest is fixed cost");
  if( bytes_before ) verdict("file size per span <= +25%", growth, 25.0, "%",
                             "span_facts holds 19 columns a span");
  {
    /* What the runs found, so the table measures questions that work. */
    sqlite3_stmt *stmt;
    check(db, sqlite3_open(path, &db), "open");
    check(db, sqlite3_prepare_v2(db, "SELECT path, change, p50_change_pct FROM compare_runs('base', 'cand')"
        " WHERE change <> 'same' ORDER BY path", -1, &stmt, 0), "prepare");
    printf("\ncompare_runs found:");
    while( sqlite3_step(stmt) == SQLITE_ROW ){
      printf(" %s %s (%+.1f%%)", sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 1),
             sqlite3_column_double(stmt, 2));
    }
    sqlite3_finalize(stmt);
    printf("\n");
    sqlite3_close(db);
  }
  when_to_build(dir, traces < 20000 ? traces : 20000);
  printf("\nratio: the row's time over its baseline's, same file, same run; best of %d,\n"
         "each on a fresh connection.\n", ROUNDS);
  return 0;
}
