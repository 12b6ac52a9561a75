/*
** arrays.h — per-span arrays from sqlite3_malloc, and growing them.
**
** Arrays of count items (at least one), in ordinary pages (arrays.c says
** why not huge ones).  NULL when out of memory; sqlite3_free() them.
*/
#ifndef TLM_ARRAYS_H
#define TLM_ARRAYS_H

#include "ext.h"
#include <stddef.h>

/* Ask for the cache line at p ahead of use: walks over a million spans in
** an order other than storage order miss the cache at every span. */
#if defined(__GNUC__) || defined(__clang__)
# define TLM_PREFETCH(p) __builtin_prefetch(p)
#else
# define TLM_PREFETCH(p) ((void)(p))
#endif

void *tlm_array(int64_t count, size_t item_size);
void *tlm_array_zero(int64_t count, size_t item_size);
/* Resize *items to capacity items.  SQLITE_OK or SQLITE_NOMEM; on failure
** *items is unchanged. */
int tlm_resize(void *items, int64_t capacity, size_t item_size);
/* Make room for one more item in *items (count in use, *capacity
** allocated, each item_size bytes), doubling from 16.  SQLITE_OK or
** SQLITE_NOMEM; on failure *items is unchanged. */
int tlm_grow(void *items, int32_t count, int32_t *capacity, size_t item_size);

#endif
