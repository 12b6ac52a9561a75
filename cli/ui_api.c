/*
** ui_api.c — the trace browser's JSON (GET /api/NAME): each endpoint
** reads its query parameters, binds them to SQL of sql/ui_*.sql and
** answers the rows as {"columns":[...],"rows":[[...]]} (one such object,
** or an object of them for pages made of several statements).  The SQL
** does the work; this file only checks parameters and carries rows.
** A parameter that is not what it should be is a 400 naming it.
*/
#include "ui.h"
#include "tlm_ui_traces_sql.h"
#include "tlm_ui_filters_sql.h"
#include "tlm_ui_trace_sql.h"
#include "tlm_ui_span_sql.h"
#include "tlm_ui_compare_sql.h"
#include "tlm_ui_genai_sql.h"
#include "tlm_ui_conversations_sql.h"
#include "tlm_ui_labels_sql.h"
#include "tlm_ui_version_sql.h"
#include "tlm_sql_md.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ROWS 50
#define PAGE_ROWS_MAX 500

/* ------------------------------------------------------- parameters */

typedef struct param {
  const char *name;          /* ":since" for named, NULL for ?N by position */
  int type;                  /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
  sqlite3_int64 i;
  double d;
  const char *text;
} param;

static const char *arg(struct MHD_Connection *connection, const char *name){
  const char *v = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name);
  return v && v[0] ? v : NULL;
}

/* Read a parameter as integer, number or text; 0, or -1 with *bad set. */
static int read_param(struct MHD_Connection *connection, const char *key, int type, param *p,
                      const char **bad){
  const char *v = arg(connection, key);
  char *end;
  p->type = SQLITE_NULL;
  if( v == NULL ) return 0;
  errno = 0;
  if( type == SQLITE_INTEGER ){
    p->i = strtoll(v, &end, 10);
    if( *end || errno ){ *bad = key; return -1; }
  }else if( type == SQLITE_FLOAT ){
    p->d = strtod(v, &end);
    if( *end || errno ){ *bad = key; return -1; }
  }else{
    p->text = v;
  }
  p->type = type;
  return 0;
}

static void bind_params(sqlite3_stmt *stmt, const param *params, int count){
  for(int k = 0; k < count; k++){
    const param *p = &params[k];
    int at = p->name ? sqlite3_bind_parameter_index(stmt, p->name) : k + 1;
    if( at == 0 || at > sqlite3_bind_parameter_count(stmt) ) continue;
    switch( p->type ){
      case SQLITE_INTEGER: sqlite3_bind_int64(stmt, at, p->i); break;
      case SQLITE_FLOAT: sqlite3_bind_double(stmt, at, p->d); break;
      case SQLITE_TEXT: sqlite3_bind_text(stmt, at, p->text, -1, SQLITE_TRANSIENT); break;
      default: sqlite3_bind_null(stmt, at); break;
    }
  }
}

/* ---------------------------------------------------------- answers */

static enum MHD_Result json_reply(struct MHD_Connection *connection, unsigned status, const char *json){
  return cli_http_reply(connection, status, json, strlen(json), "application/json", NULL, NULL);
}

enum MHD_Result cli_ui_error(struct MHD_Connection *connection, unsigned status, const char *message){
  cJSON *o = cJSON_CreateObject();
  char *text;
  enum MHD_Result rc;
  cJSON_AddStringToObject(o, "error", message);
  text = cJSON_PrintUnformatted(o);
  rc = json_reply(connection, status, text ? text : "{\"error\":\"out of memory\"}");
  cJSON_free(text);
  cJSON_Delete(o);
  return rc;
}

static enum MHD_Result bad_param(struct MHD_Connection *connection, const char *name){
  char message[96];
  snprintf(message, sizeof message, "the parameter '%s' must be a number", name);
  return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, message);
}

