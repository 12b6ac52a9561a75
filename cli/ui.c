/*
** ui.c — the trace browser's routes.  Pages are one HTML shell and its
** script and style (cli/ui/, embedded at build time); the script asks
** /api/NAME (ui_api.c) for JSON and draws every value as text.  A trace's
** timeline is export_html's own page, served at /timeline?id= with a
** nonce on its one inline script and style, so the CSP still runs no
** inline code but that.  With --token every route but /login needs the
** session cookie (auth.c).
*/
#include "ui.h"
#include "tlm_ui_index_html.h"
#include "tlm_ui_app_js.h"
#include "tlm_ui_app_css.h"
#include "tlm_ui_login_html.h"
#include "tlm_ui_login_js.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SQL_BOX_ROWS 1000
#define SQL_BOX_ROWS_MAX 10000
#define SQL_BOX_MS 5000

enum MHD_Result cli_http_reply(struct MHD_Connection *connection, unsigned status, const void *body,
                               size_t size, const char *type, const char *csp, const char *cookie){
  struct MHD_Response *response = MHD_create_response_from_buffer(size, (void *)body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result rc;
  if( response == NULL ) return MHD_NO;
  MHD_add_response_header(response, "Content-Type", type);
  MHD_add_response_header(response, "Content-Security-Policy", csp ? csp : CLI_UI_CSP);
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(response, "Cache-Control", "no-store");
  if( cookie ) MHD_add_response_header(response, "Set-Cookie", cookie);
  rc = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return rc;
}

static enum MHD_Result text_reply(struct MHD_Connection *connection, unsigned status, const char *text){
  return cli_http_reply(connection, status, text, strlen(text), "text/plain; charset=utf-8", NULL, NULL);
}

static enum MHD_Result redirect(struct MHD_Connection *connection, const char *to){
  struct MHD_Response *response = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  enum MHD_Result rc;
  if( response == NULL ) return MHD_NO;
  MHD_add_response_header(response, "Location", to);
  rc = MHD_queue_response(connection, MHD_HTTP_SEE_OTHER, response);
  MHD_destroy_response(response);
  return rc;
}

/* -------------------------------------------------------- timeline */

/* export_html's page with a fresh nonce on its <style> and its code
** <script>: the data block can hold no '<' (export_html writes \u003c),
** so the first "<style>" and the last "<script>" are the page's own. */
static enum MHD_Result timeline(cli_ui *ui, struct MHD_Connection *connection){
  const char *id = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "id");
  unsigned char random[16];
  char nonce[33], csp[256];
  sqlite3_stmt *stmt;
  enum MHD_Result rc;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), ok;
  ok = fd >= 0 && read(fd, random, sizeof random) == (ssize_t)sizeof random;
  if( fd >= 0 ) close(fd);
  if( !ok ) return text_reply(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "no random bytes for a nonce");
  for(int i = 0; i < 16; i++) snprintf(nonce + 2 * i, 3, "%02x", random[i]);
  snprintf(csp, sizeof csp, "default-src 'none'; script-src 'nonce-%s'; style-src 'nonce-%s';"
           " img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'", nonce, nonce);
  if( id == NULL ) return text_reply(connection, MHD_HTTP_BAD_REQUEST, "the parameter 'id' is missing");
  pthread_mutex_lock(&ui->db_lock);
  if( sqlite3_prepare_v2(ui->db, "SELECT export_html(?1)", -1, &stmt, NULL) != SQLITE_OK ){
    rc = text_reply(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, sqlite3_errmsg(ui->db));
  }else{
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      const char *page = (const char *)sqlite3_column_text(stmt, 0);
      const char *style = strstr(page, "<style>"), *script = NULL;
      for(const char *at = page; (at = strstr(at, "<script>")) != NULL; at++) script = at;
      if( style && script && style < script ){
        sqlite3_str *out = sqlite3_str_new(NULL);
        char *text;
        sqlite3_str_append(out, page, (int)(style - page));
        sqlite3_str_appendf(out, "<style nonce=\"%s\">", nonce);
        sqlite3_str_append(out, style + 7, (int)(script - style - 7));
        sqlite3_str_appendf(out, "<script nonce=\"%s\">", nonce);
        sqlite3_str_appendall(out, script + 8);
        text = sqlite3_str_finish(out);
        rc = text ? cli_http_reply(connection, MHD_HTTP_OK, text, strlen(text), "text/html; charset=utf-8", csp, NULL)
                  : MHD_NO;
        sqlite3_free(text);
      }else{
        rc = text_reply(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "export_html's page has no <style> or <script>");
      }
    }else{
      rc = text_reply(connection, MHD_HTTP_NOT_FOUND, sqlite3_errmsg(ui->db));
    }
    sqlite3_finalize(stmt);
  }
  pthread_mutex_unlock(&ui->db_lock);
  return rc;
}

/* --------------------------------------------------------- SQL box */

