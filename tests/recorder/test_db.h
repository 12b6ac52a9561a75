/*
** test_db.h — small helpers the recorder tests share: a fresh database path
** in a temporary folder, one-value queries against it, and a clock.
*/
#ifndef TLM_TEST_DB_H
#define TLM_TEST_DB_H
#include <stdint.h>

/* A path to a database that does not exist yet, in a new temporary folder. */
const char *test_db_path(const char *name);

/* The single integer a query returns (-1 on error; the test fails). */
int64_t test_db_int(const char *path, const char *sql);

/* The single text a query returns, copied into out ("" for NULL). */
void test_db_text(const char *path, const char *sql, char *out, int size);

/* Run statements (may be several); fails the test on error. */
void test_db_exec(const char *path, const char *sql);

/* A monotonic clock in seconds: how long a run took, for the probes a
** degraded writer may have made in it (never a pass/fail time limit). */
double test_seconds_now(void);

#endif
