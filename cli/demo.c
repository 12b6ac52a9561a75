/*
** demo.c — `tracelm demo`: record a RAG-shaped trace, then analyse it.
**
**   rag_pipeline
**   ├── load_prompt
**   ├── retrieve_context
**   │   ├── embed_query
**   │   ├── search_docs ┐
**   │   ├── search_faq  ├ three threads at once
**   │   ├── search_web  ┘
**   │   └── rerank
**   ├── llm_call          (model, tokens, cost)
**   └── format_response
**
** The three searches run on their own threads with explicit parents, so
** the critical path has to pick the slowest of them and self time must
** not subtract parallel time twice: the two things the seed tool got
** wrong.  Work is simulated with sleeps of fixed length.
*/
#include "cli.h"
#include "tracelm/tracelm.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRICE_IN_PER_TOKEN  0.15e-6    /* USD, a small hosted model */
#define PRICE_OUT_PER_TOKEN 0.60e-6

static void work_ms(long ms){
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  while( nanosleep(&t, &t) != 0 ){}
}

typedef struct search { tlm_span *parent; const char *name; long ms; int hits; } search;

static void *run_search(void *arg){
  search *s = arg;
  tlm_span *span = tlm_span_begin_child(s->parent, s->name);
  tlm_span_set_kind(span, TLM_KIND_CLIENT);
  work_ms(s->ms);
  tlm_span_set_int(span, "hits", s->hits);
  tlm_span_end(span);
  return NULL;
}

static void retrieve_context(void){
  TLM_SPAN_SCOPE(retrieve, "retrieve_context");
  search searches[] = {
    { retrieve, "search_docs", 12, 8 },
    { retrieve, "search_faq", 22, 3 },
    { retrieve, "search_web", 16, 5 },
  };
  pthread_t threads[3];
  tlm_span *embed = tlm_span_begin("embed_query");
  tlm_span_set_model(embed, "text-embedding-3-small");
  work_ms(4);
  tlm_span_add_tokens(embed, 14, 0);
  tlm_span_add_cost(embed, 14 * 0.02e-6);
  tlm_span_end(embed);
  for(int i = 0; i < 3; i++) pthread_create(&threads[i], NULL, run_search, &searches[i]);
  for(int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
  tlm_span *rerank = tlm_span_begin("rerank");
  work_ms(3);
  tlm_span_set_int(rerank, "kept", 6);
  tlm_span_end(rerank);
}

int demo_record(const char *db_path, double sample_rate, char trace_id[33], int *sampled){
  tlm_options opts;
  tlm_options_init(&opts);
  opts.db_path = db_path;
  opts.service = "rag-demo";
  opts.sample_rate = sample_rate;
  opts.ignore_env_traceparent = 1;
  if( tlm_init(&opts) != TLM_OK ) return -1;

  tlm_span *root = tlm_span_begin("rag_pipeline");
  tlm_span_set_str(root, "question", "How do I rotate an API key?");
  tlm_span_trace_id(root, trace_id);
  *sampled = tlm_span_is_sampled(root);

  tlm_span *prompt = tlm_span_begin("load_prompt");
  tlm_span_set_str(prompt, "template", "answer_with_context_v3");
  work_ms(3);
  tlm_span_end(prompt);

  retrieve_context();

  tlm_span *llm = tlm_span_begin("llm_call");
  tlm_span_set_kind(llm, TLM_KIND_CLIENT);
  tlm_span_set_model(llm, "gpt-4o-mini");
  tlm_span_set_double(llm, "temperature", 0.2);
  work_ms(35);
  tlm_span_add_tokens(llm, 812, 96);
  tlm_span_add_cost(llm, 812 * PRICE_IN_PER_TOKEN + 96 * PRICE_OUT_PER_TOKEN);
  tlm_span_end(llm);

  tlm_span *format = tlm_span_begin("format_response");
  work_ms(2);
  tlm_span_end(format);

  tlm_span_set_ok(root);
  tlm_span_end(root);
  tlm_shutdown();
  return 0;
}

int cmd_demo(cli *c, int argc, char **argv){
  double rate = 1.0;
  char trace_id[33];
  int sampled;
  sqlite3 *db;
  for(int i = 0; i < argc; i++){
    if( !strcmp(argv[i], "--sample-rate") && i + 1 < argc ){
      char *end;
      rate = strtod(argv[++i], &end);
      if( *end || !(rate >= 0 && rate <= 1) ){
        return cli_usage_error(c, "--sample-rate takes a number from 0 to 1, not '%s'", argv[i]);
      }
    }else{
      return cli_usage_error(c, "unexpected '%s'", argv[i]);
    }
  }
  if( c->show_sql ){
    cli_report(c, NULL, "<the new trace>");
    return 0;
  }
  if( demo_record(c->db_path, rate, trace_id, &sampled) != 0 ){
    return cli_fail(c, "%s", tlm_last_error());
  }
  if( !sampled ){
    printf("Trace %s was sampled out (rate %g): nothing was recorded.\n", trace_id, rate);
    return 0;
  }
  printf("Recorded trace %s into %s\n\n", trace_id, c->db_path);
  int status = cli_open(c, 1, &db);
  if( status ) return status;
  status = cli_report(c, db, trace_id);
  sqlite3_close(db);
  return status;
}
