/* Records one span through an installed libtracelm; exit 0 on success. */
#include <tracelm/tracelm.h>
#include <stdio.h>

int main(void){
  if( tlm_init(NULL) != TLM_OK ){
    fprintf(stderr, "%s\n", tlm_last_error());
    return 1;
  }
  tlm_span_end(tlm_span_begin("installed"));
  tlm_shutdown();
  printf("ok\n");
  return 0;
}
