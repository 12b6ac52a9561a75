/*
** service_common.h — what the two example services share: start an HTTP
** server on 127.0.0.1, print its port, and shut down cleanly (flushing
** the recorder) on SIGTERM or SIGINT.
*/
#ifndef SERVICE_COMMON_H
#define SERVICE_COMMON_H
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "tracelm/tracelm.h"

/* Serve handler on 127.0.0.1:port (0: any free port) until SIGTERM/SIGINT. */
static int serve(const char *service, int port, MHD_AccessHandlerCallback handler, void *context){
  tlm_options opts;
  sigset_t stop;
  int signal_number;
  struct sockaddr_in address;
  tlm_options_init(&opts);
  opts.service = service;
  if( tlm_init(&opts) != TLM_OK ){
    fprintf(stderr, "%s: %s\n", service, tlm_last_error());
    return 1;
  }
  /* Block the stop signals before MHD starts its threads, so that only
  ** sigwait below receives them. */
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *daemon = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
      0, NULL, NULL, handler, context,
      MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_CONNECTION_LIMIT, 1000, MHD_OPTION_END);
  if( daemon == NULL ){
    fprintf(stderr, "%s: cannot listen on 127.0.0.1:%d\n", service, port);
    tlm_shutdown();
    return 1;
  }
  printf("%s listening on %d\n", service,
         MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT)->port);
  fflush(stdout);
  sigwait(&stop, &signal_number);
  MHD_stop_daemon(daemon);
  tlm_shutdown();
  return 0;
}

static enum MHD_Result respond_text(struct MHD_Connection *connection, tlm_span *span,
                                    unsigned int status, const char *text){
  struct MHD_Response *response = MHD_create_response_from_buffer(
      strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result result = tlm_mhd_respond(connection, status, response, span);
  MHD_destroy_response(response);
  return result;
}
#endif
