/*
** ui.h — the trace browser `tracelm serve` (and `tracelm ui`) serve at
** "/": pages embedded at build time (cli/ui), JSON from the extension's
** SQL (ui_api.c), a read-only SQL box (sql_box.c), and the login a
** --token asks for (auth.c).  serve.c routes every request but
** /v1/traces here.
*/
#ifndef TLM_CLI_UI_H
#define TLM_CLI_UI_H

#include "cli.h"
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

/* --------------------------------------------------------------- auth */

#define CLI_SESSIONS 64

typedef struct cli_auth {
  const char *token;                     /* NULL: none needed (loopback) */
  pthread_mutex_t lock;
  char sessions[CLI_SESSIONS][33];       /* cookies handed out, newest last */
  int next;
} cli_auth;

int cli_auth_equal(const char *a, const char *b);      /* constant time */
/* 1 when the request may go on: no token set, or the header is
** "Bearer TOKEN". */
int cli_auth_bearer(cli_auth *a, struct MHD_Connection *connection);
/* 1 when the request carries a session cookie handed out by cli_auth_login. */
int cli_auth_cookie(cli_auth *a, struct MHD_Connection *connection);
/* A new session for a correct token: writes the Set-Cookie value, 0;
** -1 for a wrong token. */
int cli_auth_login(cli_auth *a, const char *token, size_t size, char *cookie, size_t cookie_size);

/* ------------------------------------------------------------ replies */

/* Content-Security-Policy of the browser's pages: scripts and styles only
** from the server's own files, no network but the server. */
#define CLI_UI_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;" \
  " connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"

/* Answer with body (copied), its type, the safety headers and, where not
** NULL, a CSP other than CLI_UI_CSP and a Set-Cookie. */
enum MHD_Result cli_http_reply(struct MHD_Connection *connection, unsigned status, const void *body,
                               size_t size, const char *type, const char *csp, const char *cookie);

/* ----------------------------------------------------------------- ui */

typedef struct cli_ui {
  sqlite3 *db;                 /* the pages' queries (may build facts) */
  sqlite3 *sql_box;            /* read-only, with the authorizer */
  pthread_mutex_t db_lock, box_lock;
  cli_auth *auth;
  int verbose;                 /* log each request with its time */
} cli_ui;

int cli_ui_open(const cli *c, cli_auth *auth, int verbose, cli_ui *ui);
void cli_ui_close(cli_ui *ui);
/* A request for anything but /v1/traces; body is a POST's (NULL else). */
enum MHD_Result cli_ui_answer(cli_ui *ui, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *body, size_t size);

/* ui_api.c: {"error": message} with status, the browser's one error answer. */
enum MHD_Result cli_ui_error(struct MHD_Connection *connection, unsigned status, const char *message);
/* ui_api.c: GET /api/NAME; NULL when there is no such endpoint. */
typedef enum MHD_Result (*cli_ui_endpoint)(cli_ui *ui, struct MHD_Connection *connection);
cli_ui_endpoint cli_ui_find_endpoint(const char *name);
/* sql_box.c */
int cli_sql_box_open(const char *path, sqlite3 **db);
/* Run one read-only statement: at most limit rows, time_ms of work. */
char *cli_sql_box_run(sqlite3 *db, const char *sql, size_t size, int64_t limit, int time_ms,
                      char **error);

#endif
