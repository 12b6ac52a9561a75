/*
** bench_common.h — what the benchmarks share: a monotonic clock in
** seconds, stopping with SQLite's message when a step fails (a benchmark
** that measured a failure would print a wrong table), and timing a query.
*/
#ifndef TLM_BENCH_COMMON_H
#define TLM_BENCH_COMMON_H
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_s(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void check(sqlite3 *db, int rc, const char *what){
  if( rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW ){
    fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

/* The best of rounds runs of sql, every row stepped, each on a fresh
** connection to path (as the CLI runs a query); the rows into *rows. */
static inline double time_query(const char *path, const char *sql, long long *rows, int rounds){
  double best = 1e9;
  for(int round = 0; round < rounds; round++){
    sqlite3 *db;
    sqlite3_stmt *stmt;
    check(db, sqlite3_open(path, &db), "open");
    double start = now_s();
    check(db, sqlite3_prepare_v2(db, sql, -1, &stmt, 0), sql);
    *rows = 0;
    while( sqlite3_step(stmt) == SQLITE_ROW ) (*rows)++;
    check(db, sqlite3_finalize(stmt), sql);
    double elapsed = now_s() - start;
    if( elapsed < best ) best = elapsed;
    sqlite3_close(db);
  }
  return best;
}

#endif
