/*
** run.c — `tracelm run -- COMMAND`: a trace around any command.
**
** The root span covers the command's whole life.  The child finds
** TRACEPARENT (the root as its remote parent) and TRACELM_DB (the same
** database, as an absolute path) in its environment; a program linked
** with libtracelm joins the trace at tlm_init(), and so does a nested
** `tracelm run`, however many processes deep.  An uninstrumented command
** still gives a one-span trace with its exit status.
**
** Like system(), the parent ignores SIGINT and SIGQUIT while the child
** runs, so Ctrl-C stops the command, not the recording of it.
**
** Nothing is lost in silence: spans this process could not store, and
** spans of the trace that recorders dropped (traces.dropped_spans), are
** said after the command; the child gets TRACELM_LOG=stderr (unless set)
** so an instrumented child says its own.  --strict makes any of it an
** exit status of 1 when the command itself succeeded.
*/
#include "cli.h"
#include "tracelm/tracelm.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_child(char **command, tlm_span *root){
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old_int, old_quit;
  int status;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  pid_t pid = fork();
  if( pid == 0 ){
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    execvp(command[0], command);
    fprintf(stderr, "tracelm run: cannot run '%s': %s\n", command[0], strerror(errno));
    _exit(127);
  }
  if( pid < 0 ){
    tlm_span_set_error(root, "fork failed");
    return -1;
  }
  while( waitpid(pid, &status, 0) < 0 && errno == EINTR ){}
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGQUIT, &old_quit, NULL);
  return status;
}

/* Spans of the trace dropped by any recorder that joined it. */
static int64_t dropped_spans(sqlite3 *db, const char *trace_id){
  sqlite3_stmt *stmt;
  int64_t dropped = 0;
  if( sqlite3_prepare_v2(db, "SELECT dropped_spans FROM traces WHERE trace_id = ?1", -1, &stmt, NULL) == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, trace_id, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ) dropped = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return dropped;
}

int cmd_run(cli *c, int argc, char **argv){
  tlm_options opts;
  double rate = 1.0;
  const char *name = NULL, *label = NULL;
  char **command = NULL, header[TLM_TRACEPARENT_LEN + 1], trace_id[33], message[64];
  char absolute[PATH_MAX];
  int i, exit_code, strict = 0, lost;
  for(i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--") ){ command = argv + i + 1; break; }
    if( !strcmp(argv[i], "--sample-rate") && i + 1 < argc ){
      char *end;
      rate = strtod(argv[++i], &end);
      if( *end || !(rate >= 0 && rate <= 1) ){
        return cli_usage_error(c, "--sample-rate takes a number from 0 to 1, not '%s'", argv[i]);
      }
    }else if( !strcmp(argv[i], "--name") && i + 1 < argc ){
      name = argv[++i];
    }else if( !strcmp(argv[i], "--strict") ){
      strict = 1;
    }else if( !strcmp(argv[i], "--label") && i + 1 < argc ){
      label = argv[++i];
    }else{
      command = argv + i;          /* `tracelm run cmd` without "--" works too */
      break;
    }
  }
  if( command == NULL || command[0] == NULL ) return cli_usage_error(c, "expected -- COMMAND [ARGS...]");
  if( c->show_sql ) return cli_report(c, NULL, "<the new trace>");

  tlm_options_init(&opts);
  opts.db_path = c->db_path;
  opts.sample_rate = rate;
  opts.service = "tracelm";
  if( label ){
    opts.run_label = label;
    setenv("TRACELM_RUN_LABEL", label, 1);   /* the command's own spans too */
  }
  if( tlm_init(&opts) != TLM_OK ) return cli_fail(c, "%s", tlm_last_error());
  if( name == NULL ){
    name = strrchr(command[0], '/') ? strrchr(command[0], '/') + 1 : command[0];
  }
  tlm_span *root = tlm_span_begin(name);
  tlm_span_set_str(root, "process.command", command[0]);
  tlm_span_trace_id(root, trace_id);
  tlm_span_traceparent(root, header);
  setenv("TRACEPARENT", header, 1);
  if( realpath(c->db_path, absolute) ) setenv("TRACELM_DB", absolute, 1);
  setenv("TRACELM_LOG", "stderr", 0);

  /* `tracelm run app.py`, as the seed tool took it: a Python script runs
  ** with Debian's python3 where there is one (it has the tracelm module). */
  char *python_command[256];
  size_t length = strlen(command[0]);
  if( length > 3 && !strcmp(command[0] + length - 3, ".py") && access(command[0], R_OK) == 0 ){
    int k = 0;
    python_command[k++] = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    for(int a = 0; command[a] && k < 255; a++) python_command[k++] = command[a];
    python_command[k] = NULL;
    command = python_command;
  }
  int status = run_child(command, root);
  if( status < 0 ){
    exit_code = 1;
  }else if( WIFSIGNALED(status) ){
    exit_code = 128 + WTERMSIG(status);
    snprintf(message, sizeof message, "killed by signal %d (%s)", WTERMSIG(status),
             strsignal(WTERMSIG(status)));
    tlm_span_set_error(root, message);
  }else{
    exit_code = WEXITSTATUS(status);
    tlm_span_set_int(root, "process.exit_code", exit_code);
    if( exit_code ){
      snprintf(message, sizeof message, "exit status %d", exit_code);
      tlm_span_set_error(root, message);
    }else{
      tlm_span_set_ok(root);
    }
  }
  int sampled = tlm_span_is_sampled(root);
  tlm_span_end(root);
  lost = tlm_shutdown() != TLM_OK;
  if( lost ) fprintf(stderr, "tracelm run: %s\n", tlm_last_error());

  if( !sampled ){
    fprintf(stderr, "tracelm run: trace %s was sampled out; nothing was recorded\n", trace_id);
    return strict && lost && exit_code == 0 ? 1 : exit_code;
  }
  sqlite3 *db;
  fflush(stdout);
  printf("\n");
  if( cli_open(c, 1, &db) == 0 ){
    int64_t dropped = dropped_spans(db, trace_id);
    cli_report(c, db, trace_id);
    sqlite3_close(db);
    if( dropped > 0 ){
      fprintf(stderr, "tracelm run: %lld span%s of trace %s %s dropped (a recorder's queue was full)\n",
              (long long)dropped, dropped == 1 ? "" : "s", trace_id, dropped == 1 ? "was" : "were");
      lost = 1;
    }
  }
  return strict && lost && exit_code == 0 ? 1 : exit_code;
}