/* Run the statements of sql in order, each with params, limit rows each;
** names[i] (NULL-terminated list) names statement i's part of the answer,
** or with one name NULL, the answer is that statement's rows alone. */
static enum MHD_Result run(cli_ui *ui, struct MHD_Connection *connection, const char *sql,
                           const char *const *names, const param *params, int count, int64_t limit){
  sqlite3_str *out = sqlite3_str_new(NULL);
  const char *at = sql;
  char *error = NULL, *text;
  enum MHD_Result rc;
  int part = 0;
  pthread_mutex_lock(&ui->db_lock);
  if( names ) sqlite3_str_appendchar(out, 1, '{');
  while( error == NULL && at && *at ){
    sqlite3_stmt *stmt = NULL;
    char *rows;
    if( sqlite3_prepare_v2(ui->db, at, -1, &stmt, &at) != SQLITE_OK ){
      error = sqlite3_mprintf("%s", sqlite3_errmsg(ui->db));
      break;
    }
    if( stmt == NULL ) break;              /* only comments were left */
    bind_params(stmt, params, count);
    rows = cli_rows_json(stmt, limit, &error);
    sqlite3_finalize(stmt);
    if( rows == NULL ) break;
    if( names ){
      if( names[part] == NULL ){ cJSON_free(rows); break; }
      sqlite3_str_appendf(out, "%s\"%s\":%s", part ? "," : "", names[part], rows);
    }else{
      sqlite3_str_appendall(out, rows);
    }
    cJSON_free(rows);
    part++;
    if( names == NULL ) break;
  }
  pthread_mutex_unlock(&ui->db_lock);
  if( names ) sqlite3_str_appendchar(out, 1, '}');
  text = sqlite3_str_finish(out);
  if( error ){
    /* The extension's messages start with the function's name: kept,
    ** they say which part of the page failed. */
    rc = cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, error);
  }else{
    rc = json_reply(connection, MHD_HTTP_OK, text ? text : "{}");
  }
  sqlite3_free(error);
  sqlite3_free(text);
  return rc;
}

/* Build the facts of traces written since the last question, so the list
** and the runs page read priced costs and current paths; a read-only file
** keeps what it has (the list then prices from span_cost). */
static void update_facts(cli_ui *ui){
  pthread_mutex_lock(&ui->db_lock);
  sqlite3_exec(ui->db, "SELECT facts_update()", NULL, NULL, NULL);
  pthread_mutex_unlock(&ui->db_lock);
}

/* -------------------------------------------------------- endpoints */

/* text with each comment that holds only one of names (slash-star NAME
** star-slash) replaced by that name's value; other comments kept. */
static char *fill(const char *text, const char *const *names, const char *const *values, int count){
  sqlite3_str *out = sqlite3_str_new(NULL);
  while( *text ){
    int k = -1;
    const char *at = strstr(text, "/*"), *end;
    if( at == NULL || (end = strstr(at, "*/")) == NULL ){ sqlite3_str_appendall(out, text); break; }
    for(int i = 0; i < count; i++){
      if( (size_t)(end - at - 2) == strlen(names[i]) && !strncmp(at + 2, names[i], strlen(names[i])) ) k = i;
    }
    sqlite3_str_append(out, text, (int)((k < 0 ? end + 2 : at) - text));
    if( k >= 0 ) sqlite3_str_appendall(out, values[k]);
    text = end + 2;
  }
  return sqlite3_str_finish(out);
}

/* Whether every trace's facts are built (nothing marked), so its priced
** cost is in trace_facts and a sort by cost can walk their cost index. */
static int facts_complete(cli_ui *ui){
  sqlite3_stmt *stmt;
  int complete = 0;
  pthread_mutex_lock(&ui->db_lock);
  if( sqlite3_prepare_v2(ui->db, "SELECT NOT EXISTS (SELECT 1 FROM facts_dirty)"
        " AND (SELECT count(*) FROM trace_facts) = (SELECT count(*) FROM traces WHERE span_count > 0)",
        -1, &stmt, NULL) == SQLITE_OK ){
    if( sqlite3_step(stmt) == SQLITE_ROW ) complete = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
  }
  pthread_mutex_unlock(&ui->db_lock);
  return complete;
}

static const char *const sort_columns[] = { "start_ns", "duration_ns", "spans", "tokens", "cost", "errors" };

