/*
** tracelm_example.c — a small program that records its work with TraceLM.
** `tracelm init` wrote it; change it freely.
**
** Build and run:
**   cc tracelm_example.c -o tracelm_example $(pkg-config --cflags --libs tracelm)
**   tracelm run -- ./tracelm_example
**   tracelm latest
*/
#include <tracelm/tracelm.h>
#include <stdio.h>
#include <time.h>

static void pause_ms(long ms){
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep(&t, NULL);
}

static void retrieve(const char *query){
  /* A span ends when the block is left, whatever the path out of it. */
  TLM_SPAN_SCOPE(span, "retrieve");
  tlm_span_set_str(span, "query", query);
  pause_ms(15);                                  /* pretend: a vector search */
  tlm_span_set_int(span, "documents", 4);
}

static void call_model(void){
  tlm_span *span = tlm_span_begin("llm_call");
  tlm_span_set_kind(span, TLM_KIND_CLIENT);
  tlm_span_set_model(span, "gpt-4o-mini");
  pause_ms(40);                                  /* pretend: the model answers */
  tlm_span_add_tokens(span, 812, 96);            /* tokens in, tokens out */
  tlm_span_add_cost(span, 812 * 0.15e-6 + 96 * 0.6e-6);
  tlm_span_end(span);
}

int main(void){
  /* NULL: the database is $TRACELM_DB, else ./tracelm.db.  Under
  ** `tracelm run` the spans join the trace that command started. */
  if( tlm_init(NULL) != TLM_OK ){
    fprintf(stderr, "tracelm: %s\n", tlm_last_error());
    return 1;
  }
  tlm_span *root = tlm_span_begin("answer_question");
  retrieve("what is a span?");
  call_model();
  tlm_span_end(root);
  tlm_shutdown();                                /* flush to disk */
  printf("recorded one trace\n");
  return 0;
}
