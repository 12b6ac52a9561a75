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

/* Strings kept once each, numbered in the order first seen: the map
** above with copies it owns.  Ids are indexes into strings. */
typedef struct tlm_strpool {
  char **strings;
  int32_t count, capacity;
  int32_t last;             /* the id last found or added, -1 none */
  tlm_strmap ids;
} tlm_strpool;
/* The id of text, a copy added when new; -1 for NULL, -2 out of memory.
** A repeat of the last text found is found without hashing. */
int32_t tlm_strpool_intern(tlm_strpool *p, const char *text);
void tlm_strpool_free(tlm_strpool *p);

#endif
