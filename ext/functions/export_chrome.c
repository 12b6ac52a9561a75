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
** to nest strictly; two spans on one thread that overlap without nesting
** (async work, explicit parents handed across an event loop) are drawn
** wrongly or dropped.  The seed tool put every span on one thread and hit
** exactly that with parallel work.  Here the spans of each thread, sorted
** by start (longer first on ties), are dealt into lanes: a span goes to the
** first lane whose innermost open span contains it, else a new lane.
** Lane 0 keeps the thread's id; lane k gets tid = thread + k * 10^7 and is
** named "thread N (overlap k)".  Each lane is a stack, and a span ended
** before the current start is popped for good, so dealing is linear in
** spans times lanes (usually one).
*/
#include "json_out.h"
#include "tracelm/tracelm.h"
#include "arrays.h"
#include "radix_sort.h"
#include "hexid.h"
#include "span_row.h"
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

#define LANE_TID_STRIDE 10000000LL

typedef struct lane {
  int64_t *ends;             /* end times of the open spans, innermost last */
  int32_t height, capacity;
} lane;

typedef struct named_tid { int32_t pid; int64_t thread; int32_t lane; } named_tid;

typedef struct chrome_job {
  const tlm_graph *g;
  int32_t *service_of_pid;   /* pid -> pool index of its service (or -1) */
  int32_t pid_count;
  named_tid *tids;           /* every (pid, thread, lane) in use */
  int32_t tid_count, tid_capacity;
  int32_t *pid;              /* per node */
  int64_t *tid;              /* per node */
  lane *lanes;
  int32_t lane_capacity;
} chrome_job;

/* What dealing lanes reads of a span, in dealing order, so that loop
** never touches the nodes. */
typedef struct thread_key { int64_t thread, start_ns, end_ns; int32_t pid, node; } thread_key;

/* The nodes' keys by (pid, thread, start, longer first), for dealing
** lanes: the graph's start order, radix-sorted by thread and then by pid
** (stable passes, no comparisons). */
static int sort_by_thread(chrome_job *job, thread_key **out){
  const tlm_graph *g = job->g;
  tlm_sort_key *order = tlm_array(g->n, sizeof *order);
  thread_key *keys = NULL;
  int rc = order ? SQLITE_OK : SQLITE_NOMEM;
  *out = NULL;
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    int32_t i = g->by_start[k];
    order[k] = (tlm_sort_key){ tlm_sort_signed(g->nodes[i].thread_id), i };
  }
  if( rc == SQLITE_OK ) rc = tlm_radix_sort(order, g->n);
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    order[k].key = (uint64_t)job->pid[order[k].node];
  }
  if( rc == SQLITE_OK ) rc = tlm_radix_sort(order, g->n);
  if( rc == SQLITE_OK && (keys = tlm_array(g->n, sizeof *keys)) == NULL ) rc = SQLITE_NOMEM;
  for(int32_t k = 0; rc == SQLITE_OK && k < g->n; k++){
    int32_t i = order[k].node;
    const tlm_node *n = &g->nodes[i];
    if( k + 8 < g->n ) TLM_PREFETCH(&g->nodes[order[k + 8].node]);
    keys[k] = (thread_key){ n->thread_id, n->start_ns, n->end_ns, job->pid[i], i };
  }
  sqlite3_free(order);
  *out = keys;
  return rc;
}

static int lane_push(lane *l, int64_t end){
  if( tlm_grow(&l->ends, l->height, &l->capacity, sizeof *l->ends) ) return SQLITE_NOMEM;
  l->ends[l->height++] = end;
  return SQLITE_OK;
}

