/*
** export_chrome.c — export_chrome(trace_id): the trace as Chrome Trace
** Event JSON, for chrome://tracing, Perfetto (ui.perfetto.dev) or speedscope.
**
**   $ sqlite3 tracelm.db ".load ./tracelm" \
**       "SELECT writefile('trace.json', export_chrome('latest'))"
**
** Output: {"traceEvents":[...], "displayTimeUnit":"ms", "otherData":{...}}
**   - one "X" (complete) event per span, ts and dur in microseconds from
**     the trace's start with three decimals, so nanoseconds survive;
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
#include "tracelm_ext.h"
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
  int32_t *by_thread;        /* nodes sorted by (pid, thread, start, -end) */
  lane *lanes;
  int32_t lane_capacity;
} chrome_job;

static int by_thread_then_start(const void *a, const void *b, void *context){
  const chrome_job *job = context;
  int32_t i = *(const int32_t *)a, k = *(const int32_t *)b;
  const tlm_node *x = &job->g->nodes[i], *y = &job->g->nodes[k];
  if( job->pid[i] != job->pid[k] ) return job->pid[i] < job->pid[k] ? -1 : 1;
  if( x->thread_id != y->thread_id ) return x->thread_id < y->thread_id ? -1 : 1;
  if( x->start_ns != y->start_ns ) return x->start_ns < y->start_ns ? -1 : 1;
  if( x->end_ns != y->end_ns ) return x->end_ns > y->end_ns ? -1 : 1;
  return i - k;
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
    job->by_thread[k] = i;
  }
  job->pid_count = next_pid - 1;
  sqlite3_free(pid_of_service);
  qsort_r(job->by_thread, g->n, sizeof(int32_t), by_thread_then_start, job);

  for(int32_t k = 0; k < g->n && rc == SQLITE_OK; k++){
    int32_t i = job->by_thread[k], chosen = -1;
    const tlm_node *n = &g->nodes[i];
    if( k == 0 || job->pid[i] != job->pid[job->by_thread[k - 1]]
     || n->thread_id != g->nodes[job->by_thread[k - 1]].thread_id ){
      for(int32_t l = 0; l < lanes_used; l++) job->lanes[l].height = 0;  /* a new thread */
      lanes_used = 0;
    }
    for(int32_t l = 0; l < lanes_used && chosen < 0; l++){
      lane *ln = &job->lanes[l];
      while( ln->height > 0 && ln->ends[ln->height - 1] <= n->start_ns ) ln->height--;
      if( ln->height == 0 || ln->ends[ln->height - 1] >= n->end_ns ) chosen = l;
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
      job->tids[job->tid_count++] = (named_tid){ job->pid[i], n->thread_id, chosen };
    }
    rc = lane_push(&job->lanes[chosen], n->end_ns);
    job->tid[i] = n->thread_id + chosen * LANE_TID_STRIDE;
  }
  return rc;
}

/* Microseconds from the trace start, exactly: "1234.567". */
static void append_us(sqlite3_str *out, int64_t ns){
  if( ns < 0 ){ sqlite3_str_appendchar(out, 1, '-'); ns = -ns; }
  sqlite3_str_appendf(out, "%lld.%03lld", (long long)(ns / 1000), (long long)(ns % 1000));
}

static void append_span_event(tlm_json_out *j, const chrome_job *job, int32_t i,
                              const char *attrs){
  const tlm_graph *g = job->g;
  const tlm_node *n = &g->nodes[i];
  char hex[17];
  sqlite3_str *out = j->text;
  sqlite3_str_appendall(out, "{\"name\":");
  tlm_json_pooled(j, n->name);
  sqlite3_str_appendall(out, ",\"cat\":\"span\",\"ph\":\"X\",\"ts\":");
  append_us(out, n->start_ns - g->start_ns);
  sqlite3_str_appendall(out, ",\"dur\":");
  append_us(out, tlm_duration(n));
  sqlite3_str_appendf(out, ",\"pid\":%d,\"tid\":%lld,\"args\":{", job->pid[i],
                      (long long)job->tid[i]);
  tlm_span_id_to_hex(n->span_id, hex);
  sqlite3_str_appendf(out, "\"span_id\":\"%s\"", hex);
  if( n->parent_id ){
    tlm_span_id_to_hex(n->parent_id, hex);
    sqlite3_str_appendf(out, ",\"parent_id\":\"%s\"", hex);
  }
  sqlite3_str_appendf(out, ",\"kind\":\"%s\",\"status\":\"%s\"", tlm_kind_names[n->kind],
                      tlm_status_names[n->status]);
  if( n->message >= 0 ){
    sqlite3_str_appendall(out, ",\"status_message\":");
    tlm_json_pooled(j, n->message);
  }
  sqlite3_str_appendf(out, ",\"tokens_in\":%lld,\"tokens_out\":%lld,\"cost\":%!.15g",
                      (long long)n->tokens_in, (long long)n->tokens_out, n->cost);
  if( n->model >= 0 ){
    sqlite3_str_appendall(out, ",\"model\":");
    tlm_json_pooled(j, n->model);
  }
  if( n->problems ){
    char words[96];
    tlm_problem_words(n->problems, words, sizeof words);
    sqlite3_str_appendf(out, ",\"problem\":\"%s\"", words);
  }
  if( attrs ){
    cJSON *parsed = cJSON_Parse(attrs);
    if( cJSON_IsObject(parsed) ){
      sqlite3_str_appendall(out, ",\"attrs\":");
      tlm_json_item(j, parsed);
    }
    cJSON_Delete(parsed);
  }
  sqlite3_str_appendall(out, "}}");
}