static enum MHD_Result api_traces(cli_ui *ui, struct MHD_Connection *connection){
  static const struct { const char *key, *name; int type; } filters[] = {
    { "since", ":since", SQLITE_INTEGER }, { "until", ":until", SQLITE_INTEGER },
    { "label", ":label", SQLITE_TEXT }, { "service", ":service", SQLITE_TEXT },
    { "root", ":root", SQLITE_TEXT }, { "model", ":model", SQLITE_TEXT },
    { "status", ":status", SQLITE_TEXT }, { "min_ns", ":min_ns", SQLITE_INTEGER },
    { "min_cost", ":min_cost", SQLITE_FLOAT }, { "q", ":q", SQLITE_TEXT },
    { "limit", ":limit", SQLITE_INTEGER }, { "offset", ":offset", SQLITE_INTEGER },
    { NULL, ":by_cost", SQLITE_INTEGER },
  };
  param params[sizeof filters / sizeof *filters];
  const char *bad = NULL, *sort = arg(connection, "sort"), *dir = arg(connection, "dir");
  const char *column = "start_ns";
  int count = (int)(sizeof filters / sizeof *filters);
  char *sql;
  enum MHD_Result rc;
  for(int k = 0; k < count; k++){
    params[k].name = filters[k].name;
    params[k].type = filters[k].type;
    if( filters[k].key && read_param(connection, filters[k].key, filters[k].type, &params[k], &bad) ){
      return bad_param(connection, bad);
    }
  }
  if( params[6].type == SQLITE_TEXT && strcmp(params[6].text, "error") && strcmp(params[6].text, "ok") ){
    return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameter 'status' must be 'error' or 'ok'");
  }
  if( params[10].type == SQLITE_NULL ){ params[10].type = SQLITE_INTEGER; params[10].i = PAGE_ROWS; }
  if( params[10].i < 1 || params[10].i > PAGE_ROWS_MAX ){
    return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameter 'limit' must be 1 to 500");
  }
  if( params[11].type == SQLITE_NULL ){ params[11].type = SQLITE_INTEGER; params[11].i = 0; }
  if( params[11].i < 0 ) return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameter 'offset' must be 0 or more");
  if( sort ){
    column = NULL;
    for(size_t k = 0; k < sizeof sort_columns / sizeof *sort_columns; k++){
      if( strcmp(sort, sort_columns[k]) == 0 ) column = sort_columns[k];
    }
    if( column == NULL ){
      return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST,
                         "the parameter 'sort' must be start_ns, duration_ns, spans, tokens, cost or errors");
    }
  }
  if( dir && strcmp(dir, "asc") && strcmp(dir, "desc") ){
    return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameter 'dir' must be asc or desc");
  }
  update_facts(ui);
  /* One more row than the page says whether there is a next page. */
  params[10].i += 1;
  params[12].i = !strcmp(column, "cost") || params[8].type != SQLITE_NULL;
  {
    static const char *const names[] = { "FROM", "PAGE_ORDER", "ORDER" };
    const char *order = dir && !strcmp(dir, "asc") ? "ASC" : "DESC";
    int walk_cost = !strcmp(column, "cost") && facts_complete(ui);
    char *by = sqlite3_mprintf("ORDER BY %s %s, trace_id %s", column, order, order);
    /* The page's own name for the cost is page_cost; walking the index,
    ** the order is the index's. */
    char *page_by = sqlite3_mprintf("ORDER BY %s %s, %s %s",
                                    walk_cost ? "f.cost" : strcmp(column, "cost") ? column : "page_cost", order,
                                    walk_cost ? "f.trace_id" : "t.trace_id", order);
    const char *values[] = {
      walk_cost ? "trace_facts f INDEXED BY trace_facts_by_cost JOIN traces t ON t.trace_id = f.trace_id"
                : "traces t", page_by, by };
    sql = by && page_by ? fill(tlm_ui_traces_sql, names, values, 3) : NULL;
    sqlite3_free(by);
    sqlite3_free(page_by);
  }
  rc = sql ? run(ui, connection, sql, NULL, params, count, params[10].i - 1)
           : cli_ui_error(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
  sqlite3_free(sql);
  return rc;
}

static enum MHD_Result api_filters(cli_ui *ui, struct MHD_Connection *connection){
  return run(ui, connection, tlm_ui_filters_sql, NULL, NULL, 0, 4 * 200);
}

/* The full id of what the user gave ('latest', a prefix), or an answer. */
static int resolve(cli_ui *ui, const char *given, char id[33], char **error){
  sqlite3_stmt *stmt;
  int rc = -1;
  pthread_mutex_lock(&ui->db_lock);
  if( sqlite3_prepare_v2(ui->db, "SELECT resolve_trace(?1)", -1, &stmt, NULL) == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, given, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      snprintf(id, 33, "%s", (const char *)sqlite3_column_text(stmt, 0));
      rc = 0;
    }else{
      *error = sqlite3_mprintf("%s", sqlite3_errmsg(ui->db));
    }
    sqlite3_finalize(stmt);
  }else{
    *error = sqlite3_mprintf("%s", sqlite3_errmsg(ui->db));
  }
  pthread_mutex_unlock(&ui->db_lock);
  return rc;
}

