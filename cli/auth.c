/*
** auth.c — who may use `tracelm serve`.  Without --token (loopback only)
** everyone may.  With one, an SDK sends it as "Authorization: Bearer
** TOKEN" to /v1/traces, and a browser sends it once to POST /login and
** gets a session cookie (HttpOnly, SameSite=Strict) instead, so the token
** is never in a URL, a page or the browser's history.  Sessions live as
** long as the server; the oldest is forgotten past CLI_SESSIONS.
*/
#include "ui.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define COOKIE_NAME "tracelm_session"

int cli_auth_equal(const char *a, const char *b){
  size_t la = strlen(a), lb = strlen(b);
  unsigned char diff = (unsigned char)(la != lb);
  for(size_t i = 0; i < la; i++) diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
  return diff == 0;
}

int cli_auth_bearer(cli_auth *a, struct MHD_Connection *connection){
  const char *header;
  char *expected;
  int ok;
  if( a->token == NULL ) return 1;
  header = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
  expected = sqlite3_mprintf("Bearer %s", a->token);
  ok = header && expected && cli_auth_equal(header, expected);
  sqlite3_free(expected);
  return ok;
}

int cli_auth_cookie(cli_auth *a, struct MHD_Connection *connection){
  const char *cookie;
  int ok = 0;
  if( a->token == NULL ) return 1;
  cookie = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, COOKIE_NAME);
  if( cookie == NULL || strlen(cookie) != 32 ) return 0;
  pthread_mutex_lock(&a->lock);
  for(int i = 0; i < CLI_SESSIONS; i++){
    ok |= a->sessions[i][0] && cli_auth_equal(cookie, a->sessions[i]);
  }
  pthread_mutex_unlock(&a->lock);
  return ok;
}

int cli_auth_login(cli_auth *a, const char *token, size_t size, char *cookie, size_t cookie_size){
  unsigned char random[16];
  char given[512], session[33];
  int fd, ok;
  if( a->token == NULL || size >= sizeof given ) return -1;
  memcpy(given, token, size);
  given[size] = 0;
  while( size > 0 && (given[size - 1] == '\n' || given[size - 1] == '\r') ) given[--size] = 0;
  if( !cli_auth_equal(given, a->token) ) return -1;
  /* The session id must be unguessable: the kernel's random bytes. */
  fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  ok = fd >= 0 && read(fd, random, sizeof random) == (ssize_t)sizeof random;
  if( fd >= 0 ) close(fd);
  if( !ok ) return -1;
  for(int i = 0; i < 16; i++) snprintf(session + 2 * i, 3, "%02x", random[i]);
  pthread_mutex_lock(&a->lock);
  memcpy(a->sessions[a->next], session, sizeof session);
  a->next = (a->next + 1) % CLI_SESSIONS;
  pthread_mutex_unlock(&a->lock);
  snprintf(cookie, cookie_size, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict", session);
  return 0;
}
