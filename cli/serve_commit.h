/*
** serve_commit.h — requests that arrive together share one transaction
** (serve_commit.c).
*/
#ifndef TLM_CLI_SERVE_COMMIT_H
#define TLM_CLI_SERVE_COMMIT_H

#include "cli.h"
#include <pthread.h>
#include <stdint.h>

/* One request's OTLP/JSON document and, once written, its outcome. */
typedef struct cli_commit_job {
  const char *json;
  size_t size;
  long long spans, rejected;   /* stored, and refused as already stored */
  char *error;                 /* sqlite3_malloc'd; NULL: committed */
  int done;
  struct cli_commit_job *next;
} cli_commit_job;

typedef struct cli_committer {
  sqlite3 *db;
  const char *sql;             /* the import: ?1 the document; one row (spans, rejected) */
  pthread_mutex_t lock;
  pthread_cond_t written;
  cli_commit_job *queue, **tail;
  int writing;
  uint64_t batches, jobs;      /* transactions, and the requests in them */
} cli_committer;

void cli_committer_init(cli_committer *c, sqlite3 *db, const char *sql);
void cli_committer_destroy(cli_committer *c);
/* Write job's document with whatever else is waiting; returns once the
** transaction holding it has committed (job->error NULL) or not. */
void cli_committer_run(cli_committer *c, cli_commit_job *job);

#endif
