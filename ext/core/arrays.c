/*
** arrays.c — the big per-span arrays every analysis allocates.
**
** A million-span trace means arrays of tens to hundreds of megabytes that
** live for one call and are touched once or twice.  Memory comes from
** sqlite3_malloc, so SQLite's accounting and heap limits see all of it.
**
** No huge pages, on purpose.  An earlier version asked for transparent
** huge pages (MADV_HUGEPAGE) for arrays of 2 MiB and more.  On the virtual
** machines TraceLM is measured on, the guest hands freed memory back to
** the host in 8 MiB blocks (free page reporting); a huge page is always
** taken from such a block, so after a second or two of idle every huge
** page is a fault in the host: 450 MB first touched in 2 MiB pages took
** 0.35-1.1 s, in 4 KiB pages 0.15-0.19 s (bench/bench_first_touch.c).
** With huge pages a one-shot 1M-span Chrome export spent 1.2 s of its
** 2.4 s in the kernel (docs/performance.md, "Issue 16, fourth session").
*/
#include "arrays.h"
#include <string.h>
SQLITE_EXTENSION_INIT3

void *tlm_array(int64_t count, size_t item_size){
  return sqlite3_malloc64((uint64_t)(count > 0 ? count : 1) * item_size);
}

void *tlm_array_zero(int64_t count, size_t item_size){
  void *p = tlm_array(count, item_size);
  if( p ) memset(p, 0, (uint64_t)(count > 0 ? count : 1) * item_size);
  return p;
}

/* realloc: a block the size of these is its own mapping, which glibc
** moves with mremap, without copying a byte. */
int tlm_resize(void *items, int64_t capacity, size_t item_size){
  void **array = items;
  void *resized = sqlite3_realloc64(*array, (uint64_t)(capacity > 0 ? capacity : 1) * item_size);
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
