/*
** export_chrome.c — export_chrome(trace_id): the trace as Chrome Trace
** Event JSON, for chrome://tracing, Perfetto (ui.perfetto.dev) or speedscope.
**
**   $ sqlite3 tracelm.db ".load ./tracelm" \
**       "SELECT writefile('trace.json', export_chrome('latest'))"
**
** Output: {"traceEvents":[...], "displayTimeUnit":"ms", "otherData":{...}}
**   - one "X" (complete) event per span, ts and dur in microseconds from
**     the trace's start with three decimals, so nanoseconds survive, in
**     the order the spans were stored (viewers order events by time);
**   - one pid per service, named by a "process_name" M event;
**   - tid is the recording thread, named by a "thread_name" M event;
**   - args: span_id, parent_id, kind, status, status_message, tokens_in,
**     tokens_out, cost, model and the span's attributes (args.attrs);
**   - a flow arrow (ph "s" then "f") from a parent to a child that runs in
**     another service: the hop of a continued trace.
**
** LANES
** Viewers draw the X events of one (pid, tid) as a stack and require them
** to nest strictly, so spans that overlap on a thread without nesting are
** dealt into lanes (core/lanes.c).  Lane 0 keeps the thread's id; lane k
** gets tid = thread + k * 10^7 and is named "thread N (overlap k)".
*/
#include "json_out.h"
#include "tracelm/tracelm.h"
#include "arrays.h"
#include "lanes.h"
#include "hexid.h"
#include "span_row.h"
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

static void append_span_event(tlm_json_out *j, const tlm_lanes *lanes, int32_t i,
                              const char *attrs){
  const tlm_graph *g = lanes->g;
  const tlm_node *n = &g->nodes[i];
  char hex[17];
  tlm_text *out = &j->text;
  tlm_text_str(out, ",{\"name\":");
  tlm_json_pooled(j, n->name);
  tlm_text_str(out, ",\"cat\":\"span\",\"ph\":\"X\",\"ts\":");
  tlm_text_micros(out, n->start_ns - g->start_ns);
  tlm_text_str(out, ",\"dur\":");
  tlm_text_micros(out, tlm_duration(n));
  tlm_text_str(out, ",\"pid\":");
  tlm_text_int(out, lanes->pid[i]);
  tlm_text_str(out, ",\"tid\":");
  tlm_text_int(out, lanes->tid[i]);
  tlm_text_str(out, ",\"args\":{\"span_id\":\"");
  tlm_span_id_to_hex(n->span_id, hex);
  tlm_text_append(out, hex, 16);
  if( n->parent_id ){
    tlm_text_str(out, "\",\"parent_id\":\"");
    tlm_span_id_to_hex(n->parent_id, hex);
    tlm_text_append(out, hex, 16);
  }
  tlm_text_str(out, "\",\"kind\":\"");
  tlm_text_str(out, tlm_kind_names[n->kind]);
  tlm_text_str(out, "\",\"status\":\"");
  tlm_text_str(out, tlm_status_names[n->status]);
  tlm_text_char(out, '"');
  if( n->message >= 0 ){
    tlm_text_str(out, ",\"status_message\":");
    tlm_json_pooled(j, n->message);
  }
  tlm_text_str(out, ",\"tokens_in\":");
  tlm_text_int(out, n->tokens_in);
  tlm_text_str(out, ",\"tokens_out\":");
  tlm_text_int(out, n->tokens_out);
  tlm_text_str(out, ",\"cost\":");
  tlm_text_double(out, n->cost);
  if( n->model >= 0 ){
    tlm_text_str(out, ",\"model\":");
    tlm_json_pooled(j, n->model);
  }
  if( n->problems ){
    char words[96];
    tlm_problem_words(n->problems, words, sizeof words);
    tlm_text_str(out, ",\"problem\":\"");
    tlm_text_str(out, words);
    tlm_text_char(out, '"');
  }
  if( attrs ){
    cJSON *parsed = cJSON_Parse(attrs);
    if( cJSON_IsObject(parsed) ){
      tlm_text_str(out, ",\"attrs\":");
      tlm_json_item(j, parsed);
    }
    cJSON_Delete(parsed);
  }
  tlm_text_str(out, "}}");
}

static void append_metadata(tlm_json_out *j, const tlm_lanes *lanes){
  tlm_text *out = &j->text;
  for(int32_t pid = 1; pid <= lanes->pid_count; pid++){
    tlm_text_printf(out, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,"
                    "\"tid\":0,\"args\":{\"name\":", pid > 1 ? "," : "", pid);
    if( lanes->service_of_pid[pid] >= 0 ) tlm_json_pooled(j, lanes->service_of_pid[pid]);
    else tlm_text_str(out, "\"unknown service\"");
    tlm_text_str(out, "}}");
  }
  for(int32_t t = 0; t < lanes->row_count; t++){
    const tlm_lane_row *nt = &lanes->rows[t];
    tlm_text_printf(out, ",{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,"
                    "\"tid\":%lld,\"args\":{\"name\":\"thread %lld", nt->pid,
                    (long long)(nt->thread + nt->lane * TLM_LANE_TID_STRIDE), (long long)nt->thread);
    if( nt->lane ) tlm_text_printf(out, " (overlap %d)", nt->lane);
    tlm_text_str(out, "\"}}");
  }
}

