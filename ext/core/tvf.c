/*
** tvf.c — one virtual table module serving every table-valued function.
**
**   SELECT * FROM trace_tree('latest');
**   SELECT * FROM critical_path('55df12');
**
** Each function is an eponymous virtual table (no CREATE VIRTUAL TABLE
** needed) whose declared schema ends in HIDDEN columns, one per argument;
** SQLite turns trace_tree('x', 'ascii') into equality constraints on them.
** xBestIndex hands those constraints to xFilter in argument order, and
** makes a plan without the required arguments so expensive that the
** planner only picks it when nothing else exists; xFilter then reports
** "fn: missing argument" instead of scanning.  xFilter asks the analysis
** (a tlm_tvf_def) to compute its rows; the cursor only walks them.
**
** Methods are in the order every vtab file here keeps (STYLE.md): Connect,
** BestIndex, Open, Filter, Next, Column, Rowid, Eof, Close, Disconnect;
** the shape (column enum beside the CREATE TABLE, a huge cost for a plan
** without the required arguments) follows SQLite's ext/misc/series.c.
*/
#include "tvf.h"
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

typedef struct tvf_vtab {
  sqlite3_vtab base;            /* Base class - must be first */
  tlm_ext *ext;
  const tlm_tvf_def *def;
} tvf_vtab;

typedef struct tvf_cursor {
  sqlite3_vtab_cursor base;     /* Base class - must be first */
  void *state;                  /* the analysis's rows */
  int64_t row;                  /* current row, from 0 */
  int64_t row_count;
} tvf_cursor;

typedef struct tvf_registration {
  tlm_ext *ext;
  const tlm_tvf_def *def;
} tvf_registration;

static int tvfConnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                      sqlite3_vtab **out, char **errmsg){
  tvf_registration *reg = aux;
  tvf_vtab *vtab;
  int rc;
  (void)argc; (void)argv; (void)errmsg;
  rc = sqlite3_declare_vtab(db, reg->def->schema);
  if( rc != SQLITE_OK ) return rc;
  vtab = sqlite3_malloc(sizeof *vtab);
  if( vtab == NULL ) return SQLITE_NOMEM;
  memset(vtab, 0, sizeof *vtab);
  vtab->ext = reg->ext;
  vtab->def = reg->def;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *out = &vtab->base;
  return SQLITE_OK;
}

