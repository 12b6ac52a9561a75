/*
** import.c — `tracelm import FILE|- [--format otel|csv]`: a file of any
** size into the database, all or nothing.
**
** OTLP JSON Lines (the Collector's file exporter) is fed to import_otel()
** a few megabytes of whole lines at a time, all in one transaction, so
** memory is bounded by the largest line, not the file, and every error
** still names the line and byte of the whole file.  A single document over
** many lines (pretty-printed) is read whole and imported in pieces of
** whole spans (otlp_split.c), so its parse tree is never whole either.
** CSV is read whole.
**
** On a terminal, progress goes to stderr (bytes, spans, rate, a bar when
** the size is known), never in pipes.  Ctrl-C (or SIGTERM) rolls the
** transaction back: the database is left as it was.
*/
#include "cli.h"
#include "tlm_import_sql.h"
#include "tlm_import_lines_sql.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_BYTES (4 << 20)    /* whole lines handed to import_otel at once */
#define PIECE_BYTES (1 << 20)    /* spans of one document, the same (its tree is ~10x) */
#define PROGRESS_EVERY_S 0.2

static volatile sig_atomic_t interrupted;
static void on_interrupt(int signal_number){ (void)signal_number; interrupted = 1; }
static int stop_if_interrupted(void *unused){ (void)unused; return interrupted; }

static double now_s(void){ return (double)cli_now_ns() / 1e9; }

typedef struct progress {
  int shown;                     /* stderr is a terminal */
  int64_t total;                 /* bytes; 0: unknown (a pipe) */
  double started, last;
} progress;

static void show_progress(progress *p, int64_t bytes, int64_t spans, int final){
  double now = now_s(), elapsed;
  if( !p->shown || (!final && now - p->last < PROGRESS_EVERY_S) ) return;
  p->last = now;
  elapsed = now - p->started > 1e-9 ? now - p->started : 1e-9;
  fprintf(stderr, "\r%9.1f MB", bytes / 1e6);
  if( p->total > 0 ){
    int filled = (int)(30 * bytes / p->total);
    fprintf(stderr, " / %.1f MB [%-30.*s] %3d%%", p->total / 1e6, filled,
            "##############################", (int)(100 * bytes / p->total));
  }
  fprintf(stderr, "  %lld spans  %.0f spans/s%s", (long long)spans, spans / elapsed,
          final ? "\n" : "");
  fflush(stderr);
}

/* One chunk of whole lines, starting at line and byte of the input,
** through *stmt (prepared on first use).  0, or the exit status. */
static int import_chunk(const cli *c, sqlite3 *db, sqlite3_stmt **stmt, const char *file,
                        const char *text, size_t length, int64_t line, int64_t byte,
                        int64_t *spans){
  int rc;
  if( *stmt == NULL && sqlite3_prepare_v2(db, tlm_import_lines_sql, -1, stmt, NULL) ){
    return cli_fail(c, "%s", cli_sql_error(db));
  }
  sqlite3_bind_text(*stmt, 1, text, (int)length, SQLITE_STATIC);
  sqlite3_bind_int64(*stmt, 2, line);
  sqlite3_bind_int64(*stmt, 3, byte);
  rc = sqlite3_step(*stmt);
  if( rc == SQLITE_ROW ) *spans += sqlite3_column_int64(*stmt, 0);
  sqlite3_reset(*stmt);
  if( rc == SQLITE_ROW ) return 0;
  return interrupted ? 130 : cli_fail(c, "%s: %s", file, cli_sql_error(db));
}

/* A piece of one big document (otlp_split.c), through import.sql. */
typedef struct piece_state {
  sqlite3_stmt *stmt;
  progress *p;
  int64_t bytes;
  int64_t *spans;
} piece_state;

static int import_piece(const char *text, size_t length, void *user){
  piece_state *ps = user;
  int rc;
  sqlite3_bind_text(ps->stmt, 1, text, (int)length, SQLITE_STATIC);
  sqlite3_bind_text(ps->stmt, 2, "otel", -1, SQLITE_STATIC);
  rc = sqlite3_step(ps->stmt);
  if( rc == SQLITE_ROW ) *ps->spans += sqlite3_column_int64(ps->stmt, 0);
  sqlite3_reset(ps->stmt);
  show_progress(ps->p, ps->bytes, *ps->spans, 0);
  return rc == SQLITE_ROW && !interrupted ? 0 : 1;
}

