/*
** export_html.c — export_html(trace): one self-contained HTML page that
** draws the trace as a timeline, for a person to look at.
**
**   $ sqlite3 tracelm.db ".load tracelm" \
**       "SELECT writefile('trace.html', export_html('latest'))"
**   $ tracelm view latest          # the same, opened in a browser
**
** The page is ext/html/page.html with ext/html/page.css and page.js
** inlined (embedded at build time, as sql/ is): no framework, no network,
** it works opened from disk.  The trace travels as JSON in a
** <script type="application/json"> block; docs/html.md has its shape.
** Rows are core/lanes.c's (a group per service, a lane per thread and
** overlap, as export_chrome), so nothing mis-nests; the critical path,
** self times and the summary are the other functions' own numbers.
**
** Every '<' in the JSON is written \u003c, so no span name or attribute
** can close the script block: text stays text, never markup; the page's
** own script and style are inlined as they are.  Columns of
** a span are numbers in one flat array (about 100 bytes a span), names
** and models are pooled.  What an LLM call said and how it was judged
** (span_messages and span_scores, sql/genai_content.sql) travel by
** span index too, for the detail panel.
*/
#include "json_out.h"
#include "analyses.h"
#include "arrays.h"
#include "hexid.h"
#include "lanes.h"
#include "tlm_page_html.h"     /* generated from ext/html/ */
#include "tlm_page_css.h"
#include "tlm_page_js.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

/* The numbers of one span in "spans", in this order (page.js reads them
** by the same positions: keep SPAN_FIELDS there equal). */
#define SPAN_FIELDS 15

/* Append text with every '<' as \u003c: inside a JSON string it means the
** same, and no "</script>" can appear. */
static void append_script_safe(tlm_text *out, const char *text, int64_t length){
  int64_t from = 0;
  for(int64_t i = 0; i < length; i++){
    if( text[i] != '<' ) continue;
    tlm_text_append(out, text + from, i - from);
    tlm_text_append(out, "\\u003c", 6);
    from = i + 1;
  }
  tlm_text_append(out, text + from, length - from);
}

static void append_number_list_end(tlm_text *t, int *first){
  if( !*first ) tlm_text_char(t, ',');
  *first = 0;
}

/* "key":{"<node>":[[col, ...], ...], ...}: each row of sql (bound to the
** trace id; its first column a spans rowid, the rest text or numbers)
** under its span's index in g.  A database without the view (before
** version 7) has none. */
static int write_rows_by_span(tlm_ext *ext, tlm_json_out *j, const tlm_graph *g, const char *key,
                              const char *sql){
  tlm_text *out = &j->text;
  sqlite3_stmt *stmt;
  int32_t open = -1;
  int rc;
  tlm_text_printf(out, ",\"%s\":{", key);
  if( sqlite3_prepare_v2(ext->db, sql, -1, &stmt, 0) != SQLITE_OK ){
    tlm_text_char(out, '}');
    return out->rc;
  }
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  while( sqlite3_step(stmt) == SQLITE_ROW ){
    int32_t node = tlm_graph_node_of_rowid(g, sqlite3_column_int64(stmt, 0), -1);
    if( node < 0 ) continue;
    if( node != open ){
      /* Rows come grouped by span (the queries order them so). */
      tlm_text_printf(out, "%s\"%d\":[", open < 0 ? "" : "],", node);
      open = node;
    }else{
      tlm_text_char(out, ',');
    }
    tlm_text_char(out, '[');
    for(int c = 1; c < sqlite3_column_count(stmt); c++){
      if( c > 1 ) tlm_text_char(out, ',');
      switch( sqlite3_column_type(stmt, c) ){
        case SQLITE_NULL:    tlm_text_str(out, "null"); break;
        case SQLITE_INTEGER: tlm_text_int(out, sqlite3_column_int64(stmt, c)); break;
        case SQLITE_FLOAT:   tlm_text_double(out, sqlite3_column_double(stmt, c)); break;
        default:             tlm_json_string(j, (const char *)sqlite3_column_text(stmt, c));
      }
    }
    tlm_text_char(out, ']');
  }
  rc = sqlite3_finalize(stmt);
  tlm_text_str(out, open < 0 ? "}" : "]}");
  return rc != SQLITE_OK ? rc : out->rc;
}