static enum MHD_Result api_trace(cli_ui *ui, struct MHD_Connection *connection){
  static const char *const names[] = { "summary", "tree", "critical", "neighbours", "runs", NULL };
  const char *given = arg(connection, "id");
  char id[33], *error = NULL;
  param p = { NULL, SQLITE_TEXT, 0, 0, id };
  if( given == NULL ) return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameter 'id' is missing");
  if( resolve(ui, given, id, &error) ){
    enum MHD_Result rc = cli_ui_error(connection, MHD_HTTP_NOT_FOUND, error ? error : "no such trace");
    sqlite3_free(error);
    return rc;
  }
  return run(ui, connection, tlm_ui_trace_sql, names, &p, 1, 5000);
}

static enum MHD_Result api_span(cli_ui *ui, struct MHD_Connection *connection){
  param p[2] = { { NULL, SQLITE_TEXT, 0, 0, arg(connection, "trace") },
                 { NULL, SQLITE_TEXT, 0, 0, arg(connection, "span") } };
  if( p[0].text == NULL || p[1].text == NULL ){
    return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameters 'trace' and 'span' are needed");
  }
  static const char *const names[] = { "span", "messages", "scores", NULL };
  return run(ui, connection, tlm_ui_span_sql, names, p, 2, 1000);
}

static enum MHD_Result api_labels(cli_ui *ui, struct MHD_Connection *connection){
  return run(ui, connection, tlm_ui_labels_sql, NULL, NULL, 0, 1000);
}

static enum MHD_Result api_compare(cli_ui *ui, struct MHD_Connection *connection){
  param p[2] = { { NULL, SQLITE_TEXT, 0, 0, arg(connection, "a") },
                 { NULL, SQLITE_TEXT, 0, 0, arg(connection, "b") } };
  if( p[0].text == NULL || p[1].text == NULL ){
    return cli_ui_error(connection, MHD_HTTP_BAD_REQUEST, "the parameters 'a' and 'b' are needed (two run labels or queries)");
  }
  return run(ui, connection, tlm_ui_compare_sql, NULL, p, 2, 10000);
}

/* The LLM and conversation pages: ?1 since, ?2 until, ?3 third (a model,
** a conversation id), ?4 label, ?5 service. */
static enum MHD_Result api_window(cli_ui *ui, struct MHD_Connection *connection, const char *sql,
                                  const char *const *names, const char *third){
  param p[5] = { { 0 }, { 0 }, { 0 }, { 0 }, { 0 } };
  const char *bad = NULL;
  if( read_param(connection, "since", SQLITE_INTEGER, &p[0], &bad)
   || read_param(connection, "until", SQLITE_INTEGER, &p[1], &bad) ) return bad_param(connection, bad);
  read_param(connection, third, SQLITE_TEXT, &p[2], &bad);
  read_param(connection, "label", SQLITE_TEXT, &p[3], &bad);
  read_param(connection, "service", SQLITE_TEXT, &p[4], &bad);
  return run(ui, connection, sql, names, p, 5, 500);
}

static enum MHD_Result api_llm(cli_ui *ui, struct MHD_Connection *connection){
  static const char *const names[] = { "models", "calls", NULL };
  return api_window(ui, connection, tlm_ui_genai_sql, names, "model");
}

static enum MHD_Result api_conversations(cli_ui *ui, struct MHD_Connection *connection){
  static const char *const names[] = { "conversations", "traces", NULL };
  return api_window(ui, connection, tlm_ui_conversations_sql, names, "id");
}

static enum MHD_Result api_version(cli_ui *ui, struct MHD_Connection *connection){
  return run(ui, connection, tlm_ui_version_sql, NULL, NULL, 0, 1);
}

/* docs/sql.md as text: the SQL page lists its examples. */
static enum MHD_Result api_examples(cli_ui *ui, struct MHD_Connection *connection){
  (void)ui;
  return cli_http_reply(connection, MHD_HTTP_OK, tlm_sql_md, strlen(tlm_sql_md), "text/plain; charset=utf-8",
                        NULL, NULL);
}

static const struct { const char *name; cli_ui_endpoint fn; } endpoints[] = {
  { "traces", api_traces }, { "filters", api_filters }, { "trace", api_trace }, { "span", api_span },
  { "labels", api_labels }, { "compare", api_compare }, { "llm", api_llm },
  { "conversations", api_conversations }, { "version", api_version }, { "examples", api_examples },
};

cli_ui_endpoint cli_ui_find_endpoint(const char *name){
  for(size_t i = 0; i < sizeof endpoints / sizeof *endpoints; i++){
    if( strcmp(name, endpoints[i].name) == 0 ) return endpoints[i].fn;
  }
  return NULL;
}