static void append_metadata(tlm_json_out *j, const chrome_job *job){
  sqlite3_str *out = j->text;
  for(int32_t pid = 1; pid <= job->pid_count; pid++){
    sqlite3_str_appendf(out, "%s{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,"
                        "\"tid\":0,\"args\":{\"name\":", pid > 1 ? "," : "", pid);
    if( job->service_of_pid[pid] >= 0 ) tlm_json_pooled(j, job->service_of_pid[pid]);
    else sqlite3_str_appendall(out, "\"unknown service\"");
    sqlite3_str_appendall(out, "}}");
  }
  for(int32_t t = 0; t < job->tid_count; t++){
    const named_tid *nt = &job->tids[t];
    sqlite3_str_appendf(out, ",{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,"
                        "\"tid\":%lld,\"args\":{\"name\":\"thread %lld", nt->pid,
                        (long long)(nt->thread + nt->lane * LANE_TID_STRIDE), (long long)nt->thread);
    if( nt->lane ) sqlite3_str_appendf(out, " (overlap %d)", nt->lane);
    sqlite3_str_appendall(out, "\"}}");
  }
}

static void append_flows(tlm_json_out *j, const chrome_job *job){
  const tlm_graph *g = job->g;
  int flow_id = 0;
  for(int32_t k = 0; k < g->n; k++){
    int32_t i = g->order[k], p = g->nodes[i].parent;
    if( p < 0 || job->pid[p] == job->pid[i] ) continue;
    flow_id++;
    sqlite3_str_appendf(j->text, ",{\"name\":\"hop\",\"cat\":\"flow\",\"ph\":\"s\",\"id\":%d,"
                        "\"pid\":%d,\"tid\":%lld,\"ts\":", flow_id, job->pid[p], (long long)job->tid[p]);
    append_us(j->text, g->nodes[i].start_ns - g->start_ns);
    sqlite3_str_appendf(j->text, "},{\"name\":\"hop\",\"cat\":\"flow\",\"ph\":\"f\",\"bp\":\"e\","
                        "\"id\":%d,\"pid\":%d,\"tid\":%lld,\"ts\":", flow_id, job->pid[i],
                        (long long)job->tid[i]);
    append_us(j->text, g->nodes[i].start_ns - g->start_ns);
    sqlite3_str_appendall(j->text, "}");
  }
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
  job.by_thread = tlm_array(g->n, sizeof *job.by_thread);
  rc = (job.pid && job.tid && job.by_thread) ? assign_lanes(&job) : SQLITE_NOMEM;
  if( rc == SQLITE_OK ) rc = tlm_graph_load_attrs(ext, g, &attrs, &errmsg);
  if( rc == SQLITE_OK ) rc = tlm_json_out_init(&j, ext->db, g);
  if( rc == SQLITE_OK ){
    sqlite3_str_appendall(j.text, "{\"traceEvents\":[");
    append_metadata(&j, &job);
    for(int32_t k = 0; k < g->n; k++){
      sqlite3_str_appendchar(j.text, 1, ',');
      append_span_event(&j, &job, job.by_thread[k], attrs[job.by_thread[k]]);
    }
    append_flows(&j, &job);
    sqlite3_str_appendf(j.text, "],\"displayTimeUnit\":\"ms\",\"otherData\":{\"trace_id\":"
                        "\"%s\",\"start_ns\":%lld,\"exporter\":\"tracelm %s\"}}", g->trace_id,
                        (long long)g->start_ns, TLM_VERSION);
  }
  for(int32_t l = 0; l < job.lane_capacity; l++) sqlite3_free(job.lanes[l].ends);
  sqlite3_free(job.lanes);
  sqlite3_free(job.tids);
  sqlite3_free(job.service_of_pid);
  sqlite3_free(job.pid);
  sqlite3_free(job.tid);
  sqlite3_free(job.by_thread);
  tlm_free_strings(attrs, attrs ? g->n : 0);
  tlm_json_out_result(&j, ctx, "export_chrome", rc, errmsg);
  tlm_graph_release(g);   /* after: the JSON's string cache points into it */
}

int tlm_register_export_chrome(sqlite3 *db, tlm_ext *ext){
  return sqlite3_create_function(db, "export_chrome", 1, SQLITE_UTF8, ext,
                                 export_chrome_func, 0, 0);
}
