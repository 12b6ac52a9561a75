/*
** test_filter.h — run one CMocka case alone:
**
**   TLM_TEST_FILTER='test_recorder_drops*' ./build/tests/recorder/test_recorder
**
** The value is CMocka's pattern (* and ? wildcards) over the case names;
** every test binary's main() calls tlm_test_filter_from_env() first.
*/
#ifndef TLM_TEST_FILTER_H
#define TLM_TEST_FILTER_H
#include <stdlib.h>

static inline void tlm_test_filter_from_env(void){
  const char *pattern = getenv("TLM_TEST_FILTER");
  if( pattern && pattern[0] ) cmocka_set_test_filter(pattern);
}

#endif
