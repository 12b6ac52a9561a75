/*
** tracelm_mhd.c — a SERVER span per libmicrohttpd request (see tracelm_mhd.h).
**
** Reading headers goes through MHD_lookup_connection_value, which already
** compares names case-insensitively; everything else is the recorder's
** tlm_span_begin_extract() and tlm_inject().
*/
#include "tracelm_mhd.h"
#include <stdio.h>
#include <string.h>

static const char *request_header(void *carrier, const char *name){
  return MHD_lookup_connection_value(carrier, MHD_HEADER_KIND, name);
}

static void response_header(void *carrier, const char *name, const char *value){
  MHD_add_response_header(carrier, name, value);
}

tlm_span *tlm_mhd_begin(struct MHD_Connection *connection, const char *method, const char *url){
  char name[256];
  const char *query = strchr(url, '?');
  /* The path only: a query string would make every span name unique. */
  snprintf(name, sizeof name, "%s %.*s", method, (int)(query ? (size_t)(query - url) : strlen(url)), url);
  tlm_span *span = tlm_span_begin_extract(NULL, name, request_header, connection);
  tlm_span_set_str(span, "http.request.method", method);
  tlm_span_set_str(span, "url.path", url);
  return span;
}

enum MHD_Result tlm_mhd_respond(struct MHD_Connection *connection, unsigned int status,
                                struct MHD_Response *response, tlm_span *span){
  char message[64];
  if( span ) tlm_inject(span, response_header, response);
  enum MHD_Result result = MHD_queue_response(connection, status, response);
  tlm_span_set_int(span, "http.response.status_code", status);
  if( status >= 500 ){
    snprintf(message, sizeof message, "HTTP status %u", status);
    tlm_span_set_error(span, message);
  }
  tlm_span_end(span);
  return result;
}
