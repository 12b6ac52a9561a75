/*
** service_a — a traced gateway: GET /ask calls service_b's /work twice in
** parallel (two threads, libcurl), so the trace crosses a process hop and
** the critical path has parallel work to choose from.
**
**   service_a PORT B_PORT     (PORT 0: any free port; the port is printed)
*/
#include "tracelm_mhd.h"
#include "tracelm_curl.h"
#include <pthread.h>
#include "service_common.h"

typedef struct call { tlm_span *parent; char url[128]; CURLcode result; } call;

static void *call_b(void *arg){
  call *c = arg;
  CURL *curl = curl_easy_init();
  struct curl_slist *headers = NULL;
  FILE *sink = fopen("/dev/null", "w");
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  c->result = tlm_curl_perform(curl, &headers, c->parent, "GET", c->url);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  fclose(sink);
  return NULL;
}

static enum MHD_Result handle(void *context, struct MHD_Connection *connection,
                              const char *url, const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **request){
  static int seen;
  int b_port = *(int *)context;
  (void)version; (void)upload; (void)upload_size;
  if( *request == NULL ){ *request = &seen; return MHD_YES; }
  tlm_span *server = tlm_mhd_begin(connection, method, url);
  if( strcmp(url, "/ask") ) return respond_text(connection, server, MHD_HTTP_NOT_FOUND, "no such path\n");
  call calls[2];
  pthread_t threads[2];
  for(int i = 0; i < 2; i++){
    calls[i].parent = server;
    snprintf(calls[i].url, sizeof calls[i].url, "http://127.0.0.1:%d/work", b_port);
    pthread_create(&threads[i], NULL, call_b, &calls[i]);
  }
  for(int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  int ok = calls[0].result == CURLE_OK && calls[1].result == CURLE_OK;
  return respond_text(connection, server, ok ? MHD_HTTP_OK : MHD_HTTP_BAD_GATEWAY,
                      ok ? "answered\n" : "service_b failed\n");
}

int main(int argc, char **argv){
  static int b_port;
  if( argc != 3 ){ fprintf(stderr, "usage: service_a PORT B_PORT\n"); return 2; }
  b_port = atoi(argv[2]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int status = serve("service_a", atoi(argv[1]), handle, &b_port);
  curl_global_cleanup();
  return status;
}
