/*
** service_b — a traced backend: GET /work embeds the query (20 ms of work,
** with tokens), under the span that continues its caller's trace.
**
**   service_b PORT            (0: any free port; the port is printed)
*/
#include "tracelm_mhd.h"
#include <pthread.h>
#include <time.h>
#include "service_common.h"

static enum MHD_Result handle(void *context, struct MHD_Connection *connection,
                              const char *url, const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **request){
  static int seen;
  struct timespec work = { 0, 20 * 1000000L };
  (void)context; (void)version; (void)upload; (void)upload_size;
  if( *request == NULL ){ *request = &seen; return MHD_YES; }   /* headers only, so far */
  tlm_span *server = tlm_mhd_begin(connection, method, url);
  if( strcmp(url, "/work") ) return respond_text(connection, server, MHD_HTTP_NOT_FOUND, "no such path\n");
  tlm_span *embed = tlm_span_begin("embed");
  tlm_span_set_model(embed, "text-embedding-3-small");
  nanosleep(&work, NULL);
  tlm_span_add_tokens(embed, 12, 0);
  tlm_span_end(embed);
  return respond_text(connection, server, MHD_HTTP_OK, "embedded\n");
}

int main(int argc, char **argv){
  if( argc != 2 ){ fprintf(stderr, "usage: service_b PORT\n"); return 2; }
  return serve("service_b", atoi(argv[1]), handle, NULL);
}
