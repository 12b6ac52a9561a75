/*
** errors.c — how the extension's SQL functions report errors.
**
** Every message begins with the function's name ("critical_path: no trace
** matches 'ab12'"), so a user running a report of several queries knows
** which one failed; the CLI strips that name where it names itself.
*/
#include "ext.h"
#include <stdarg.h>
#include <stddef.h>
SQLITE_EXTENSION_INIT3

void tlm_result_errorf(sqlite3_context *ctx, const char *fmt, ...){
  va_list ap;
  char *message;
  va_start(ap, fmt);
  message = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if( message == NULL ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, message, -1);
  sqlite3_free(message);
}
