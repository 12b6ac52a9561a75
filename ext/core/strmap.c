/*
** strmap.c — a string -> integer hash map.
**
** Interning names in graph.c and grouping spans by name or path in
** span_stats.c and trace_compare.c all need it; traces may hold a few
** names or a hundred thousand, so it is a real hash (FNV-1a, linear
** probing, doubling at half full), not a list.  Keys are borrowed, never
** copied: the caller keeps them alive as long as the map.
*/
#include "strmap.h"
#include "arrays.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

static uint64_t fnv1a(const char *s){
  uint64_t h = 1469598103934665603ull;
  while( *s ){ h ^= (unsigned char)*s++; h *= 1099511628211ull; }
  return h;
}

static int strmap_grow(tlm_strmap *m){
  uint64_t capacity = m->keys ? (m->mask + 1) * 2 : 64;
  const char **keys = sqlite3_malloc64(capacity * sizeof *keys);
  int32_t *values = sqlite3_malloc64(capacity * sizeof *values);
  if( !keys || !values ){ sqlite3_free(keys); sqlite3_free(values); return SQLITE_NOMEM; }
  memset(keys, 0, capacity * sizeof *keys);
  for(uint64_t i = 0; m->keys && i <= m->mask; i++){
    if( m->keys[i] == NULL ) continue;
    uint64_t j = fnv1a(m->keys[i]) & (capacity - 1);
    while( keys[j] ) j = (j + 1) & (capacity - 1);
    keys[j] = m->keys[i];
    values[j] = m->values[i];
  }
  sqlite3_free(m->keys);
  sqlite3_free(m->values);
  m->keys = keys;
  m->values = values;
  m->mask = capacity - 1;
  return SQLITE_OK;
}

int32_t tlm_strmap_get(const tlm_strmap *m, const char *key){
  if( m->keys == NULL ) return -1;
  for(uint64_t i = fnv1a(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask){
    if( strcmp(m->keys[i], key) == 0 ) return m->values[i];
  }
  return -1;
}

int tlm_strmap_put(tlm_strmap *m, const char *key, int32_t value){
  uint64_t i;
  if( (m->keys == NULL || (uint64_t)m->count * 2 >= m->mask) && strmap_grow(m) ){
    return SQLITE_NOMEM;
  }
  for(i = fnv1a(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask){
    if( strcmp(m->keys[i], key) == 0 ){ m->values[i] = value; return SQLITE_OK; }
  }
  m->keys[i] = key;
  m->values[i] = value;
  m->count++;
  return SQLITE_OK;
}

void tlm_strmap_free(tlm_strmap *m){
  sqlite3_free(m->keys);
  sqlite3_free(m->values);
  memset(m, 0, sizeof *m);
}

int32_t tlm_strpool_intern(tlm_strpool *p, const char *text){
  int32_t id;
  if( text == NULL ) return -1;
  /* Neighbouring spans mostly share a service or model: no hash for those. */
  if( p->count > 0 && p->last >= 0 && strcmp(p->strings[p->last], text) == 0 ) return p->last;
  if( (id = tlm_strmap_get(&p->ids, text)) >= 0 ) return p->last = id;
  if( tlm_grow(&p->strings, p->count, &p->capacity, sizeof *p->strings) ) return -2;
  if( (p->strings[p->count] = sqlite3_mprintf("%s", text)) == NULL ) return -2;
  if( tlm_strmap_put(&p->ids, p->strings[p->count], p->count) ){
    sqlite3_free(p->strings[p->count]);
    return -2;
  }
  return p->last = p->count++;
}

void tlm_strpool_free(tlm_strpool *p){
  for(int32_t i = 0; i < p->count; i++) sqlite3_free(p->strings[i]);
  sqlite3_free(p->strings);
  tlm_strmap_free(&p->ids);
  memset(p, 0, sizeof *p);
}
