/*
** conversations.c — `tracelm conversations`: each conversation (or agent
** session) the traces belong to, by gen_ai.conversation.id or session.id,
** with its traces, turns, tokens, cost, latency and errors.
**
**   tracelm conversations --limit 20 --format markdown
*/
#include "cli.h"
#include "tlm_conversations_sql.h"
#include <string.h>

int cmd_conversations(cli *c, int argc, char **argv){
  const char *format = "table", *limit = "-1";
  sqlite3 *db;
  int status;
  for(int i = 0; i < argc; i++){
    const char **slot = !strcmp(argv[i], "--format") ? &format : !strcmp(argv[i], "--limit") ? &limit : NULL;
    if( slot == NULL ) return cli_usage_error(c, "unknown argument '%s'", argv[i]);
    if( i + 1 >= argc ) return cli_usage_error(c, "%s needs a value", argv[i]);
    *slot = argv[++i];
  }
  print_style style = !strcmp(format, "table") ? PRINT_TABLE : !strcmp(format, "markdown") ? PRINT_MARKDOWN
                    : !strcmp(format, "csv") ? PRINT_CSV : -1;
  if( (int)style < 0 ) return cli_usage_error(c, "--format must be table, markdown or csv, not '%s'", format);
  if( limit[0] == 0 || limit[strspn(limit, "0123456789")] != 0 ){
    if( strcmp(limit, "-1") != 0 ) return cli_usage_error(c, "--limit takes a count of rows, not '%s'", limit);
  }
  if( (status = cli_open(c, 1, &db)) ) return status;
  status = cli_print_query(c, db, tlm_conversations_sql, style, limit, NULL);
  sqlite3_close(db);
  return status;
}
