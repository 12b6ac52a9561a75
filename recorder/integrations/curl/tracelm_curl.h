/*
** tracelm_curl.h — trace outbound HTTP calls made with libcurl.
**
**   struct curl_slist *headers = NULL;
**   CURLcode rc = tlm_curl_perform(curl, &headers, NULL, "GET", "http://127.0.0.1:8081/work");
**   curl_slist_free_all(headers);
**
** Link with tracelm_curl (and libcurl).  Thread-safe as libcurl is: one
** CURL handle per thread.
*/
#ifndef TRACELM_CURL_H
#define TRACELM_CURL_H
#include <curl/curl.h>
#include <tracelm/tracelm.h>

/* Append traceparent (and tracestate) for span (NULL: the current span)
** to headers, unless headers already has a traceparent: the caller's
** wins.  Returns the list to pass to CURLOPT_HTTPHEADER (the caller frees
** it with curl_slist_free_all); unchanged when there is no span. */
struct curl_slist *tlm_curl_headers(struct curl_slist *headers, const tlm_span *span);

/* Perform a request inside a CLIENT span named "HTTP METHOD" under parent
** (NULL: the current span): sets URL, method and headers on curl, adds
** the trace headers, records http.request.method, url.full and
** http.response.status_code, and marks the span an error on a transfer
** failure or a status of 400 or more.  *headers may be NULL; it is
** updated and stays the caller's to free. */
CURLcode tlm_curl_perform(CURL *curl, struct curl_slist **headers, tlm_span *parent,
                          const char *method, const char *url);

#endif
