/*
** radix_sort.c — spans sorted by an integer key, stably, in linear time.
**
** The graph orders a trace's spans by start time; export_chrome groups
** them by process and thread.  At a million spans qsort makes some twenty
** merge passes and the comparisons miss the cache; an LSD radix sort over
** (key, node) pairs carried by value makes one counting pass and one
** scatter per 11 bits the keys actually use: four passes for start times
** spread over minutes, one for a handful of thread ids.  Stability lets a
** caller sort by several keys, least significant first.
*/
#include "radix_sort.h"
#include <string.h>
#include "arrays.h"
SQLITE_EXTENSION_INIT3

#define RADIX_BITS 11
#define BUCKETS (1 << RADIX_BITS)

/* The sort, for any element type T whose key KEY(e) gives: written once
** for the (key, node) pairs and for bare values. */
#define RADIX_SORT(T, KEY, items, n)                                              \
  do{                                                                             \
    uint64_t low = UINT64_MAX, range = 0;                                         \
    T *from = (items), *to;                                                       \
    for(int32_t i = 0; i < (n); i++) if( KEY(from[i]) < low ) low = KEY(from[i]); \
    for(int32_t i = 0; i < (n); i++){                                             \
      if( KEY(from[i]) - low > range ) range = KEY(from[i]) - low;                \
    }                                                                             \
    if( range == 0 ) return SQLITE_OK;           /* all equal: already sorted */ \
    if( (to = tlm_array((n), sizeof *to)) == NULL ) return SQLITE_NOMEM;          \
    for(int shift = 0; shift < 64 && (range >> shift) != 0; shift += RADIX_BITS){ \
      int32_t count[BUCKETS] = {0}, total = 0;                                    \
      for(int32_t i = 0; i < (n); i++){                                           \
        count[((KEY(from[i]) - low) >> shift) & (BUCKETS - 1)]++;                 \
      }                                                                           \
      for(int32_t b = 0; b < BUCKETS; b++){                                       \
        int32_t c = count[b]; count[b] = total; total += c;                       \
      }                                                                           \
      for(int32_t i = 0; i < (n); i++){                                           \
        to[count[((KEY(from[i]) - low) >> shift) & (BUCKETS - 1)]++] = from[i];   \
      }                                                                           \
      T *swap = from; from = to; to = swap;                                       \
    }                                                                             \
    if( from != (items) ){                                                        \
      memcpy((items), from, (uint64_t)(n) * sizeof *from);                        \
      to = from;                                                                  \
    }                                                                             \
    sqlite3_free(to);                                                             \
  }while(0)

#define PAIR_KEY(e) ((e).key)
#define VALUE_KEY(e) (e)

int tlm_radix_sort(tlm_sort_key *keys, int32_t n){
  RADIX_SORT(tlm_sort_key, PAIR_KEY, keys, n);
  return SQLITE_OK;
}

int tlm_radix_sort_values(uint64_t *values, int32_t n){
  RADIX_SORT(uint64_t, VALUE_KEY, values, n);
  return SQLITE_OK;
}
