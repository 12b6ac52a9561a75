/*
** tvf.h — the generic table-valued function (tvf.c serves them all).
**
** An analysis declares its columns and its hidden argument columns in one
** CREATE TABLE string, next to an enum of the column numbers, and gives
** three callbacks: open (compute the rows), column, close.
*/
#ifndef TLM_TVF_H
#define TLM_TVF_H

#include "ext.h"

typedef struct tlm_tvf_def {
  const char *name;
  const char *schema;       /* CREATE TABLE x(col, ..., arg HIDDEN, ...) */
  int column_count;         /* visible columns; the hidden arguments follow */
  int arg_count;
  int required_args;
  /* Compute the rows for these arguments (argc may be below arg_count).
  ** used: the columns the statement reads, bit i for column i (SQLite's
  ** colUsed: bit 63 stands for every column from 63 on), so an analysis
  ** can skip what nobody reads. */
  int (*open)(tlm_ext *ext, sqlite3_value **argv, int argc, uint64_t used,
              void **state, int64_t *row_count, char **errmsg);
  /* Called for every row in order, before its columns; may be NULL. */
  void (*advance)(void *state, int64_t row);
  void (*column)(void *state, int64_t row, int col, sqlite3_context *ctx);
  void (*close)(void *state);
} tlm_tvf_def;

int tlm_tvf_register(sqlite3 *db, tlm_ext *ext, const tlm_tvf_def *def);

#endif