/* text (one OTLP document) imported in pieces inside a savepoint: 1 when
** that worked, 0 when the pieces were undone (*spans as before) and the
** caller should import it whole to report what is wrong. */
static int import_in_pieces(sqlite3 *db, sqlite3_stmt **stmt, const char *text, size_t size,
                            progress *p, int64_t bytes, int64_t *spans){
  int64_t before = *spans;
  piece_state ps = { NULL, p, bytes, spans };
  if( *stmt == NULL && sqlite3_prepare_v2(db, tlm_import_sql, -1, stmt, NULL) ) return 0;
  ps.stmt = *stmt;
  sqlite3_exec(db, "SAVEPOINT pieces", NULL, NULL, NULL);
  if( cli_otlp_split(text, size, PIECE_BYTES, import_piece, &ps) == 0 ){
    sqlite3_exec(db, "RELEASE pieces", NULL, NULL, NULL);
    return 1;
  }
  sqlite3_exec(db, "ROLLBACK TO pieces; RELEASE pieces", NULL, NULL, NULL);
  *spans = before;
  return 0;
}

/* Read the rest of in after what buffer already holds. */
static char *read_rest(FILE *in, char *text, size_t *size, size_t *capacity){
  for(;;){
    if( *size + 65536 + 1 > *capacity ){
      size_t wanted = (*capacity + 65536) * 2;
      char *grown = realloc(text, wanted);
      if( grown == NULL ){ free(text); errno = ENOMEM; return NULL; }
      text = grown;
      *capacity = wanted;
    }
    size_t got = fread(text + *size, 1, 65536, in);
    *size += got;
    if( got < 65536 ) break;
  }
  if( ferror(in) ){ free(text); if( errno == 0 ) errno = EIO; return NULL; }
  text[*size] = 0;
  return text;
}

/* The import proper, inside the caller's transaction.  Returns 0 or the
** exit status; *spans counts what was imported. */
static int import_stream(const cli *c, sqlite3 *db, FILE *in, const char *file, const char *format,
                         progress *p, int64_t *spans){
  char *buffer = NULL, *line = NULL;
  size_t size = 0, capacity = 0, line_capacity = 0;
  int64_t chunk_line = 1, chunk_byte = 0, line_number = 0, bytes = 0;
  ssize_t got;
  sqlite3_stmt *stmt = NULL, *doc_stmt = NULL;
  int status = 0, lines_mode = -1;

  if( strcmp(format, "otel") ){
    lines_mode = 0;                                  /* CSV: whole */
  }
  while( lines_mode != 0 && (got = getline(&line, &line_capacity, in)) > 0 ){
    line_number++;
    if( lines_mode < 0 ){
      /* Decided on the first line that is not blank. */
      int blank = strspn(line, " \t\r\n") == (size_t)got;
      if( !blank ) lines_mode = cli_json_is_whole(line, (size_t)got);   /* JSON Lines? */
    }
    if( lines_mode == 1 && (size_t)got > PIECE_BYTES ){
      /* A line that is one big document: what is before it, then it in
      ** pieces (or whole, for the message, if they fail). */
      if( size > 0
       && (status = import_chunk(c, db, &stmt, file, buffer, size, chunk_line, chunk_byte, spans)) ){
        goto done;
      }
      if( !import_in_pieces(db, &doc_stmt, line, (size_t)got, p, bytes + got, spans)
       && !interrupted
       && (status = import_chunk(c, db, &stmt, file, line, (size_t)got, line_number, bytes, spans)) ){
        goto done;
      }
      bytes += got;
      chunk_line = line_number + 1;
      chunk_byte = bytes;
      size = 0;
      show_progress(p, bytes, *spans, 0);
      if( interrupted ) goto done;
      continue;
    }
    if( size + (size_t)got + 1 > capacity ){
      size_t wanted = (size + (size_t)got + 1) * 2;
      char *grown = realloc(buffer, wanted);
      if( grown == NULL ){ status = cli_fail(c, "out of memory"); goto done; }
      buffer = grown;
      capacity = wanted;
    }
    memcpy(buffer + size, line, (size_t)got);
    size += (size_t)got;
    buffer[size] = 0;
    bytes += got;
    if( lines_mode == 1 && size >= CHUNK_BYTES ){
      if( (status = import_chunk(c, db, &stmt, file, buffer, size, chunk_line, chunk_byte, spans)) ){
        goto done;
      }
      chunk_line = line_number + 1;
      chunk_byte = bytes;
      size = 0;
      show_progress(p, bytes, *spans, 0);
    }
    if( interrupted ) goto done;
  }
  if( interrupted ) goto done;
  if( lines_mode == 1 ){
    if( size > 0
     && (status = import_chunk(c, db, &stmt, file, buffer, size, chunk_line, chunk_byte, spans)) ){
      goto done;
    }
  }else{
    /* One document over many lines, or CSV: all of it at once. */
    if( (buffer = read_rest(in, buffer, &size, &capacity)) == NULL ){
      status = cli_fail(c, "cannot read '%s': %s", file, strerror(errno));
      goto done;
    }
    bytes = (int64_t)size;
    /* In pieces of whole spans, so no parse tree of the whole exists;
    ** anything wrong, and the pieces are undone and the whole document
    ** imported to say exactly what (otlp_split.c). */
    if( !strcmp(format, "otel") && import_in_pieces(db, &doc_stmt, buffer, size, p, bytes, spans) ){
      goto imported;
    }
    if( interrupted ) goto done;
    if( sqlite3_prepare_v2(db, tlm_import_sql, -1, &stmt, NULL) ){
      status = cli_fail(c, "%s", cli_sql_error(db));
      goto done;
    }
    sqlite3_bind_text(stmt, 1, buffer, (int)size, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, format, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ) *spans = sqlite3_column_int64(stmt, 0);
    else status = interrupted ? 0 : cli_fail(c, "%s: %s", file, cli_sql_error(db));
  }
imported:
  if( ferror(in) && status == 0 ) status = cli_fail(c, "cannot read '%s': %s", file, strerror(errno));
  show_progress(p, bytes, *spans, 1);
done:
  sqlite3_finalize(stmt);
  sqlite3_finalize(doc_stmt);
  free(buffer);
  free(line);
  return status;
}

