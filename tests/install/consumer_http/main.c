/* Links one function of each integration and calls what needs no network:
** tlm_curl_headers() with no span leaves the list alone.  Prints "ok". */
#include <tracelm/tracelm_curl.h>
#include <tracelm/tracelm_mhd.h>
#include <stdio.h>

int main(void){
  void *server_side = (void *)tlm_mhd_begin;   /* linked, not called */
  struct curl_slist *headers = tlm_curl_headers(NULL, NULL);
  int ok = headers == NULL && server_side != NULL;
  puts(ok ? "ok" : "failed");
  return ok ? 0 : 1;
}
