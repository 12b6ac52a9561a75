/*
** otlp_config.c — where the recorder exports spans, read the way every
** OpenTelemetry SDK reads it.
**
** tlm_options wins where set; otherwise the standard variables of the
** OpenTelemetry specification's OTLP exporter ("Exporter configuration"):
** the signal-specific OTEL_EXPORTER_OTLP_TRACES_* before the general
** OTEL_EXPORTER_OTLP_*, a general endpoint getting "/v1/traces" appended
** and a traces endpoint used as it is.  A setting that cannot work (grpc, a
** malformed header list, an endpoint in a build without libcurl) fails
** tlm_init() with a message now, not a silent loss later.
*/
#include "internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 10000

/* The traces variable, else the general one; NULL when neither is set. */
static const char *otel_env(const char *suffix){
  char name[64];
  const char *value;
  snprintf(name, sizeof name, "OTEL_EXPORTER_OTLP_TRACES_%s", suffix);
  value = getenv(name);
  if( value && value[0] ) return value;
  snprintf(name, sizeof name, "OTEL_EXPORTER_OTLP_%s", suffix);
  value = getenv(name);
  return value && value[0] ? value : NULL;
}

static char *endpoint_url(const tlm_options *opts){
  const char *traces = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const char *general = getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  size_t n;
  char *url;
  if( opts->otlp_endpoint ) return opts->otlp_endpoint[0] ? strdup(opts->otlp_endpoint) : NULL;
  if( traces && traces[0] ) return strdup(traces);
  if( general == NULL || general[0] == 0 ) return NULL;
  n = strlen(general);
  while( n > 0 && general[n - 1] == '/' ) n--;
  url = malloc(n + sizeof "/v1/traces");
  if( url ){
    memcpy(url, general, n);
    memcpy(url + n, "/v1/traces", sizeof "/v1/traces");
  }
  return url;
}

static int read_protocol(const tlm_options *opts, int *json){
  const char *text;
  if( opts->otlp_protocol == TLM_OTLP_PROTOBUF || opts->otlp_protocol == TLM_OTLP_JSON ){
    *json = opts->otlp_protocol == TLM_OTLP_JSON;
    return TLM_OK;
  }
  if( opts->otlp_protocol != TLM_OTLP_DEFAULT ){
    tlm_set_error("otlp_protocol must be TLM_OTLP_DEFAULT, TLM_OTLP_PROTOBUF or TLM_OTLP_JSON");
    return TLM_EINVAL;
  }
  text = otel_env("PROTOCOL");
  if( text == NULL || !strcmp(text, "http/protobuf") ){
    *json = 0;
  }else if( !strcmp(text, "http/json") ){
    *json = 1;
  }else{
    tlm_set_error("OTEL_EXPORTER_OTLP_PROTOCOL: '%s' is not supported"
                  " (http/protobuf or http/json)", text);
    return TLM_EINVAL;
  }
  return TLM_OK;
}

static int hex_digit(int c){
  if( c >= '0' && c <= '9' ) return c - '0';
  if( c >= 'a' && c <= 'f' ) return c - 'a' + 10;
  if( c >= 'A' && c <= 'F' ) return c - 'A' + 10;
  return -1;
}

/* [start, end) without the blanks around it, percent-decoded, appended. */
static int append_decoded(char *out, size_t *at, const char *start, const char *end){
  while( start < end && (*start == ' ' || *start == '\t') ) start++;
  while( end > start && (end[-1] == ' ' || end[-1] == '\t') ) end--;
  for(const char *p = start; p < end; p++){
    if( *p == '%' ){
      int hi = p + 2 < end ? hex_digit(p[1]) : -1;
      int lo = p + 2 < end ? hex_digit(p[2]) : -1;
      if( hi < 0 || lo < 0 ) return 0;
      out[(*at)++] = (char)(hi * 16 + lo);
      p += 2;
    }else if( (unsigned char)*p < 0x20 ){
      return 0;   /* no control characters in an HTTP header */
    }else{
      out[(*at)++] = *p;
    }
  }
  return 1;
}