/* Give every node a pid (by service, in tree order) and a tid (thread and lane). */
static int assign_lanes(chrome_job *job){
  const tlm_graph *g = job->g;
  int32_t *pid_of_service = sqlite3_malloc64((uint64_t)(g->string_count + 1) * sizeof(int32_t));
  int32_t next_pid = 1, lanes_used = 0;
  thread_key *keys;
  int rc = SQLITE_OK;
  if( pid_of_service == NULL ) return SQLITE_NOMEM;
  job->service_of_pid = sqlite3_malloc64((uint64_t)(g->string_count + 2) * sizeof(int32_t));
  if( job->service_of_pid == NULL ){ sqlite3_free(pid_of_service); return SQLITE_NOMEM; }
  for(int32_t s = 0; s <= g->string_count; s++) pid_of_service[s] = 0;
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k], s = g->nodes[i].service + 1;   /* slot 0: no service */
    if( pid_of_service[s] == 0 ){
      job->service_of_pid[next_pid] = g->nodes[i].service;
      pid_of_service[s] = next_pid++;
    }
    job->pid[i] = pid_of_service[s];
  }
  job->pid_count = next_pid - 1;
  sqlite3_free(pid_of_service);
  if( sort_by_thread(job, &keys) != SQLITE_OK ) return SQLITE_NOMEM;

  for(int32_t k = 0; k < g->n && rc == SQLITE_OK; k++){
    const thread_key *key = &keys[k];
    int32_t chosen = -1;
    if( k == 0 || key->pid != key[-1].pid || key->thread != key[-1].thread ){
      for(int32_t l = 0; l < lanes_used; l++) job->lanes[l].height = 0;  /* a new thread */
      lanes_used = 0;
    }
    for(int32_t l = 0; l < lanes_used && chosen < 0; l++){
      lane *ln = &job->lanes[l];
      while( ln->height > 0 && ln->ends[ln->height - 1] <= key->start_ns ) ln->height--;
      if( ln->height == 0 || ln->ends[ln->height - 1] >= key->end_ns ) chosen = l;
    }
    if( chosen < 0 ){
      if( lanes_used == job->lane_capacity ){
        int32_t old_capacity = job->lane_capacity;
        if( tlm_grow(&job->lanes, lanes_used, &job->lane_capacity, sizeof *job->lanes) ){
          rc = SQLITE_NOMEM;
          break;
        }
        memset(job->lanes + old_capacity, 0, (job->lane_capacity - old_capacity) * sizeof *job->lanes);
      }
      chosen = lanes_used++;
      if( tlm_grow(&job->tids, job->tid_count, &job->tid_capacity, sizeof *job->tids) ){
        rc = SQLITE_NOMEM;
        break;
      }
      job->tids[job->tid_count++] = (named_tid){ key->pid, key->thread, chosen };
    }
    rc = lane_push(&job->lanes[chosen], key->end_ns);
    job->tid[key->node] = key->thread + chosen * LANE_TID_STRIDE;
  }
  sqlite3_free(keys);
  return rc;
}