/* Messages in reading order: the system's, the input, the output, then
** the older per-message events; scores by time. */
static int write_genai(tlm_ext *ext, tlm_json_out *j, const tlm_graph *g){
  int rc = write_rows_by_span(ext, j, g, "messages",
      "SELECT s.rowid, m.source, m.role, m.kind, m.text, m.tool_name, m.tool_call_id, m.arguments"
      " FROM span_messages m JOIN spans s ON s.trace_id = m.trace_id AND s.span_id = m.span_id"
      " WHERE m.trace_id = ?1 ORDER BY s.rowid,"
      " CASE m.source WHEN 'system' THEN 0 WHEN 'input' THEN 1 WHEN 'output' THEN 2 ELSE 3 END,"
      " m.message, m.part");
  if( rc != SQLITE_OK ) return rc;
  return write_rows_by_span(ext, j, g, "scores",
      "SELECT s.rowid, c.name, c.value, c.label, c.explanation"
      " FROM span_scores c JOIN spans s ON s.trace_id = c.trace_id AND s.span_id = c.span_id"
      " WHERE c.trace_id = ?1 ORDER BY s.rowid, c.time_ns, c.event_span_id");
}

/* The data block: the summary, the pools, the rows and every span. */
static int write_data(tlm_ext *ext, tlm_json_out *j, const tlm_graph *g, const tlm_lanes *lanes,
                      char **attrs, char **errmsg){
  tlm_text *out = &j->text;
  tlm_segment *path = NULL;
  int32_t path_count = 0;
  int64_t *self = tlm_graph_self_ns(g);
  sqlite3_stmt *stmt;
  int rc = self ? tlm_critical_path(g, &path, &path_count) : SQLITE_NOMEM;
  int first;
  if( rc != SQLITE_OK ){ sqlite3_free(self); return rc; }

  tlm_text_printf(out, "{\"trace_id\":\"%s\",\"start_ns\":%lld,\"end_ns\":%lld,\"summary\":",
                  g->trace_id, (long long)g->start_ns, (long long)g->end_ns);
  /* The summary is trace_summary()'s own, on the graph already cached. */
  rc = sqlite3_prepare_v2(ext->db, "SELECT trace_summary(?1)", -1, &stmt, 0);
  if( rc == SQLITE_OK ){
    sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
    if( sqlite3_step(stmt) == SQLITE_ROW ){
      tlm_text_append(out, (const char *)sqlite3_column_text(stmt, 0), sqlite3_column_bytes(stmt, 0));
    }else{
      *errmsg = sqlite3_mprintf("%s", sqlite3_errmsg(ext->db));
      rc = SQLITE_ERROR;
    }
    sqlite3_finalize(stmt);
  }
  if( rc != SQLITE_OK ){ sqlite3_free(self); sqlite3_free(path); return rc; }

  tlm_text_str(out, ",\"strings\":[");
  for(int32_t s = 0; s < g->string_count; s++){
    if( s ) tlm_text_char(out, ',');
    tlm_json_pooled(j, s);
  }
  tlm_text_str(out, "],\"services\":[");
  for(int32_t pid = 1; pid <= lanes->pid_count; pid++){
    if( pid > 1 ) tlm_text_char(out, ',');
    tlm_text_int(out, lanes->service_of_pid[pid]);
  }
  tlm_text_str(out, "],\"rows\":[");
  for(int32_t r = 0; r < lanes->row_count; r++){
    tlm_text_printf(out, "%s[%d,%lld,%d]", r ? "," : "", lanes->rows[r].pid,
                    (long long)lanes->rows[r].thread, lanes->rows[r].lane);
  }
  tlm_text_str(out, "],\"ids\":\"");
  for(int32_t i = 0; i < g->n; i++){
    char hex[17];
    tlm_span_id_to_hex(g->nodes[i].span_id, hex);
    tlm_text_append(out, hex, 16);
  }
  /* start, duration, name, row, kind, status, parent, tokens in and out,
  ** cost, model, self time, status message, problems, level in the row:
  ** SPAN_FIELDS. */
  tlm_text_str(out, "\",\"spans\":[");
  first = 1;
  for(int32_t i = 0; i < g->n; i++){
    const tlm_node *n = &g->nodes[i];
    append_number_list_end(out, &first);
    tlm_text_int(out, n->start_ns - g->start_ns);
    tlm_text_char(out, ',');
    tlm_text_int(out, tlm_duration(n));
    tlm_text_printf(out, ",%d,%d,%d,%d,%d,", n->name, lanes->row[i], n->kind, n->status, n->parent);
    tlm_text_int(out, n->tokens_in);
    tlm_text_char(out, ',');
    tlm_text_int(out, n->tokens_out);
    tlm_text_char(out, ',');
    tlm_text_double(out, n->cost);
    tlm_text_printf(out, ",%d,", n->model);
    tlm_text_int(out, self[i]);
    tlm_text_printf(out, ",%d,%d,%d", n->message, n->problems, lanes->level[i]);
  }
  tlm_text_str(out, "],\"critical\":[");
  for(int32_t k = 0; k < path_count; k++){
    if( k ) tlm_text_char(out, ',');
    tlm_text_int(out, path[k].node);
    tlm_text_char(out, ',');
    tlm_text_int(out, path[k].start_ns - g->start_ns);
    tlm_text_char(out, ',');
    tlm_text_int(out, path[k].end_ns - g->start_ns);
  }
  tlm_text_str(out, "],\"attrs\":{");
  first = 1;
  for(int32_t i = 0; attrs && i < g->n; i++){
    if( attrs[i] == NULL ) continue;
    if( !first ) tlm_text_char(out, ',');
    first = 0;
    tlm_text_printf(out, "\"%d\":", i);
    cJSON *parsed = cJSON_Parse(attrs[i]);
    if( parsed ) tlm_json_item(j, parsed); else tlm_text_str(out, "null");
    cJSON_Delete(parsed);
  }
  tlm_text_char(out, '}');
  sqlite3_free(self);
  sqlite3_free(path);
  if( out->rc == SQLITE_OK ) rc = write_genai(ext, j, g);
  tlm_text_char(out, '}');
  return rc != SQLITE_OK ? rc : out->rc;
}