/* "k=v,k2=v2" (the W3C Baggage-like list the specification uses) as
** "k: v" lines. */
static int read_headers(const char *text, const char *origin, tlm_otlp_config *out){
  const char *p = text;
  while( *p ){
    const char *end = strchr(p, ','), *eq;
    size_t at = 0;
    char *line;
    if( end == NULL ) end = p + strlen(p);
    eq = memchr(p, '=', (size_t)(end - p));
    if( eq == NULL ){
      if( strspn(p, " \t") == (size_t)(end - p) ){ p = *end ? end + 1 : end; continue; }
      tlm_set_error("%s: '%.*s' is not key=value", origin, (int)(end - p), p);
      return TLM_EINVAL;
    }
    line = malloc((size_t)(end - p) + 3);
    char **grown = realloc(out->headers, (size_t)(out->header_count + 1) * sizeof *grown);
    if( line == NULL || grown == NULL ){
      free(line);
      if( grown ) out->headers = grown;
      tlm_set_error("out of memory");
      return TLM_ENOMEM;
    }
    out->headers = grown;
    if( !append_decoded(line, &at, p, eq) || at == 0 || memchr(line, ':', at) || memchr(line, ' ', at) ){
      free(line);
      tlm_set_error("%s: bad header name in '%.*s'", origin, (int)(end - p), p);
      return TLM_EINVAL;
    }
    line[at++] = ':';
    line[at++] = ' ';
    if( !append_decoded(line, &at, eq + 1, end) ){
      free(line);
      tlm_set_error("%s: bad value in '%.*s'", origin, (int)(end - p), p);
      return TLM_EINVAL;
    }
    line[at] = 0;
    out->headers[out->header_count++] = line;
    p = *end ? end + 1 : end;
  }
  return TLM_OK;
}

static int read_timeout(const tlm_options *opts, unsigned *timeout_ms){
  const char *text = otel_env("TIMEOUT");
  char *end;
  long value;
  *timeout_ms = opts->otlp_timeout_ms ? opts->otlp_timeout_ms : DEFAULT_TIMEOUT_MS;
  if( opts->otlp_timeout_ms || text == NULL ) return TLM_OK;
  errno = 0;
  value = strtol(text, &end, 10);
  if( errno || *end || value <= 0 || value > 3600000 ){
    tlm_set_error("OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds from 1 to 3600000, not '%s'",
                  text);
    return TLM_EINVAL;
  }
  *timeout_ms = (unsigned)value;
  return TLM_OK;
}

int tlm_otlp_config_read(const tlm_options *opts, tlm_otlp_config *out){
  const char *only = getenv("TRACELM_EXPORT_ONLY");
  const char *headers = opts->otlp_headers ? opts->otlp_headers : otel_env("HEADERS");
  int rc;
  memset(out, 0, sizeof *out);
  out->only = opts->otlp_only || (only && !strcmp(only, "1"));
  out->url = endpoint_url(opts);
  if( out->url == NULL ){
    if( out->only ){
      tlm_set_error("export only (otlp_only or TRACELM_EXPORT_ONLY) needs an OTLP endpoint"
                    " (otlp_endpoint or OTEL_EXPORTER_OTLP_ENDPOINT)");
      return TLM_EINVAL;
    }
    return TLM_OK;
  }
#ifndef TLM_HAVE_OTLP
  tlm_set_error("OTLP export to %s: this libtracelm was built without libcurl and protobuf-c",
                out->url);
  tlm_otlp_config_free(out);
  return TLM_EINVAL;
#endif
  if( strncmp(out->url, "http://", 7) && strncmp(out->url, "https://", 8) ){
    tlm_set_error("OTLP endpoint '%s' is not an http:// or https:// URL", out->url);
    tlm_otlp_config_free(out);
    return TLM_EINVAL;
  }
  if( (rc = read_protocol(opts, &out->json)) != TLM_OK
   || (rc = read_timeout(opts, &out->timeout_ms)) != TLM_OK
   || (headers && (rc = read_headers(headers, opts->otlp_headers ? "otlp_headers"
                                     : "OTEL_EXPORTER_OTLP_HEADERS", out)) != TLM_OK) ){
    tlm_otlp_config_free(out);
    return rc;
  }
  return TLM_OK;
}

void tlm_otlp_config_free(tlm_otlp_config *config){
  free(config->url);
  for(int i = 0; i < config->header_count; i++) free(config->headers[i]);
  free(config->headers);
  memset(config, 0, sizeof *config);
}
