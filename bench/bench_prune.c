/*
** bench_prune.c — `tracelm prune` of half a big file, and what a program
** recording into the same file pays while it runs.
**
** A copy of FILE (bench_history's, say) is pruned to its newest half by
** the real command in a child process.  Meanwhile this process records
** into the same copy through libtracelm: batches of 1,000 begin+end pairs
** (100-span traces), timed on the caller's thread, the writer flushing
** every 100 ms as it would in a program.  Baseline, same run: the same
** recording into the same copy just before, with nothing else running.
** Then: the prune's spans/s, the caller's median and p99 batch per pair,
** idle and during, and whether every span recorded during the prune was
** stored (a count in SQL).  Prints a table; asserts nothing.
**   bench_prune FILE TRACELM
*/
#include "tracelm/tracelm.h"
#include "bench_common.h"
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define BATCH 1000
#define SPANS_PER_TRACE 100
#define WARM_UP 20           /* batches first run and not counted, each run */

static int by_value(const void *a, const void *b){
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct timing { double median, p99; int batches; } timing;

/* Record batches of 1,000 spans into path, labelled: max_batches timed
** ones, or, given a child, until it exits (its status into *status; it is
** polled between batches, since a second thread would only wait for it).
** The caller's time per pair of each batch; *recorded: spans, warm-up
** batches included. */
static timing record(const char *path, const char *label, int max_batches, pid_t child,
                     int *status, long long *recorded){
  static double per_pair[100000];
  tlm_options opts;
  timing t = { 0, 0, 0 };
  int warm = 0;
  *recorded = 0;
  tlm_options_init(&opts);
  opts.db_path = path;
  opts.ignore_env_traceparent = 1;
  opts.run_label = label;
  if( tlm_init(&opts) != TLM_OK ){ fprintf(stderr, "bench_prune: %s\n", tlm_last_error()); exit(1); }
  while( child ? waitpid(child, status, WNOHANG) != child : t.batches < max_batches ){
    double start = now_s();
    for(int i = 0; i < BATCH / SPANS_PER_TRACE; i++){
      tlm_span *root = tlm_span_begin("request");
      for(int k = 1; k < SPANS_PER_TRACE; k++) tlm_span_end(tlm_span_begin("step"));
      tlm_span_end(root);
    }
    *recorded += BATCH;
    if( t.batches < 100000 ) per_pair[t.batches++] = (now_s() - start) * 1e9 / BATCH;
    /* The first batches pay for the recorder's fresh memory: not counted. */
    if( t.batches == WARM_UP && warm == 0 ){ warm = 1; t.batches = 0; }
    usleep(20000);  /* a program does other work between spans: 50,000 spans/s in all */
  }
  tlm_shutdown();
  qsort(per_pair, t.batches, sizeof *per_pair, by_value);
  t.median = per_pair[t.batches / 2];
  t.p99 = per_pair[t.batches * 99 / 100];
  return t;
}

static long long one_int(const char *path, const char *sql){
  sqlite3 *db;
  sqlite3_stmt *stmt;
  long long value = 0;
  check(db, sqlite3_open(path, &db), "open");
  check(db, sqlite3_prepare_v2(db, sql, -1, &stmt, 0), sql);
  if( sqlite3_step(stmt) == SQLITE_ROW ) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

int main(int argc, char **argv){
  char copy[4096], command[20000], keep[32];
  if( argc != 3 ){ fprintf(stderr, "usage: bench_prune FILE TRACELM\n"); return 2; }
  snprintf(copy, sizeof copy, "%s.prune", argv[1]);
  snprintf(command, sizeof command, "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", argv[1], copy, copy, copy);
  if( system(command) != 0 ){ fprintf(stderr, "bench_prune: cannot copy %s\n", argv[1]); return 1; }
  long long traces = one_int(copy, "SELECT count(*) FROM traces");
  long long spans = one_int(copy, "SELECT count(*) FROM spans");
  snprintf(keep, sizeof keep, "%lld", traces / 2);

  long long idle_recorded;
  timing idle = record(copy, "idle", 200, 0, NULL, &idle_recorded);

  pid_t child;
  char *child_argv[] = { argv[2], "--db", copy, "prune", "--keep-last", keep, NULL };
  double start = now_s();
  if( posix_spawn(&child, argv[2], NULL, NULL, child_argv, environ) != 0 ){
    fprintf(stderr, "bench_prune: cannot run %s\n", argv[2]);
    return 1;
  }
  int status = 0;
  long long recorded;
  timing during = record(copy, "during", 0, child, &status, &recorded);
  double prune_s = now_s() - start;
  long long stored = one_int(copy, "SELECT count(*) FROM spans s JOIN traces t USING (trace_id)"
                                   " WHERE t.label = 'during'");
  long long left = one_int(copy, "SELECT count(*) FROM traces WHERE label IS NULL OR label NOT IN ('idle', 'during')");
  long long deleted = spans - one_int(copy, "SELECT count(*) FROM spans s JOIN traces t USING (trace_id)"
                                            " WHERE t.label IS NULL OR t.label NOT IN ('idle', 'during')");

  printf("bench_prune: %lld traces, %lld spans; prune --keep-last %s (exit %d)\n\n", traces, spans, keep,
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  printf("%-46s %12s %12s %8s\n", "measure", "during", "idle", "ratio");
  printf("%-46s %9.1f ns %9.1f ns %8.2f\n", "caller: begin+end pair, median batch", during.median,
         idle.median, during.median / idle.median);
  printf("%-46s %9.1f ns %9.1f ns %8.2f\n", "caller: begin+end pair, p99 batch", during.p99, idle.p99,
         during.p99 / idle.p99);
  printf("%-46s %12.1f\n", "prune: seconds (half the traces)", prune_s);
  printf("%-46s %12lld\n", "prune: spans deleted", deleted);
  printf("%-46s %10.0f/s\n", "prune: spans deleted per second", deleted / prune_s);
  printf("%-46s %12lld of %lld\n", "spans recorded during the prune, stored", stored, recorded);
  printf("%-46s %12lld (the newest %s kept include the idle run's)\n", "traces left of the file's own", left, keep);
  unlink(copy);
  snprintf(command, sizeof command, "%s-wal", copy); unlink(command);
  snprintf(command, sizeof command, "%s-shm", copy); unlink(command);
  return 0;
}
