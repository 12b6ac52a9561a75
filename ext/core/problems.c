/*
** problems.c — the words for what the graph found wrong with a span.
**
** trace_tree, trace_validate and the exports all name problems alike:
** "orphan, unfinished", in the order of the TLM_PROBLEM_ bits.
*/
#include "graph.h"
#include "hexid.h"
#include <stdio.h>
SQLITE_EXTENSION_INIT3

void tlm_problem_words(uint8_t problems, char *buf, int size){
  static const struct { uint8_t bit; const char *word; } words[] = {
    { TLM_PROBLEM_ORPHAN, "orphan" },
    { TLM_PROBLEM_UNFINISHED, "unfinished" },
    { TLM_PROBLEM_CYCLE, "cycle" },
    { TLM_PROBLEM_DUPLICATE, "duplicate_id" },
    { TLM_PROBLEM_NEGATIVE, "negative_duration" },
    { TLM_PROBLEM_EXTRA_ROOT, "extra_root" },
  };
  int used = 0;
  buf[0] = 0;
  for(size_t i = 0; i < sizeof words / sizeof words[0]; i++){
    if( (problems & words[i].bit) && used < size ){
      used += snprintf(buf + used, size - used, "%s%s", used ? ", " : "", words[i].word);
    }
  }
}

char *tlm_problem_line(const tlm_graph *g, int32_t node){
  char hex[17], words[96];
  const tlm_node *n = &g->nodes[node];
  tlm_span_id_to_hex(n->span_id, hex);
  tlm_problem_words(n->problems, words, sizeof words);
  return sqlite3_mprintf("span %s (%s): %s", hex, tlm_str(g, n->name), words);
}
