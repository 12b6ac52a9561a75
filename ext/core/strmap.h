/*
** strmap.h — a string -> int map by open addressing, for interning names.
** Keys are borrowed: they must outlive the map.
*/
#ifndef TLM_STRMAP_H
#define TLM_STRMAP_H

#include "ext.h"

typedef struct tlm_strmap {
  const char **keys;        /* borrowed; NULL = empty slot */
  int32_t *values;
  uint64_t mask;
  int32_t count;
} tlm_strmap;
int32_t tlm_strmap_get(const tlm_strmap *m, const char *key);   /* -1: absent */
int tlm_strmap_put(tlm_strmap *m, const char *key, int32_t value);
void tlm_strmap_free(tlm_strmap *m);

#endif
