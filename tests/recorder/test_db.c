/*
** test_db.c — see test_db.h.
*/
#include "test_db.h"
#include <time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *test_db_path(const char *name){
  static char path[4096];
  char folder[] = "/tmp/tracelm-test-XXXXXX";
  assert_non_null(mkdtemp(folder));
  snprintf(path, sizeof path, "%s/%s", folder, name);
  return path;
}

static sqlite3_stmt *prepare(const char *path, const char *sql, sqlite3 **db){
  sqlite3_stmt *stmt = NULL;
  assert_int_equal(sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
  sqlite3_busy_timeout(*db, 5000);
  if( sqlite3_prepare_v2(*db, sql, -1, &stmt, NULL) != SQLITE_OK ){
    fail_msg("%s: %s", sql, sqlite3_errmsg(*db));
  }
  return stmt;
}

int64_t test_db_int(const char *path, const char *sql){
  sqlite3 *db;
  sqlite3_stmt *stmt = prepare(path, sql, &db);
  int64_t value = -1;
  if( sqlite3_step(stmt) == SQLITE_ROW ) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void test_db_text(const char *path, const char *sql, char *out, int size){
  sqlite3 *db;
  sqlite3_stmt *stmt = prepare(path, sql, &db);
  out[0] = 0;
  if( sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) ){
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

void test_db_exec(const char *path, const char *sql){
  sqlite3 *db;
  char *err = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                   NULL), SQLITE_OK);
  if( sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK ) fail_msg("%s: %s", sql, err);
  sqlite3_close(db);
}

double test_seconds_now(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
