/*
** bench_first_touch.c — what the first touch of fresh memory costs here,
** in ordinary 4 KiB pages and in transparent huge pages.
**
** A 1M-span export fills a buffer of about 450 MB, and the graph behind
** it another 170 MB, all of it memory the process has not touched before.
** How much that costs depends on the machine more than on the code: on a
** virtual machine whose guest hands freed memory back to the host (free
** page reporting), a page the host no longer backs faults there too.
** ext/core/arrays.c chose ordinary pages from this table.
**
** Each round maps 450 MB, touches one byte per 4 KiB, and unmaps it:
** "warm" right after a round of the same size (the kernel still holds
** what was just freed), "after idle" three seconds later (what a one-shot
** `tracelm export` meets).  Baseline: 4 KiB pages, warm.  Prints a table;
** asserts nothing.  Usage: bench_first_touch
*/
#include "bench_common.h"
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BYTES ((size_t)450 << 20)
#define ROUNDS 3
#define IDLE_SECONDS 3

/* Seconds to touch BYTES of fresh memory, hinted to huge pages or not. */
static double touch_once(int huge){
  char *p = mmap(NULL, BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  double start, elapsed;
  if( p == MAP_FAILED ){ perror("mmap"); exit(1); }
#ifdef MADV_HUGEPAGE
  if( huge ) madvise(p, BYTES, MADV_HUGEPAGE);
#else
  (void)huge;
#endif
  start = now_s();
  for(size_t i = 0; i < BYTES; i += 4096) p[i] = 1;
  elapsed = now_s() - start;
  munmap(p, BYTES);
  return elapsed;
}

int main(void){
  static const char *const pages[] = { "4 KiB pages", "2 MiB pages (MADV_HUGEPAGE)" };
  double best[2][2], worst[2][2];   /* [huge][after idle] */
  for(int huge = 0; huge < 2; huge++){
    for(int idle = 0; idle < 2; idle++){ best[huge][idle] = 1e9; worst[huge][idle] = 0; }
    for(int round = 0; round < ROUNDS; round++){
      double t;
      sleep(IDLE_SECONDS);
      t = touch_once(huge);          /* after idle */
      if( t < best[huge][1] ) best[huge][1] = t;
      if( t > worst[huge][1] ) worst[huge][1] = t;
      t = touch_once(huge);          /* warm: right after the same size */
      if( t < best[huge][0] ) best[huge][0] = t;
      if( t > worst[huge][0] ) worst[huge][0] = t;
    }
  }
  printf("first touch of 450 MB        %-10s %9s %9s   %s\n", "", "best ms", "worst ms",
         "best / 4 KiB warm");
  for(int huge = 0; huge < 2; huge++){
    for(int idle = 0; idle < 2; idle++){
      printf("%-28s %-10s %9.0f %9.0f   %5.2f\n", pages[huge], idle ? "after idle" : "warm",
             best[huge][idle] * 1e3, worst[huge][idle] * 1e3, best[huge][idle] / best[0][0]);
    }
  }
  printf("\n%d rounds each; \"after idle\" follows %d s without allocating.\n", ROUNDS, IDLE_SECONDS);
  return 0;
}