char *cli_read_file(const char *path, size_t *length){
  FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  size_t capacity = 0;
  char *text;
  if( in == NULL ) return NULL;
  *length = 0;
  text = read_rest(in, NULL, length, &capacity);
  if( in != stdin ){ int saved = errno; fclose(in); errno = saved; }
  return text;
}

int cmd_import(cli *c, int argc, char **argv){
  const char *file = NULL, *format = NULL;
  struct sigaction stop = {0}, old_int, old_term;
  struct stat st;
  progress p = {0};
  int64_t spans = 0;
  sqlite3 *db;
  FILE *in;
  int status;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--format") && i + 1 < argc ) format = argv[++i];
    else if( argv[i][0] == '-' && argv[i][1] ) return cli_usage_error(c, "unknown option '%s'", argv[i]);
    else if( file == NULL ) file = argv[i];
    else return cli_usage_error(c, "unexpected '%s'", argv[i]);
  }
  if( file == NULL ) return cli_usage_error(c, "expected a file to import");
  if( format == NULL ) format = cli_ends_with(file, ".csv") ? "csv" : "otel";   /* "-": OTLP unless told */
  if( cli_find_format(format, 1) == NULL ){
    char names[64];
    cli_format_names(names, sizeof names, 1, ", ", " or ");
    return cli_usage_error(c, "--format must be %s, not '%s'", names, format);
  }
  if( c->show_sql ) return cli_print_query(c, NULL, tlm_import_sql, PRINT_LINES, "<file text>", format, NULL);
  in = strcmp(file, "-") ? fopen(file, "rb") : stdin;
  if( in == NULL ) return cli_fail(c, "cannot read '%s': %s", file, strerror(errno));
  if( (status = cli_open(c, 0, &db)) != 0 ){
    if( in != stdin ) fclose(in);
    return status;
  }
  p.shown = isatty(STDERR_FILENO);
  p.total = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) ? (int64_t)st.st_size : 0;
  p.started = p.last = now_s();
  interrupted = 0;
  stop.sa_handler = on_interrupt;
  sigaction(SIGINT, &stop, &old_int);
  sigaction(SIGTERM, &stop, &old_term);
  sqlite3_progress_handler(db, 10000, stop_if_interrupted, NULL);
  if( !strcmp(format, "otel") ) cli_import_connection(db);   /* import_csv needs the triggers */
  sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  status = import_stream(c, db, in, file, format, &p, &spans);
  if( interrupted ){
    cli_fail(c, "interrupted: nothing of '%s' was imported", file);
    status = 130;
  }
  if( status == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ){
    status = cli_fail(c, "%s", sqlite3_errmsg(db));
  }
  if( status != 0 ) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  else printf("Imported %lld spans from %s\n", (long long)spans, file);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sqlite3_close(db);
  if( in != stdin ) fclose(in);
  return status;
}
