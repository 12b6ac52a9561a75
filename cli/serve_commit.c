/*
** serve_commit.c — the receiver's writes: requests that arrive together
** share one transaction.  A request's thread queues its document and, if
** no other thread is writing, writes the whole queue itself — each
** document in a savepoint of its own, so one bad document is refused alone
** — and commits once; otherwise it waits for the writer to say its
** document's fate.  So the commit (WAL frames, the index pages every
** request touches) is paid once a batch, not once a request, and no
** request is answered before the transaction holding it has committed.
*/
#include "serve_commit.h"
#include <stdlib.h>

void cli_committer_init(cli_committer *c, sqlite3 *db, const char *sql){
  c->db = db;
  c->sql = sql;
  c->queue = NULL;
  c->tail = &c->queue;
  c->writing = 0;
  c->batches = c->jobs = 0;
  pthread_mutex_init(&c->lock, NULL);
  pthread_cond_init(&c->written, NULL);
}

void cli_committer_destroy(cli_committer *c){
  pthread_mutex_destroy(&c->lock);
  pthread_cond_destroy(&c->written);
}

static char *db_error(sqlite3 *db){
  return sqlite3_mprintf("%s", cli_sql_error(db));
}

/* One transaction for the batch; each job's outcome in it. */
static void write_batch(cli_committer *c, cli_commit_job *batch){
  sqlite3_stmt *stmt = NULL;
  char *failed = NULL;   /* what failed the whole batch */
  if( sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ){
    failed = db_error(c->db);
  }else if( sqlite3_prepare_v2(c->db, c->sql, -1, &stmt, NULL) != SQLITE_OK ){
    failed = db_error(c->db);
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  }
  for(cli_commit_job *j = batch; j && failed == NULL; j = j->next){
    sqlite3_exec(c->db, "SAVEPOINT serve_request", NULL, NULL, NULL);
    sqlite3_bind_text(stmt, 1, j->json, (int)j->size, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      j->spans = sqlite3_column_int64(stmt, 0);
      j->rejected = sqlite3_column_int64(stmt, 1);
    }else{
      j->error = db_error(c->db);
    }
    sqlite3_reset(stmt);
    if( j->error ) sqlite3_exec(c->db, "ROLLBACK TO serve_request", NULL, NULL, NULL);
    sqlite3_exec(c->db, "RELEASE serve_request", NULL, NULL, NULL);
  }
  sqlite3_finalize(stmt);
  if( failed == NULL && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ){
    failed = db_error(c->db);
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
  }
  for(cli_commit_job *j = batch; j; j = j->next){
    if( failed && j->error == NULL ) j->error = sqlite3_mprintf("%s", failed);
    if( j->error ) j->spans = j->rejected = 0;
  }
  sqlite3_free(failed);
}

void cli_committer_run(cli_committer *c, cli_commit_job *job){
  job->next = NULL;
  job->done = 0;
  pthread_mutex_lock(&c->lock);
  *c->tail = job;
  c->tail = &job->next;
  while( !job->done ){
    if( c->writing ){
      pthread_cond_wait(&c->written, &c->lock);
      continue;
    }
    /* Nobody is writing: take the queue (this job is in it) and write it. */
    cli_commit_job *batch = c->queue;
    c->queue = NULL;
    c->tail = &c->queue;
    c->writing = 1;
    pthread_mutex_unlock(&c->lock);
    write_batch(c, batch);
    pthread_mutex_lock(&c->lock);
    c->batches++;
    for(cli_commit_job *j = batch, *next; j; j = next){
      next = j->next;   /* read before done: its thread may free j at once */
      c->jobs++;
      j->done = 1;
    }
    c->writing = 0;
    pthread_cond_broadcast(&c->written);
  }
  pthread_mutex_unlock(&c->lock);
}
