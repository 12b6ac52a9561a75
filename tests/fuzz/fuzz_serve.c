/*
** fuzz_serve.c — `tracelm serve`'s whole request path on any bytes: each
** input is what one client sends on one connection (request line,
** headers, a body sized, chunked or cut short, plain or gzip, OTLP/JSON,
** protobuf, or anything), sent to a real server this process started once
** (cmd_serve in a thread, on loopback, a database in a temporary folder),
** the connection half-closed, and the answer read to its end.  What is
** checked is what the sanitizers and the server's own survival say: no
** crash, no leak of a request, the next input still answered.  The server
** itself is never mocked: serve.c, the browser's routes and the extension
** are all in.
*/
#include "cli.h"
#include "tracelm_sqlite.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int port;
static char db_path[256];

static void *serve(void *unused){
  static char port_text[16];
  static char *argv[] = { "--port", port_text, "--timeout", "2", "--max-body", "65536" };
  cli c = { .db_path = db_path, .command = "serve" };
  (void)unused;
  snprintf(port_text, sizeof port_text, "%d", port);
  cmd_serve(&c, 6, argv);
  return NULL;
}

static int connect_to_server(void){
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  struct timeval timeout = { 3, 0 };
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if( connect(fd, (struct sockaddr *)&address, sizeof address) != 0 ){ close(fd); return -1; }
  return fd;
}

/* A free port: bound by the kernel, released, then taken by the server. */
static int free_port(void){
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  int fd = socket(AF_INET, SOCK_STREAM, 0), found;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if( bind(fd, (struct sockaddr *)&address, sizeof address) || getsockname(fd, (struct sockaddr *)&address, &length) ) abort();
  found = ntohs(address.sin_port);
  close(fd);
  return found;
}

int LLVMFuzzerInitialize(int *argc, char ***argv){
  char folder[] = "/tmp/tracelm-fuzz-serve-XXXXXX";
  pthread_t thread;
  (void)argc; (void)argv;
  if( mkdtemp(folder) == NULL ) abort();
  snprintf(db_path, sizeof db_path, "%s/t.db", folder);
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
  port = free_port();
  if( pthread_create(&thread, NULL, serve, NULL) ) abort();
  for(int tries = 0; tries < 500; tries++){   /* up to 5 s for it to listen */
    int fd = connect_to_server();
    if( fd >= 0 ){ close(fd); return 0; }
    usleep(10000);
  }
  fprintf(stderr, "fuzz_serve: the server did not start\n");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char answer[4096];
  size_t sent = 0;
  int fd = connect_to_server();
  if( fd < 0 ){
    fprintf(stderr, "fuzz_serve: the server stopped answering\n");
    abort();
  }
  while( sent < size ){
    ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if( n <= 0 ) break;   /* the server closed early: its right */
    sent += (size_t)n;
  }
  shutdown(fd, SHUT_WR);
  while( recv(fd, answer, sizeof answer, 0) > 0 ){}
  close(fd);
  return 0;
}
