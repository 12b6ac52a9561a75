/*
** json_out.h — JSON text written span by span (json_out.c).
**
** Exports stream JSON text, one span at a time, so a million-span trace
** never becomes a million-node cJSON tree.  Strings are escaped by cJSON;
** each pooled string of the graph is escaped once.
*/
#ifndef TLM_JSON_OUT_H
#define TLM_JSON_OUT_H

#include "graph.h"
#include "text.h"
#include <cjson/cJSON.h>

typedef struct tlm_json_out {
  tlm_text text;
  const tlm_graph *graph;
  char **quoted;            /* per pool string, cJSON-escaped, lazily */
} tlm_json_out;
int tlm_json_out_init(tlm_json_out *j, const tlm_graph *g);
void tlm_json_string(tlm_json_out *j, const char *text);        /* "..." */
void tlm_json_pooled(tlm_json_out *j, int32_t index);           /* "..." or null */
void tlm_json_item(tlm_json_out *j, const cJSON *item);          /* any value */
/* Release the text and the string cache, for a caller that used the JSON
** as part of a larger result. */
void tlm_json_out_free(tlm_json_out *j);
/* Make the text the function's result; or, when rc is an error, report
** "fn: errmsg" (errmsg may be NULL) and drop the text.  Frees errmsg. */
void tlm_json_out_result(tlm_json_out *j, sqlite3_context *ctx, const char *fn,
                         int rc, char *errmsg);

#endif
