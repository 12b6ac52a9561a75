/*
** http_answer.h — the start of an HTTP answer's body, kept for a one-line
** message: libcurl's write callback for the recorder's exporter and
** `tracelm export --to`.  Header-only: each is a different binary.
*/
#ifndef TLM_HTTP_ANSWER_H
#define TLM_HTTP_ANSWER_H
#include <string.h>

typedef struct tlm_http_answer { char text[2048]; size_t size; } tlm_http_answer;

/* CURLOPT_WRITEFUNCTION: keep what fits, take (and drop) the rest. */
static inline size_t tlm_keep_answer(char *data, size_t size, size_t count, void *user){
  tlm_http_answer *a = (tlm_http_answer *)user;
  size_t n = size * count, room = sizeof a->text - 1 - a->size;
  memcpy(a->text + a->size, data, n < room ? n : room);
  a->size += n < room ? n : room;
  a->text[a->size] = 0;
  return n;
}

#endif
