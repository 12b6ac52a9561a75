/*
** tracelm_curl.c — traceparent on libcurl requests (see tracelm_curl.h).
**
** Built on the recorder's transport-neutral tlm_inject(): the only curl
** knowledge here is how a header list is searched and appended to.
*/
#include "tracelm_curl.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void append_header(void *carrier, const char *name, const char *value){
  struct curl_slist **list = carrier;
  char line[1024];
  snprintf(line, sizeof line, "%s: %s", name, value);
  struct curl_slist *grown = curl_slist_append(*list, line);
  if( grown ) *list = grown;
}

static int has_header(const struct curl_slist *headers, const char *name){
  size_t length = strlen(name);
  for(; headers; headers = headers->next){
    if( !strncasecmp(headers->data, name, length) && headers->data[length] == ':' ) return 1;
  }
  return 0;
}

struct curl_slist *tlm_curl_headers(struct curl_slist *headers, const tlm_span *span){
  if( has_header(headers, "traceparent") ) return headers;
  tlm_inject(span, append_header, &headers);
  return headers;
}

CURLcode tlm_curl_perform(CURL *curl, struct curl_slist **headers, tlm_span *parent,
                          const char *method, const char *url){
  char name[64], message[96];
  long status = 0;
  snprintf(name, sizeof name, "HTTP %s", method);
  tlm_span *span = parent ? tlm_span_begin_child(parent, name) : tlm_span_begin(name);
  tlm_span_set_kind(span, TLM_KIND_CLIENT);
  tlm_span_set_str(span, "http.request.method", method);
  tlm_span_set_str(span, "url.full", url);
  *headers = tlm_curl_headers(*headers, span);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if( status ) tlm_span_set_int(span, "http.response.status_code", status);
  if( rc != CURLE_OK ){
    tlm_span_set_error(span, curl_easy_strerror(rc));
  }else if( status >= 400 ){
    snprintf(message, sizeof message, "HTTP status %ld", status);
    tlm_span_set_error(span, message);
  }
  tlm_span_end(span);
  return rc;
}
