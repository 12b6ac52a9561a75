/*
** serve.c — `tracelm serve`: an OTLP/HTTP receiver any OpenTelemetry SDK
** can send traces to (POST /v1/traces), storing them in the database.
**
**   $ tracelm serve                      # 127.0.0.1:4318, ./tracelm.db
**   $ OTEL_EXPORTER_OTLP_PROTOCOL=http/json \
**     OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 python3 app.py
**
** It takes OTLP/JSON (application/json) and OTLP protobuf
** (application/x-protobuf, decoded by protobuf-c and turned into the same
** JSON: otlp_proto.c), sized or chunked, plain or gzip, and answers in the
** request's encoding.  Every request goes through import_otel(), the one
** OTLP mapping, in its own transaction:
** all of its spans are stored or none (400 with the reason) — except that a
** span already stored is not stored twice but counted and reported in the
** response's partialSuccess.  Answers follow OTLP/HTTP: 200 with an
** ExportTraceServiceResponse, 400, 401, 404, 405,
** 413 (past --max-body, checked before and while reading, and while
** inflating, so a gzip bomb is refused early), 415.
**
** Every other path is the trace browser (ui.c), on connections of its own
** to the same file (WAL, so its reads never wait for the receiver's
** writes).  `tracelm ui` is the same server without the receiver.
**
** Loopback by default; any other address needs --token, which clients send
** as "Authorization: Bearer TOKEN" (compared in constant time), and a
** browser once to /login (auth.c).  Idle and slow clients are timed out
** (--timeout, 10 s) among up to 16,384 connections, so they cannot hold
** the server.
** SIGINT/SIGTERM: stop accepting, finish the requests in flight, close the
** database, print one summary line, exit 0.
*/
#include "cli.h"
#include "ui.h"
#include "serve_commit.h"
#include "../common/otlp_proto.h"
#include "tlm_serve_import_sql.h"
#include <microhttpd.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define DEFAULT_PORT 4318
#define DEFAULT_MAX_BODY (16u << 20)
/* Connections at once: enough that idle or slow clients (each timed out
** after --timeout) cannot crowd out the rest; bounded by the descriptors
** the process may open, which serve raises to the hard limit.  poll(), so
** a descriptor number past 1024 is no problem; not epoll, whose edge
** trigger left a keep-alive connection whose client had already hung up
** open until its timeout (measured: 2 s an input in fuzz_serve). */
#define CONNECTION_LIMIT 16384
/* A connection's buffer for its headers and what it reads at a time: 16
** KiB keeps 10,000 idle connections to about 160 MiB at worst. */
#define CONNECTION_MEMORY (16u << 10)
#define CONNECTION_TIMEOUT_S 10
#define UI_MAX_BODY (1u << 20)     /* a query typed in the SQL box, a token */

/* A connection, watched from its start: a client must send a request's
** headers within --timeout of the connection or of its last request.
** MHD's own timeout counts only silence, so a client sending a byte a
** second (slowloris) would keep its connection forever. */
typedef struct watched {
  int fd;
  int64_t since_ms;          /* the connection, or its last request's end */
  int in_request;            /* headers complete: the handler has it */
  int cut;                   /* already shut down */
  struct watched *prev, *next;
} watched;

typedef struct server {
  sqlite3 *db;               /* one connection, written by committer */
  cli_committer committer;   /* requests at once share a transaction */
  pthread_mutex_t lock;      /* the counters below */
  cli_auth auth;             /* the token, the browser's sessions */
  cli_ui ui;
  int receiver;              /* 0 for `tracelm ui`: no /v1/traces */
  size_t max_body;
  int verbose;
  uint64_t requests, spans_stored, spans_rejected, requests_rejected;
  pthread_mutex_t watch_lock;
  watched *connections;      /* every open connection */
  int64_t header_ms;         /* --timeout */
  uint64_t cut_slow;         /* connections cut for slow headers */
  int stopping;
} server;

typedef struct request {
  char *body;
  size_t size, capacity;
  int too_big;
  int answered;              /* refused before its body: the rest is ignored */
  int protobuf;              /* application/x-protobuf: answers in protobuf too */
  int ui;                    /* for the browser (ui.c), not the receiver */
} request;

/* ------------------------------------------------------------ replies */

