/*
** tracelm_mhd.h — trace inbound requests served with GNU libmicrohttpd.
**
**   static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
**       const char *url, const char *method, ...){
**     tlm_span *span = tlm_mhd_begin(c, method, url);    // SERVER span
**     ... the work; spans begun here nest under it ...
**     return tlm_mhd_respond(c, MHD_HTTP_OK, response, span);
**   }
**
** The span continues the caller's traceparent (a new trace when it is
** missing or invalid), honours its sampled flag (an unsampled request
** writes nothing), keeps a valid tracestate, and the response carries
** traceparent back, as the seed tool's middleware did.  Link with
** tracelm_mhd (and libmicrohttpd).
*/
#ifndef TRACELM_MHD_H
#define TRACELM_MHD_H
#include <microhttpd.h>
#include <tracelm/tracelm.h>

/* Begin the request's span, named "METHOD /path", kind SERVER, current on
** the calling thread (use MHD's thread-per-connection or internal thread
** modes).  NULL without a recorder. */
tlm_span *tlm_mhd_begin(struct MHD_Connection *connection, const char *method, const char *url);

/* Add the traceparent response header, queue the response, record
** http.response.status_code (an error from 500 up), and end the span. */
enum MHD_Result tlm_mhd_respond(struct MHD_Connection *connection, unsigned int status,
                                struct MHD_Response *response, tlm_span *span);

#endif