static void append_span_event(tlm_json_out *j, const chrome_job *job, int32_t i,
                              const char *attrs){
  const tlm_graph *g = job->g;
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
  tlm_text_int(out, job->pid[i]);
  tlm_text_str(out, ",\"tid\":");
  tlm_text_int(out, job->tid[i]);
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

static void append_metadata(tlm_json_out *j, const chrome_job *job){
  tlm_text *out = &j->text;
  for(int32_t pid = 1; pid <= job->pid_count; pid++){
    tlm_text_printf(out, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,"
                    "\"tid\":0,\"args\":{\"name\":", pid > 1 ? "," : "", pid);
    if( job->service_of_pid[pid] >= 0 ) tlm_json_pooled(j, job->service_of_pid[pid]);
    else tlm_text_str(out, "\"unknown service\"");
    tlm_text_str(out, "}}");
  }
  for(int32_t t = 0; t < job->tid_count; t++){
    const named_tid *nt = &job->tids[t];
    tlm_text_printf(out, ",{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,"
                    "\"tid\":%lld,\"args\":{\"name\":\"thread %lld", nt->pid,
                    (long long)(nt->thread + nt->lane * LANE_TID_STRIDE), (long long)nt->thread);
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

static void append_flows(tlm_json_out *j, const chrome_job *job){
  const tlm_graph *g = job->g;
  int flow_id = 0;
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k], p = g->nodes[i].parent;
    if( p < 0 || job->pid[p] == job->pid[i] ) continue;
    flow_id++;
    append_flow_end(&j->text, "s", flow_id, job->pid[p], job->tid[p], g->nodes[i].start_ns - g->start_ns);
    append_flow_end(&j->text, "f\",\"bp\":\"e", flow_id, job->pid[i], job->tid[i],
                    g->nodes[i].start_ns - g->start_ns);
  }
}

/* Bytes the export will take, from above in all but escaped strings:
** sizing the buffer once saves growing (copying) hundreds of megabytes. */
static int64_t estimated_size(const chrome_job *job, char **attrs){
  const tlm_graph *g = job->g;
  int64_t bytes = 512 + (int64_t)job->pid_count * 128 + (int64_t)job->tid_count * 128;
  for(int32_t i = 0; i < g->n; i++){
    const tlm_node *n = &g->nodes[i];
    bytes += 280 + (int64_t)strlen(tlm_str(g, n->name));
    if( n->model >= 0 ) bytes += 12 + (int64_t)strlen(tlm_str(g, n->model));
    if( n->message >= 0 ) bytes += 24 + (int64_t)strlen(tlm_str(g, n->message));
    if( attrs[i] ) bytes += 12 + (int64_t)strlen(attrs[i]);
    if( n->parent >= 0 && job->pid[n->parent] != job->pid[i] ) bytes += 240;   /* a flow */
  }
  return bytes;
}

static void export_chrome_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  tlm_ext *ext = sqlite3_user_data(ctx);
  tlm_graph *g;
  chrome_job job = {0};
  tlm_json_out j = {0};
  char *errmsg = NULL, **attrs = NULL;
  int rc;
  (void)argc;
  if( tlm_graph_get(ext, "export_chrome", argv[0], &g, &errmsg) != SQLITE_OK ){
    sqlite3_result_error(ctx, errmsg, -1);
    sqlite3_free(errmsg);
    return;
  }
  job.g = g;
  job.pid = tlm_array(g->n, sizeof *job.pid);
  job.tid = tlm_array(g->n, sizeof *job.tid);
  rc = (job.pid && job.tid) ? assign_lanes(&job) : SQLITE_NOMEM;
  if( rc == SQLITE_OK ) rc = tlm_graph_load_attrs(ext, g, &attrs, &errmsg);
  if( rc == SQLITE_OK ) rc = tlm_json_out_init(&j, g);
  if( rc == SQLITE_OK ){
    tlm_text_reserve(&j.text, estimated_size(&job, attrs));
    tlm_text_str(&j.text, "{\"traceEvents\":[");
    append_metadata(&j, &job);
    /* In storage order: viewers sort events by time themselves, and
    ** walking the nodes in sequence beat walking them by thread
    ** (docs/performance.md, "Measured choices"). */
    for(int32_t i = 0; i < g->n; i++) append_span_event(&j, &job, i, attrs[i]);
    append_flows(&j, &job);
    tlm_text_printf(&j.text, "],\"displayTimeUnit\":\"ms\",\"otherData\":{\"trace_id\":"
                    "\"%s\",\"start_ns\":%lld,\"exporter\":\"tracelm %s\"}}", g->trace_id,
                    (long long)g->start_ns, TLM_VERSION);
  }
  for(int32_t l = 0; l < job.lane_capacity; l++) sqlite3_free(job.lanes[l].ends);
  sqlite3_free(job.lanes);
  sqlite3_free(job.tids);
  sqlite3_free(job.service_of_pid);
  sqlite3_free(job.pid);
  sqlite3_free(job.tid);
  tlm_free_strings(attrs, attrs ? g->n : 0);
  tlm_json_out_result(&j, ctx, "export_chrome", rc, errmsg);
  tlm_graph_release(g);   /* after: the JSON's string cache points into it */
}

int tlm_register_export_chrome(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_chrome", 1, SQLITE_UTF8, ext,
                                 export_chrome_func, 0, 0);
}
