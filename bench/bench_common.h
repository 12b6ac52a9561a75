/*
** bench_common.h — what the benchmarks share: a monotonic clock in
** seconds, and stopping with SQLite's message when a step fails (a
** benchmark that measured a failure would print a wrong table).
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

#endif