static enum MHD_Result reply_bytes(struct MHD_Connection *connection, unsigned status,
                                   const void *body, size_t size, const char *type){
  struct MHD_Response *response = MHD_create_response_from_buffer(size, (void *)body,
                                                                  MHD_RESPMEM_MUST_COPY);
  enum MHD_Result rc;
  if( response == NULL ) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", type);
  if( status == MHD_HTTP_METHOD_NOT_ALLOWED ) MHD_add_response_header(response, "Allow", "POST");
  rc = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return rc;
}

static enum MHD_Result reply(struct MHD_Connection *connection, unsigned status, const char *json){
  return reply_bytes(connection, status, json, strlen(json), "application/json");
}

/* An error as OTLP/HTTP asks: a google.rpc.Status, in the request's
** encoding (JSON unless it came in protobuf). */
static enum MHD_Result reply_error(server *s, struct MHD_Connection *connection, unsigned status,
                                   const char *message, int protobuf){
  sqlite3_str *json = sqlite3_str_new(NULL);
  enum MHD_Result rc;
  sqlite3_stmt *stmt;
  /* SQLite's json_object escapes the message: no second JSON escaper here. */
  pthread_mutex_lock(&s->lock);
  if( sqlite3_prepare_v2(s->db, "SELECT json_object('code', ?1, 'message', ?2)", -1, &stmt, NULL) == SQLITE_OK ){
    sqlite3_bind_int(stmt, 1, status == MHD_HTTP_UNAUTHORIZED ? 16 : 3);
    sqlite3_bind_text(stmt, 2, message, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ) sqlite3_str_appendall(json, (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
  }
  s->requests_rejected++;
  pthread_mutex_unlock(&s->lock);
  char *text = sqlite3_str_finish(json);
  if( protobuf ){
    size_t size;
    uint8_t *body = tlm_otlp_proto_status(status == MHD_HTTP_UNAUTHORIZED ? 16 : 3, message, &size);
    rc = body ? reply_bytes(connection, status, body, size, "application/x-protobuf") : MHD_NO;
    free(body);
  }else{
    rc = reply(connection, status, text ? text : "{}");
  }
  sqlite3_free(text);
  if( s->verbose ) fprintf(stderr, "tracelm serve: %u %s\n", status, message);
  return rc;
}

/* ----------------------------------------------------------- requests */

/* Check what can be checked before the body: path, method, token, type, size. */
static enum MHD_Result check_request(server *s, struct MHD_Connection *connection,
                                     const char *url, const char *method, request *r){
  const char *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type");
  const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
  r->protobuf = type && strncmp(type, "application/x-protobuf", 22) == 0;
  if( strcmp(url, "/v1/traces") ){
    /* The browser's: a GET is answered now, a POST after its body. */
    r->ui = 1;
    if( strcmp(method, "POST") ){
      r->answered = 1;
      return cli_ui_answer(&s->ui, connection, url, method, NULL, 0);
    }
    if( length && strtoull(length, NULL, 10) > UI_MAX_BODY ){
      r->answered = 1;
      return reply(connection, MHD_HTTP_CONTENT_TOO_LARGE, "{\"error\":\"the body is larger than 1 MiB\"}");
    }
    return MHD_YES;
  }
  if( !s->receiver ) return reply_error(s, connection, MHD_HTTP_NOT_FOUND, "tracelm ui has no receiver: use tracelm serve", r->protobuf);
  if( strcmp(method, "POST") ) return reply_error(s, connection, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST", r->protobuf);
  if( !cli_auth_bearer(&s->auth, connection) ){
    return reply_error(s, connection, MHD_HTTP_UNAUTHORIZED, "missing or wrong bearer token", r->protobuf);
  }
  if( !r->protobuf && (type == NULL || strncmp(type, "application/json", 16)) ){
    return reply_error(s, connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                       "Content-Type must be application/json or application/x-protobuf", r->protobuf);
  }
  if( length && strtoull(length, NULL, 10) > s->max_body ){
    return reply_error(s, connection, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than --max-body", r->protobuf);
  }
  return MHD_YES;
}

static int append(request *r, const char *data, size_t size, size_t limit){
  if( r->size + size > limit ){ r->too_big = 1; return 0; }
  if( r->size + size + 1 > r->capacity ){
    size_t capacity = (r->size + size + 1) * 2;
    char *grown = realloc(r->body, capacity > limit + 1 ? limit + 1 : capacity);
    if( grown == NULL ){ r->too_big = 1; return 0; }
    r->body = grown;
    r->capacity = capacity > limit + 1 ? limit + 1 : capacity;
  }
  memcpy(r->body + r->size, data, size);
  r->size += size;
  r->body[r->size] = 0;
  return 1;
}

/* Inflate a gzip body, refusing it as soon as it passes limit. */
static int gunzip(const request *in, request *out, size_t limit){
  z_stream z;
  char chunk[65536];
  int rc;
  memset(&z, 0, sizeof z);
  if( inflateInit2(&z, 16 + MAX_WBITS) != Z_OK ) return -1;
  z.next_in = (Bytef *)in->body;
  z.avail_in = (uInt)in->size;
  do{
    z.next_out = (Bytef *)chunk;
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if( rc != Z_OK && rc != Z_STREAM_END ){ inflateEnd(&z); return -1; }
    if( !append(out, chunk, sizeof chunk - z.avail_out, limit) ){ inflateEnd(&z); return -2; }
  }while( rc != Z_STREAM_END && (z.avail_in > 0 || z.avail_out == 0) );
  inflateEnd(&z);
  return rc == Z_STREAM_END ? 0 : -1;
}

/* Store one request's spans in one transaction, or none; body is OTLP/JSON
** or, with protobuf, an ExportTraceServiceRequest turned into it first. */
static enum MHD_Result store(server *s, struct MHD_Connection *connection, const request *body,
                             int protobuf){
  char *error = NULL, *json = NULL;
  const request *r = body;
  request converted = {0};
  long long spans = 0, rejected = 0;
  if( protobuf ){
    json = tlm_otlp_proto_to_json((const uint8_t *)(body->body ? body->body : ""), body->size);
    if( json == NULL ){
      return reply_error(s, connection, MHD_HTTP_BAD_REQUEST,
                         "not an OTLP ExportTraceServiceRequest in protobuf", protobuf);
    }
    converted.body = json;
    converted.size = strlen(json);
    r = &converted;
  }
  cli_commit_job job = { r->body ? r->body : "", r->size, 0, 0, NULL, 0, NULL };
  cli_committer_run(&s->committer, &job);
  error = job.error;
  spans = job.spans;
  rejected = job.rejected;
  if( error == NULL ){
    pthread_mutex_lock(&s->lock);
    s->spans_stored += (uint64_t)spans;
    s->spans_rejected += (uint64_t)rejected;
    pthread_mutex_unlock(&s->lock);
  }
  free(json);
  if( error ){
    enum MHD_Result rc = reply_error(s, connection, MHD_HTTP_BAD_REQUEST, error, protobuf);
    sqlite3_free(error);
    return rc;
  }
  if( s->verbose ) fprintf(stderr, "tracelm serve: 200 %lld spans, %lld rejected\n", spans, rejected);
  /* An ExportTraceServiceResponse: empty when all was stored, else with
  ** partialSuccess (spans already stored are not stored twice). */
  char message[96], *partial;
  snprintf(message, sizeof message, "%lld span%s already stored (the same trace and span id)",
           rejected, rejected == 1 ? " was" : "s were");
  if( protobuf ){
    size_t size;
    uint8_t *response = tlm_otlp_proto_response(rejected, message, &size);
    enum MHD_Result rc = reply_bytes(connection, MHD_HTTP_OK, response ? (const char *)response : "",
                                     size, "application/x-protobuf");
    free(response);
    return rc;
  }
  if( rejected == 0 ) return reply(connection, MHD_HTTP_OK, "{}");
  partial = sqlite3_mprintf("{\"partialSuccess\":{\"rejectedSpans\":\"%lld\",\"errorMessage\":\"%s\"}}",
                         rejected, message);
  enum MHD_Result rc = reply(connection, MHD_HTTP_OK, partial ? partial : "{}");
  sqlite3_free(partial);
  return rc;
}

static int64_t now_ms(void){ return cli_now_ns() / 1000000; }

static void set_in_request(server *s, struct MHD_Connection *connection, int in_request){
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  watched *w = info ? info->socket_context : NULL;
  if( w == NULL ) return;
  pthread_mutex_lock(&s->watch_lock);
  w->in_request = in_request;
  w->since_ms = now_ms();
  pthread_mutex_unlock(&s->watch_lock);
}

static void connection_event(void *cls, struct MHD_Connection *connection, void **context,
                             enum MHD_ConnectionNotificationCode code){
  server *s = cls;
  if( code == MHD_CONNECTION_NOTIFY_STARTED ){
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    watched *w = calloc(1, sizeof *w);
    if( w == NULL || info == NULL ){ free(w); return; }
    w->fd = info->connect_fd;
    w->since_ms = now_ms();
    pthread_mutex_lock(&s->watch_lock);
    w->next = s->connections;
    if( s->connections ) s->connections->prev = w;
    s->connections = w;
    pthread_mutex_unlock(&s->watch_lock);
    *context = w;
  }else if( *context ){
    watched *w = *context;
    pthread_mutex_lock(&s->watch_lock);
    if( w->prev ) w->prev->next = w->next; else s->connections = w->next;
    if( w->next ) w->next->prev = w->prev;
    pthread_mutex_unlock(&s->watch_lock);
    free(w);
    *context = NULL;
  }
}

/* Once a second: shut down (not close: MHD owns the descriptor and
** closes it when it sees the end) every connection whose headers are
** late.  MHD then finishes it as a client that hung up. */
static void *watch_headers(void *arg){
  server *s = arg;
  for(;;){
    struct timespec second = { 1, 0 };
    int64_t now;
    nanosleep(&second, NULL);
    pthread_mutex_lock(&s->watch_lock);
    if( s->stopping ){ pthread_mutex_unlock(&s->watch_lock); return NULL; }
    now = now_ms();
    for(watched *w = s->connections; w; w = w->next){
      if( !w->in_request && !w->cut && now - w->since_ms > s->header_ms ){
        shutdown(w->fd, SHUT_RDWR);
        w->cut = 1;
        s->cut_slow++;
      }
    }
    pthread_mutex_unlock(&s->watch_lock);
  }
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **state){
  server *s = cls;
  request *r = *state;
  (void)version;
  if( r == NULL ){
    enum MHD_Result checked;
    pthread_mutex_lock(&s->lock);
    s->requests++;
    pthread_mutex_unlock(&s->lock);
    if( (r = calloc(1, sizeof *r)) == NULL ) return MHD_NO;
    *state = r;
    set_in_request(s, connection, 1);
    checked = check_request(s, connection, url, method, r);
    if( checked != MHD_YES ) r->answered = 1;
    return checked;
  }
  if( r->answered ){
    /* Answered before its body (a 404, a 401, a 413): what follows is
    ** read and dropped, up to the limit; past it the connection is closed,
    ** so a body that never ends cannot hold the server. */
    r->size += *upload_data_size;
    *upload_data_size = 0;
    return r->size > (r->ui ? UI_MAX_BODY : s->max_body) ? MHD_NO : MHD_YES;
  }
  if( *upload_data_size > 0 ){
    append(r, upload_data, *upload_data_size, r->ui ? UI_MAX_BODY : s->max_body);   /* past the limit: dropped, marked */
    *upload_data_size = 0;
    if( r->too_big ){
      /* Answered now, not when the body ends (a chunked one may never). */
      r->answered = 1;
      r->size = 0;
      return r->ui ? reply(connection, MHD_HTTP_CONTENT_TOO_LARGE, "{\"error\":\"the body is larger than 1 MiB\"}")
                   : reply_error(s, connection, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than --max-body", r->protobuf);
    }
    return MHD_YES;
  }
  if( r->ui ){
    if( r->too_big ) return reply(connection, MHD_HTTP_CONTENT_TOO_LARGE, "{\"error\":\"the body is larger than 1 MiB\"}");
    return cli_ui_answer(&s->ui, connection, url, method, r->body, r->size);
  }
  if( r->too_big ) return reply_error(s, connection, MHD_HTTP_CONTENT_TOO_LARGE, "the body is larger than --max-body", r->protobuf);
  const char *encoding = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Encoding");
  if( encoding && strcmp(encoding, "gzip") == 0 ){
    request inflated = {0};
    int rc = gunzip(r, &inflated, s->max_body);
    enum MHD_Result result = rc == 0 ? store(s, connection, &inflated, r->protobuf)
      : reply_error(s, connection, rc == -2 ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST,
                    rc == -2 ? "the body inflates past --max-body" : "the gzip body is corrupt", r->protobuf);
    free(inflated.body);
    return result;
  }
  if( encoding && strcmp(encoding, "identity") ){
    return reply_error(s, connection, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Content-Encoding must be gzip or none", r->protobuf);
  }
  return store(s, connection, r, r->protobuf);
}

static void finished(void *cls, struct MHD_Connection *connection, void **state,
                     enum MHD_RequestTerminationCode code){
  request *r = *state;
  (void)code;
  /* The next request on this connection gets its own deadline. */
  if( r ) set_in_request(cls, connection, 0);
  if( r ){ free(r->body); free(r); }
  *state = NULL;
}

/* ------------------------------------------------------------ command */

static int is_loopback(const char *host){
  struct in_addr v4;
  struct in6_addr v6;
  if( strcmp(host, "localhost") == 0 ) return 1;
  if( inet_pton(AF_INET, host, &v4) == 1 ) return (ntohl(v4.s_addr) >> 24) == 127;
  return inet_pton(AF_INET6, host, &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

/* Open the browser at url where there is a display (`tracelm ui`). */
static void open_browser(const char *url){
  const char *display = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
  if( (display && display[0]) || (wayland && wayland[0]) ){
    pid_t child;
    signal(SIGCHLD, SIG_IGN);   /* the opener is not waited for */
    child = fork();
    if( child == 0 ){
      execlp("xdg-open", "xdg-open", url, (char *)NULL);
      _exit(127);
    }
  }
}

static int run_server(cli *c, int argc, char **argv, int receiver){
  server s = { .max_body = DEFAULT_MAX_BODY, .receiver = receiver };
  const char *host = "127.0.0.1";
  long port = DEFAULT_PORT, timeout = CONNECTION_TIMEOUT_S;
  struct sockaddr_in address;
  sigset_t stop_signals;
  int signal_number, status, open_it = !receiver;
  char url[96];
  for(int i = 0; i < argc; i++){
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    char *end;
    if( !strcmp(argv[i], "--verbose") ){ s.verbose = 1; continue; }
    if( !strcmp(argv[i], "--no-open") ){ open_it = 0; continue; }
    if( value == NULL ) return cli_usage_error(c, "unexpected '%s'", argv[i]);
    if( !strcmp(argv[i], "--host") || !strcmp(argv[i], "--listen") ) host = value;
    else if( !strcmp(argv[i], "--token") ) s.auth.token = value;
    else if( !strcmp(argv[i], "--port") ){
      port = strtol(value, &end, 10);
      if( *end || port < 0 || port > 65535 ) return cli_usage_error(c, "--port takes 0 to 65535, not '%s'", value);
    }else if( !strcmp(argv[i], "--timeout") ){
      timeout = strtol(value, &end, 10);
      if( *end || timeout < 1 || timeout > 3600 ) return cli_usage_error(c, "--timeout takes 1 to 3600 seconds, not '%s'", value);
    }else if( receiver && !strcmp(argv[i], "--max-body") ){
      unsigned long long bytes = strtoull(value, &end, 10);
      if( *end || bytes == 0 || bytes > (1ull << 31) ) return cli_usage_error(c, "--max-body takes bytes, 1 to 2 GiB, not '%s'", value);
      s.max_body = (size_t)bytes;
    }else{
      return cli_usage_error(c, "unknown option '%s'", argv[i]);
    }
    i++;
  }
  if( !is_loopback(host) && s.auth.token == NULL ){
    return cli_usage_error(c, "listening on %s (not loopback) needs --token TOKEN", host);
  }
  if( s.auth.token && (s.auth.token[0] == 0 || strlen(s.auth.token) > 256) ){
    return cli_usage_error(c, "--token takes 1 to 256 characters");
  }
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)port);
  if( inet_pton(AF_INET, strcmp(host, "localhost") ? host : "127.0.0.1", &address.sin_addr) != 1 ){
    return cli_usage_error(c, "--host takes an IPv4 address, not '%s'", host);
  }
  if( (status = cli_open(c, 0, &s.db)) ) return status;
  /* WAL: the browser's reads and the receiver's writes never wait on
  ** each other (the recorder's writer uses it too). */
  sqlite3_exec(s.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
               " PRAGMA cache_size=-32768", NULL, NULL, NULL);
  cli_import_connection(s.db);   /* its one writer is import_otel */
  if( (status = cli_ui_open(c, &s.auth, s.verbose, &s.ui)) ){
    sqlite3_close(s.db);
    return status;
  }
  pthread_mutex_init(&s.lock, NULL);
  cli_committer_init(&s.committer, s.db, tlm_serve_import_sql);
  pthread_mutex_init(&s.watch_lock, NULL);
  s.header_ms = timeout * 1000;
  pthread_mutex_init(&s.auth.lock, NULL);

  /* The signals wait for the main thread; MHD's threads never see them. */
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  struct rlimit files;
  unsigned connections = CONNECTION_LIMIT;
  if( getrlimit(RLIMIT_NOFILE, &files) == 0 ){
    if( files.rlim_cur < files.rlim_max ){
      files.rlim_cur = files.rlim_max;
      setrlimit(RLIMIT_NOFILE, &files);
      getrlimit(RLIMIT_NOFILE, &files);
    }
    /* Leave room for the database, its journal and the poller. */
    if( files.rlim_cur != RLIM_INFINITY && files.rlim_cur < (rlim_t)connections + 64 ){
      connections = files.rlim_cur > 128 ? (unsigned)(files.rlim_cur - 64) : 64;
    }
  }
  struct MHD_Daemon *daemon = MHD_start_daemon(
      MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
      handle, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
      MHD_OPTION_THREAD_POOL_SIZE, 8u, MHD_OPTION_CONNECTION_LIMIT, connections,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout,
      MHD_OPTION_NOTIFY_COMPLETED, finished, &s,
      MHD_OPTION_NOTIFY_CONNECTION, connection_event, &s, MHD_OPTION_END);
  if( daemon == NULL ){
    cli_ui_close(&s.ui);
    sqlite3_close(s.db);
    return cli_fail(c, "cannot listen on %s:%ld (in use, or not allowed)", host, port);
  }
  pthread_t watcher;
  int watching = pthread_create(&watcher, NULL, watch_headers, &s) == 0;
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  snprintf(url, sizeof url, "http://%s:%u/", host, info ? info->port : (unsigned)port);
  if( receiver ){
    printf("tracelm serve: listening on %sv1/traces, traces to browse at %s (database %s)\n", url, url, c->db_path);
  }else{
    printf("tracelm ui: traces to browse at %s (database %s)\n", url, c->db_path);
  }
  fflush(stdout);
  if( open_it ) open_browser(url);
  sigwait(&stop_signals, &signal_number);
  MHD_quiesce_daemon(daemon);   /* no new connections; those in flight finish */
  pthread_mutex_lock(&s.watch_lock);
  s.stopping = 1;
  pthread_mutex_unlock(&s.watch_lock);
  if( watching ) pthread_join(watcher, NULL);
  MHD_stop_daemon(daemon);
  cli_ui_close(&s.ui);
  sqlite3_close(s.db);
  pthread_mutex_destroy(&s.lock);
  cli_committer_destroy(&s.committer);
  pthread_mutex_destroy(&s.watch_lock);
  pthread_mutex_destroy(&s.auth.lock);
  fprintf(stderr, "tracelm %s: stopped by %s: %llu requests, %llu refused, %llu spans stored,"
          " %llu rejected as already stored, %llu connections cut for slow headers\n",
          receiver ? "serve" : "ui", signal_number == SIGINT ? "SIGINT" : "SIGTERM",
          (unsigned long long)s.requests, (unsigned long long)s.requests_rejected,
          (unsigned long long)s.spans_stored, (unsigned long long)s.spans_rejected,
          (unsigned long long)s.cut_slow);
  return 0;
}

int cmd_serve(cli *c, int argc, char **argv){ return run_server(c, argc, argv, 1); }
int cmd_ui(cli *c, int argc, char **argv){ return run_server(c, argc, argv, 0); }
