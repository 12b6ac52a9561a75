/*
** bench_compare.c — compare_runs() on two sets of a thousand runs.
**
** Two labels, 1000 traces each, 100 spans a trace (200,000 spans): a root
** and 99 spans in a four-wide tree whose names repeat across traces, so
** every trace has the same paths; set B's "retrieve" spans are 10% slower.
** Each measure runs on a fresh connection, best of three.
**
** Baseline, same run: a plain SQL GROUP BY over the same spans, per label
** and span name, with p50/p90/p99 by window functions (row_number and
** count over each group) — the query a user would write without
** compare_runs (it groups by name, not by path, and computes no test).
** Prints a table; asserts nothing.  Usage: bench_compare [DIR]
*/
#include "tracelm_sqlite.h"
#include "bench_common.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TRACES_PER_SET 1000
#define SPANS_PER_TRACE 100
#define ROUNDS 3

/* Spans by SQL: span k (1..99) hangs under span (k - 1) / 4, named by its
** position, lasting a pseudo-random time; B's retrieve spans +10%. */
static void generate(const char *path){
  sqlite3 *db;
  unlink(path);
  check(db, sqlite3_open(path, &db), "open");
  check(db, sqlite3_exec(db, "SELECT tracelm_init(); PRAGMA journal_mode=WAL; BEGIN;"
    "WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < 1999),"
    " k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 99)"
    " INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, tokens_in, tokens_out, cost)"
    " SELECT printf('%032x', i + 1), printf('%016x', j + 1), iif(j = 0, NULL, printf('%016x', (j - 1) / 4 + 1)),"
    "        iif(j = 0, 'pipeline', iif(j % 7 = 3, 'retrieve', 'step' || (j % 5))),"
    "        1700000000000000000 + i * 10000000000 + j * 1000,"
    "        1700000000000000000 + i * 10000000000 + j * 1000 + 1000000 + ((i * 7919 + j * 104729) % 500000)"
    "          * iif(i >= 1000 AND j % 7 = 3, 11, 10) / 10,"
    "        iif(j = 1, 100, 0), iif(j = 1, 20, 0), iif(j = 1, 0.0001, 0)"
    "   FROM t, k;"
    "UPDATE traces SET label = iif(trace_id <= printf('%032x', 1000), 'a', 'b');"
    "COMMIT;", 0, 0, 0), "generate");
  sqlite3_close(db);
}

int main(int argc, char **argv){
  const char *dir = argc > 1 ? argv[1] : ".";
  char path[4096];
  long long rows_runs, rows_plain;
  snprintf(path, sizeof path, "%s/bench_compare.db", dir);
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
  double start = now_s();
  generate(path);
  printf("generated 2 x %d traces x %d spans in %.1f s\n\n", TRACES_PER_SET, SPANS_PER_TRACE,
         now_s() - start);
  double runs = time_query(path, "SELECT * FROM compare_runs('a', 'b')", &rows_runs, ROUNDS);
  double plain = time_query(path,
    "WITH s AS (SELECT t.label, sp.name, sp.end_ns - sp.start_ns AS d,"
    "  row_number() OVER w AS r, count(*) OVER (PARTITION BY t.label, sp.name) AS n"
    "  FROM spans sp JOIN traces t USING (trace_id) WHERE t.label IN ('a', 'b')"
    "  WINDOW w AS (PARTITION BY t.label, sp.name ORDER BY sp.end_ns - sp.start_ns))"
    " SELECT label, name, count(*),"
    "  max(iif(r = (n * 50 + 99) / 100, d, NULL)), max(iif(r = (n * 90 + 99) / 100, d, NULL)),"
    "  max(iif(r = (n * 99 + 99) / 100, d, NULL)) FROM s GROUP BY label, name", &rows_plain, ROUNDS);
  printf("%-44s %10s %8s %8s\n", "measure (200,000 spans)", "seconds", "rows", "ratio");
  printf("%-44s %10.3f %8lld %8.2f\n", "compare_runs('a', 'b')", runs, rows_runs, runs / plain);
  printf("%-44s %10.3f %8lld %8.2f\n", "plain GROUP BY + window percentiles (name)", plain,
         rows_plain, 1.0);
  {
    /* What it found, so the table measures a comparison that works. */
    sqlite3 *db;
    sqlite3_stmt *stmt;
    check(db, sqlite3_open(path, &db), "open");
    check(db, sqlite3_prepare_v2(db, "SELECT count(*) FILTER (WHERE path GLOB '*retrieve'),"
      " count(*) FILTER (WHERE change = 'slower' AND path GLOB '*retrieve'),"
      " count(*) FILTER (WHERE change <> 'same' AND path NOT GLOB '*retrieve')"
      " FROM compare_runs('a', 'b')", -1, &stmt, 0), "prepare");
    check(db, sqlite3_step(stmt), "found");
    printf("found: %d of %d retrieve paths slower (10%% by construction); %d other paths changed\n",
           sqlite3_column_int(stmt, 1), sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 2));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  printf("\nratio: this row's time over the plain GROUP BY's, same file, same run;\n"
         "best of %d on a fresh connection each.\n", ROUNDS);
  unlink(path);
  return 0;
}
