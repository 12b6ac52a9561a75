/*
** arrays.c — the big per-span arrays every analysis allocates.
**
** A million-span trace means arrays of tens to hundreds of megabytes that
** live for one call and are touched once or twice.  On the virtual
** machines TraceLM is measured on, the first touch of each fresh 4 KiB
** page is costly enough that faulting in a big export buffer page by page
** takes a large share of the export; in 2 MiB pages far less
** (docs/performance.md, "Measured choices").  So an array of 2 MiB or more asks the kernel for
** transparent huge pages (MADV_HUGEPAGE; a hint, ignored where the kernel
** has them off).  Memory still comes from sqlite3_malloc, so SQLite's
** accounting and heap limits see all of it.
*/
#include "arrays.h"
#include <string.h>
#if defined(__linux__)
# include <sys/mman.h>
#endif
SQLITE_EXTENSION_INIT3

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HINT_FROM ((uint64_t)2 << 20)

/* Hint the 2 MiB-aligned interior of [p, p + bytes): large blocks are
** their own mappings, so the advice touches nothing else. */
static void hint_huge_pages(void *p, uint64_t bytes){
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if( p == NULL || bytes < HINT_FROM ) return;
  uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t hi = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
  if( hi > lo ) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
  (void)p; (void)bytes;
#endif
}

void *tlm_array(int64_t count, size_t item_size){
  uint64_t bytes = (uint64_t)(count > 0 ? count : 1) * item_size;
  void *p = sqlite3_malloc64(bytes);
  hint_huge_pages(p, bytes);
  return p;
}

void *tlm_array_zero(int64_t count, size_t item_size){
  void *p = tlm_array(count, item_size);
  if( p ) memset(p, 0, (uint64_t)(count > 0 ? count : 1) * item_size);
  return p;
}

/* A big block is moved by hand, not by realloc: realloc copies into the
** new mapping before anyone can hint it, at one page fault per 4 KiB (and
** glibc's in-place mremap fails on a hinted mapping anyway). */
int tlm_resize(void *items, int64_t capacity, size_t item_size){
  void **array = items;
  uint64_t bytes = (uint64_t)(capacity > 0 ? capacity : 1) * item_size;
  void *resized;
  if( bytes < HINT_FROM || *array == NULL ){
    resized = sqlite3_realloc64(*array, bytes);
    hint_huge_pages(resized, bytes);
  }else{
    uint64_t old_bytes = (uint64_t)sqlite3_msize(*array);
    resized = tlm_array((int64_t)bytes, 1);
    if( resized ){
      memcpy(resized, *array, old_bytes < bytes ? old_bytes : bytes);
      sqlite3_free(*array);
    }
  }
  if( resized == NULL ) return SQLITE_NOMEM;
  *array = resized;
  return SQLITE_OK;
}

int tlm_grow(void *items, int32_t count, int32_t *capacity, size_t item_size){
  if( count < *capacity ) return SQLITE_OK;
  int32_t grown_capacity = *capacity ? *capacity * 2 : 16;
  if( tlm_resize(items, grown_capacity, item_size) ) return SQLITE_NOMEM;
  *capacity = grown_capacity;
  return SQLITE_OK;
}