/* idxNum = how many leading arguments are bound; idxStr = the columns the
** statement reads (colUsed, in hex), for open(). */
static int tvfBestIndex(sqlite3_vtab *base, sqlite3_index_info *info){
  const tlm_tvf_def *def = ((tvf_vtab *)base)->def;
  int arg_constraint[8];
  int given = 0;
  for(int a = 0; a < def->arg_count; a++) arg_constraint[a] = -1;
  for(int i = 0; i < info->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    int arg = c->iColumn - def->column_count;
    if( arg < 0 || arg >= def->arg_count ) continue;
    if( !c->usable ) return SQLITE_CONSTRAINT;   /* wait for a plan that binds it */
    if( c->op != SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    arg_constraint[arg] = i;
  }
  while( given < def->arg_count && arg_constraint[given] >= 0 ){
    info->aConstraintUsage[arg_constraint[given]].argvIndex = given + 1;
    info->aConstraintUsage[arg_constraint[given]].omit = 1;
    given++;
  }
  info->idxNum = given;
  info->idxStr = sqlite3_mprintf("%llx", (unsigned long long)info->colUsed);
  if( info->idxStr == NULL ) return SQLITE_NOMEM;
  info->needToFreeIdxStr = 1;
  if( given < def->required_args ){
    info->estimatedCost = 1e300;
    info->estimatedRows = 1000000000;
  }else{
    info->estimatedCost = 1000;
    info->estimatedRows = 1000;
  }
  return SQLITE_OK;
}

static int tvfOpen(sqlite3_vtab *base, sqlite3_vtab_cursor **out){
  tvf_cursor *cur = sqlite3_malloc(sizeof *cur);
  (void)base;
  if( cur == NULL ) return SQLITE_NOMEM;
  memset(cur, 0, sizeof *cur);
  *out = &cur->base;
  return SQLITE_OK;
}

static void cursor_reset(tvf_cursor *cur, const tlm_tvf_def *def){
  if( cur->state ) def->close(cur->state);
  cur->state = NULL;
  cur->row = cur->row_count = 0;
}

static int tvfFilter(sqlite3_vtab_cursor *base, int given, const char *idx_str,
                     int argc, sqlite3_value **argv){
  tvf_cursor *cur = (tvf_cursor *)base;
  tvf_vtab *vtab = (tvf_vtab *)base->pVtab;
  const tlm_tvf_def *def = vtab->def;
  char *errmsg = NULL;
  int rc;
  uint64_t used = idx_str ? strtoull(idx_str, NULL, 16) : ~(uint64_t)0;
  (void)argc;
  cursor_reset(cur, def);
  if( given < def->required_args ){
    sqlite3_free(vtab->base.zErrMsg);
    vtab->base.zErrMsg = sqlite3_mprintf("%s: missing argument (it takes %d%s)",
        def->name, def->required_args,
        def->arg_count > def->required_args ? " or more" : "");
    return SQLITE_ERROR;
  }
  rc = def->open(vtab->ext, argv, given, used, &cur->state, &cur->row_count, &errmsg);
  if( rc != SQLITE_OK ){
    sqlite3_free(vtab->base.zErrMsg);
    vtab->base.zErrMsg = errmsg ? errmsg : sqlite3_mprintf("%s: %s", def->name,
                                                           sqlite3_errstr(rc));
    cur->state = NULL;
    return rc == SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
  }
  if( def->advance && cur->row_count > 0 ) def->advance(cur->state, 0);
  return SQLITE_OK;
}

static int tvfNext(sqlite3_vtab_cursor *base){
  tvf_cursor *cur = (tvf_cursor *)base;
  const tlm_tvf_def *def = ((tvf_vtab *)base->pVtab)->def;
  cur->row++;
  if( def->advance && cur->row < cur->row_count ) def->advance(cur->state, cur->row);
  return SQLITE_OK;
}

static int tvfColumn(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col){
  tvf_cursor *cur = (tvf_cursor *)base;
  const tlm_tvf_def *def = ((tvf_vtab *)base->pVtab)->def;
  /* Hidden argument columns read back as NULL: they are inputs. */
  if( col < def->column_count ) def->column(cur->state, cur->row, col, ctx);
  return SQLITE_OK;
}

static int tvfRowid(sqlite3_vtab_cursor *base, sqlite3_int64 *rowid){
  *rowid = ((tvf_cursor *)base)->row + 1;
  return SQLITE_OK;
}

static int tvfEof(sqlite3_vtab_cursor *base){
  tvf_cursor *cur = (tvf_cursor *)base;
  return cur->row >= cur->row_count;
}

static int tvfClose(sqlite3_vtab_cursor *base){
  tvf_cursor *cur = (tvf_cursor *)base;
  cursor_reset(cur, ((tvf_vtab *)base->pVtab)->def);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int tvfDisconnect(sqlite3_vtab *base){
  sqlite3_free(base);
  return SQLITE_OK;
}

static sqlite3_module tvf_module = {
  /* iVersion    */ 0,
  /* xCreate     */ 0,   /* eponymous only */
  /* xConnect    */ tvfConnect,
  /* xBestIndex  */ tvfBestIndex,
  /* xDisconnect */ tvfDisconnect,
  /* xDestroy    */ 0,
  /* xOpen       */ tvfOpen,
  /* xClose      */ tvfClose,
  /* xFilter     */ tvfFilter,
  /* xNext       */ tvfNext,
  /* xEof        */ tvfEof,
  /* xColumn     */ tvfColumn,
  /* xRowid      */ tvfRowid,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

int tlm_tvf_register(sqlite3 *db, tlm_ext *ext, const tlm_tvf_def *def){
  tvf_registration *reg = sqlite3_malloc(sizeof *reg);
  if( reg == NULL ) return SQLITE_NOMEM;
  reg->ext = ext;
  reg->def = def;
  return sqlite3_create_module_v2(db, def->name, &tvf_module, reg, sqlite3_free);
}