/* The template with its three holes filled: the CSS, the data, the JS. */
static void fill_template(tlm_text *page, const tlm_text *data){
  static const struct { const char *marker; int what; } holes[] = {
    { "/*TRACELM_CSS*/", 0 }, { "/*TRACELM_DATA*/", 1 }, { "/*TRACELM_JS*/", 2 },
  };
  const char *at = tlm_page_html;
  for(size_t h = 0; h < sizeof holes / sizeof holes[0]; h++){
    const char *hole = strstr(at, holes[h].marker);
    if( hole == NULL ) break;
    tlm_text_append(page, at, hole - at);
    if( holes[h].what == 0 ) tlm_text_str(page, tlm_page_css);
    else if( holes[h].what == 1 ) append_script_safe(page, data->z, data->n);
    else tlm_text_str(page, tlm_page_js);   /* ours: tests/html checks it has no "</script" */
    at = hole + strlen(holes[h].marker);
  }
  tlm_text_str(page, at);
}

static void export_html_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  tlm_graph *g;
  tlm_lanes lanes = {0};
  tlm_json_out j = {0};
  tlm_text page = {0};
  char *errmsg = NULL, **attrs = NULL;
  int rc;
  (void)argc;
  if( (g = tlm_graph_for_function(ctx, "export_html", argv[0])) == NULL ) return;
  rc = tlm_lanes_assign(&lanes, g);
  if( rc == SQLITE_OK ) rc = tlm_graph_load_attrs(ext, g, &attrs, &errmsg);
  if( rc == SQLITE_OK ) rc = tlm_json_out_init(&j, g);
  if( rc == SQLITE_OK ){
    tlm_text_reserve(&j.text, 128 + (int64_t)g->n * 110);
    rc = write_data(ext, &j, g, &lanes, attrs, &errmsg);
  }
  if( rc == SQLITE_OK ){
    tlm_text_reserve(&page, j.text.n + (int64_t)strlen(tlm_page_js) + (int64_t)strlen(tlm_page_css)
                            + (int64_t)strlen(tlm_page_html) + 64);
    fill_template(&page, &j.text);
    rc = page.rc;
  }
  tlm_lanes_free(&lanes);
  tlm_free_strings(attrs, attrs ? g->n : 0);
  if( rc == SQLITE_OK ){
    tlm_json_out_free(&j);
    tlm_text_result(&page, ctx);
  }else{
    tlm_text_free(&page);
    tlm_json_out_result(&j, ctx, "export_html", rc, errmsg);
  }
  tlm_graph_release(g);   /* after: the JSON's string cache points into it */
}

int tlm_register_export_html(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_html", 1, SQLITE_UTF8, ext,
                                 export_html_func, 0, 0);
}
