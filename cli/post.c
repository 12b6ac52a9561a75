/*
** post.c — `tracelm export ID --format otel --to URL`: a stored trace
** sent to an OTLP/HTTP receiver (an OpenTelemetry Collector, another
** `tracelm serve`) as OTLP/JSON, with libcurl.
**
** One POST of export_otel()'s document; the answer is reported as it is:
** 200 (with any partialSuccess the receiver reports), or the status and
** the body it sent back.  No retries here: a command run by hand says what
** happened and the user runs it again.
*/
#include "cli.h"
#include "../common/http_answer.h"
#include <curl/curl.h>
#include <string.h>

int cli_post_otlp(const cli *c, const char *url, const char *json, size_t length){
  CURL *curl = curl_easy_init();
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  tlm_http_answer reply = { "", 0 };
  long status = 0;
  CURLcode rc;
  int failed;
  if( curl == NULL || headers == NULL ){
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return cli_fail(c, "out of memory");
  }
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, tlm_keep_answer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  rc = curl_easy_perform(curl);
  if( rc == CURLE_OK ) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if( rc != CURLE_OK ) return cli_fail(c, "cannot send to %s: %s", url, curl_easy_strerror(rc));
  failed = status < 200 || status >= 300;
  if( failed ) return cli_fail(c, "%s answered %ld: %s", url, status, reply.text);
  printf("Sent %zu bytes to %s: %ld %s\n", length, url, status, reply.text);
  return 0;
}
