/*
** radix_sort.h — a stable sort of (key, node) pairs by a 64-bit key, or
** of bare 64-bit values.
** A signed value keeps its order as a key with tlm_sort_signed().
*/
#ifndef TLM_RADIX_SORT_H
#define TLM_RADIX_SORT_H

#include "ext.h"

typedef struct tlm_sort_key { uint64_t key; int32_t node; } tlm_sort_key;
/* SQLITE_OK, or SQLITE_NOMEM (keys then unchanged). */
int tlm_radix_sort(tlm_sort_key *keys, int32_t n);
/* The same for bare values (durations for percentiles). */
int tlm_radix_sort_values(uint64_t *values, int32_t n);
static inline uint64_t tlm_sort_signed(int64_t v){ return (uint64_t)v ^ ((uint64_t)1 << 63); }

#endif