static enum MHD_Result sql_box(cli_ui *ui, struct MHD_Connection *connection, const char *body, size_t size){
  const char *limit_arg = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "limit");
  long long limit = limit_arg ? strtoll(limit_arg, NULL, 10) : SQL_BOX_ROWS;
  char *error = NULL, *json;
  enum MHD_Result rc;
  if( limit < 1 || limit > SQL_BOX_ROWS_MAX ) limit = SQL_BOX_ROWS;
  pthread_mutex_lock(&ui->box_lock);
  json = cli_sql_box_run(ui->sql_box, body ? body : "", body ? size : 0, limit, SQL_BOX_MS, &error);
  pthread_mutex_unlock(&ui->box_lock);
  if( json ){
    rc = cli_http_reply(connection, MHD_HTTP_OK, json, strlen(json), "application/json", NULL, NULL);
    free(json);
  }else{
    rc = cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, error ? error : "failed");
  }
  sqlite3_free(error);
  return rc;
}

/* ------------------------------------------------------------ routes */

static enum MHD_Result route(cli_ui *ui, struct MHD_Connection *connection, const char *url,
                             const char *method, const char *body, size_t size){
  int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
  if( !strcmp(url, "/login") ){
    char cookie[128];
    if( get ) return cli_http_reply(connection, MHD_HTTP_OK, tlm_ui_login_html, strlen(tlm_ui_login_html),
                                    "text/html; charset=utf-8", NULL, NULL);
    if( !post ) return text_reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or POST");
    if( cli_auth_login(ui->auth, body ? body : "", body ? size : 0, cookie, sizeof cookie) ){
      return text_reply(connection, MHD_HTTP_UNAUTHORIZED, ui->auth->token ? "wrong token" : "no token is needed");
    }
    return cli_http_reply(connection, MHD_HTTP_OK, "ok", 2, "text/plain", NULL, cookie);
  }
  if( !strcmp(url, "/assets/login.js") ){
    return cli_http_reply(connection, MHD_HTTP_OK, tlm_ui_login_js, strlen(tlm_ui_login_js),
                          "text/javascript; charset=utf-8", NULL, NULL);
  }
  if( !strcmp(url, "/assets/app.css") ){
    return cli_http_reply(connection, MHD_HTTP_OK, tlm_ui_app_css, strlen(tlm_ui_app_css),
                          "text/css; charset=utf-8", NULL, NULL);
  }
  if( !cli_auth_cookie(ui->auth, connection) ){
    if( !strncmp(url, "/api/", 5) ) return text_reply(connection, MHD_HTTP_UNAUTHORIZED, "log in first (/login)");
    return redirect(connection, "/login");
  }
  if( !strcmp(url, "/api/sql") ){
    if( !post ) return text_reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "POST the query as the body");
    return sql_box(ui, connection, body, size);
  }
  if( !get ){
    int known = !strcmp(url, "/") || !strcmp(url, "/index.html") || !strcmp(url, "/assets/app.js")
             || !strcmp(url, "/timeline") || (!strncmp(url, "/api/", 5) && cli_ui_find_endpoint(url + 5));
    return known ? text_reply(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET")
                 : text_reply(connection, MHD_HTTP_NOT_FOUND, "no such page");
  }
  if( !strcmp(url, "/") || !strcmp(url, "/index.html") ){
    return cli_http_reply(connection, MHD_HTTP_OK, tlm_ui_index_html, strlen(tlm_ui_index_html),
                          "text/html; charset=utf-8", NULL, NULL);
  }
  if( !strcmp(url, "/assets/app.js") ){
    return cli_http_reply(connection, MHD_HTTP_OK, tlm_ui_app_js, strlen(tlm_ui_app_js),
                          "text/javascript; charset=utf-8", NULL, NULL);
  }
  if( !strcmp(url, "/timeline") ) return timeline(ui, connection);
  if( !strncmp(url, "/api/", 5) ){
    cli_ui_endpoint fn = cli_ui_find_endpoint(url + 5);
    if( fn ) return fn(ui, connection);
  }
  return text_reply(connection, MHD_HTTP_NOT_FOUND, "no such page");
}

enum MHD_Result cli_ui_answer(cli_ui *ui, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *body, size_t size){
  int64_t start = cli_now_ns();
  enum MHD_Result rc = route(ui, connection, url, method, body, size);
  if( ui->verbose ){
    /* One line a request with its time: what the UI's timing test reads. */
    fprintf(stderr, "tracelm serve: %s %s %.3f ms\n", method, url, (double)(cli_now_ns() - start) / 1e6);
  }
  return rc;
}

int cli_ui_open(const cli *c, cli_auth *auth, int verbose, cli_ui *ui){
  int status;
  memset(ui, 0, sizeof *ui);
  ui->auth = auth;
  ui->verbose = verbose;
  if( (status = cli_open(c, 0, &ui->db)) ) return status;
  if( cli_sql_box_open(c->db_path, &ui->sql_box) != SQLITE_OK ){
    status = cli_fail(c, "cannot open '%s' read-only for the SQL box: %s", c->db_path, sqlite3_errmsg(ui->sql_box));
    sqlite3_close(ui->sql_box);
    sqlite3_close(ui->db);
    return status;
  }
  pthread_mutex_init(&ui->db_lock, NULL);
  pthread_mutex_init(&ui->box_lock, NULL);
  return 0;
}

void cli_ui_close(cli_ui *ui){
  sqlite3_close(ui->sql_box);
  sqlite3_close(ui->db);
  pthread_mutex_destroy(&ui->db_lock);
  pthread_mutex_destroy(&ui->box_lock);
}