/* One end of a flow arrow: ph "s" at the parent, "f" at the child. */
static void append_flow_end(tlm_text *out, const char *phase, int flow_id, int32_t pid,
                            int64_t tid, int64_t ts_ns){
  tlm_text_str(out, ",{\"name\":\"hop\",\"cat\":\"flow\",\"ph\":\"");
  tlm_text_str(out, phase);
  tlm_text_str(out, "\",\"id\":");
  tlm_text_int(out, flow_id);
  tlm_text_str(out, ",\"pid\":");
  tlm_text_int(out, pid);
  tlm_text_str(out, ",\"tid\":");
  tlm_text_int(out, tid);
  tlm_text_str(out, ",\"ts\":");
  tlm_text_micros(out, ts_ns);
  tlm_text_char(out, '}');
}

static void append_flows(tlm_json_out *j, const tlm_lanes *lanes){
  const tlm_graph *g = lanes->g;
  int flow_id = 0;
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k], p = g->nodes[i].parent;
    if( p < 0 || lanes->pid[p] == lanes->pid[i] ) continue;
    flow_id++;
    append_flow_end(&j->text, "s", flow_id, lanes->pid[p], lanes->tid[p], g->nodes[i].start_ns - g->start_ns);
    append_flow_end(&j->text, "f\",\"bp\":\"e", flow_id, lanes->pid[i], lanes->tid[i],
                    g->nodes[i].start_ns - g->start_ns);
  }
}

/* Characters of a decimal integer, and of a tlm_text_micros() value. */
static int64_t digits_of(int64_t v){
  int64_t count = v < 0 ? 2 : 1;
  uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  while( magnitude >= 10 ){ magnitude /= 10; count++; }
  return count;
}
static int64_t micros_size(int64_t ns){
  int64_t digits = digits_of(ns);
  return (digits < 5 ? 5 : digits + 1) + (ns < 0);
}

/* Bytes the export will take, counted from what each event writes, from
** above in all but escaped strings: sizing the buffer once saves growing
** it, and a loose estimate is memory held for nothing (SQLite counts the
** whole reservation). */
#define EVENT_LITERALS 187   /* an X event's fixed text, with a parent_id */
#define FLOW_LITERALS  135   /* both ends of a flow arrow, fixed text */
#define COST_MAX       24    /* the longest double tlm_text_double writes */
static int64_t estimated_size(const tlm_lanes *lanes, char **attrs){
  const tlm_graph *g = lanes->g;
  int64_t bytes = 512 + (int64_t)lanes->pid_count * 128 + (int64_t)lanes->row_count * 128;
  for(int32_t i = 0; i < g->n; i++){
    const tlm_node *n = &g->nodes[i];
    bytes += EVENT_LITERALS + COST_MAX + (int64_t)strlen(tlm_str(g, n->name))
           + (int64_t)strlen(tlm_kind_names[n->kind]) + (int64_t)strlen(tlm_status_names[n->status])
           + micros_size(n->start_ns - g->start_ns) + micros_size(tlm_duration(n))
           + digits_of(lanes->pid[i]) + digits_of(lanes->tid[i])
           + digits_of(n->tokens_in) + digits_of(n->tokens_out);
    if( n->model >= 0 ) bytes += 12 + (int64_t)strlen(tlm_str(g, n->model));
    if( n->message >= 0 ) bytes += 24 + (int64_t)strlen(tlm_str(g, n->message));
    if( n->problems ) bytes += 16 + 96;
    if( attrs[i] ) bytes += 12 + (int64_t)strlen(attrs[i]);
    if( n->parent >= 0 && lanes->pid[n->parent] != lanes->pid[i] ){   /* a flow */
      int32_t p = n->parent;
      bytes += FLOW_LITERALS + 2 * (digits_of(g->n) + micros_size(n->start_ns - g->start_ns))
             + digits_of(lanes->pid[p]) + digits_of(lanes->tid[p])
             + digits_of(lanes->pid[i]) + digits_of(lanes->tid[i]);
    }
  }
  return bytes;
}

static void export_chrome_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  tlm_graph *g;
  tlm_lanes lanes = {0};
  tlm_json_out j = {0};
  char *errmsg = NULL, **attrs = NULL;
  int rc;
  (void)argc;
  if( (g = tlm_graph_for_function(ctx, "export_chrome", argv[0])) == NULL ) return;
  rc = tlm_lanes_assign(&lanes, g);
  if( rc == SQLITE_OK ) rc = tlm_graph_load_attrs(ext, g, &attrs, &errmsg);
  if( rc == SQLITE_OK ) rc = tlm_json_out_init(&j, g);
  if( rc == SQLITE_OK ){
    tlm_text_reserve(&j.text, estimated_size(&lanes, attrs));
    tlm_text_str(&j.text, "{\"traceEvents\":[");
    append_metadata(&j, &lanes);
    /* In storage order: viewers sort events by time themselves, and
    ** walking the nodes in sequence beat walking them by thread
    ** (docs/performance.md, "Measured choices"). */
    for(int32_t i = 0; i < g->n; i++) append_span_event(&j, &lanes, i, attrs[i]);
    append_flows(&j, &lanes);
    tlm_text_printf(&j.text, "],\"displayTimeUnit\":\"ms\",\"otherData\":{\"trace_id\":"
                    "\"%s\",\"start_ns\":%lld,\"exporter\":\"tracelm %s\"}}", g->trace_id,
                    (long long)g->start_ns, TLM_VERSION);
  }
  tlm_lanes_free(&lanes);
  tlm_free_strings(attrs, attrs ? g->n : 0);
  tlm_json_out_result(&j, ctx, "export_chrome", rc, errmsg);
  tlm_graph_release(g);   /* after: the JSON's string cache points into it */
}

int tlm_register_export_chrome(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_chrome", 1, SQLITE_UTF8, ext,
                                 export_chrome_func, 0, 0);
}
