/*
** span_row.c — the spans table's columns, its INSERT and its bind (see
** span_row.h).  The SQL texts are put together from TLM_SPAN_COLUMNS at
** compile time, so the column list and the placeholders cannot disagree.
*/
#include "span_row.h"
#include <string.h>

#ifdef TLM_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

const tlm_column_def tlm_span_columns[TLM_SPAN_COLUMN_COUNT] = {
#define TLM_X_DEF(NAME, column, type, default_sql, required) { #column, type, default_sql, required },
  TLM_SPAN_COLUMNS(TLM_X_DEF)
#undef TLM_X_DEF
};

/* Each column as ", name" and each placeholder as ",?".  The list skips
** its leading separator; the INSERT lets rowid (NULL: the next one) take
** the first place instead, so the text stays one literal. */
#define TLM_X_NAME(NAME, column, type, default_sql, required) ", " #column
#define TLM_X_PLACEHOLDER(NAME, column, type, default_sql, required) ",?"
const char *const tlm_span_column_list = &(TLM_SPAN_COLUMNS(TLM_X_NAME))[2];
const char *const tlm_span_insert_sql =
  "INSERT INTO spans(rowid" TLM_SPAN_COLUMNS(TLM_X_NAME) ") VALUES(NULL" TLM_SPAN_COLUMNS(TLM_X_PLACEHOLDER) ")";
#undef TLM_X_NAME
#undef TLM_X_PLACEHOLDER

const char *const tlm_kind_names[TLM_KIND_COUNT] = {
  "unspecified", "internal", "server", "client", "producer", "consumer"
};
const char *const tlm_status_names[TLM_STATUS_COUNT] = { "unset", "ok", "error" };

int tlm_kind_from_name(const char *name){
  for(int k = 0; name && k < TLM_KIND_COUNT; k++){
    if( strcmp(name, tlm_kind_names[k]) == 0 ) return k;
  }
  return 1;   /* internal: the schema's default */
}

int tlm_status_from_name(const char *name){
  for(int s = 0; name && s < TLM_STATUS_COUNT; s++){
    if( strcmp(name, tlm_status_names[s]) == 0 ) return s;
  }
  return TLM_STATUS_UNSET;
}

static void bind_text(sqlite3_stmt *s, tlm_span_column column, const char *text){
  if( text ) sqlite3_bind_text(s, column + 1, text, -1, SQLITE_STATIC);
  else sqlite3_bind_null(s, column + 1);
}

static void bind_int(sqlite3_stmt *s, tlm_span_column column, int present, int64_t value){
  if( present ) sqlite3_bind_int64(s, column + 1, value);
  else sqlite3_bind_null(s, column + 1);
}

void tlm_span_row_bind(sqlite3_stmt *s, const tlm_span_row *row){
  int kind = row->kind >= 0 && row->kind < TLM_KIND_COUNT ? row->kind : 1;
  int status = row->status >= 0 && row->status < TLM_STATUS_COUNT ? row->status : 0;
  sqlite3_bind_text(s, TLM_SPAN_TRACE_ID + 1, row->trace_id, 32, SQLITE_STATIC);
  sqlite3_bind_text(s, TLM_SPAN_SPAN_ID + 1, row->span_id, 16, SQLITE_STATIC);
  bind_text(s, TLM_SPAN_PARENT_ID, row->parent_id);
  bind_text(s, TLM_SPAN_NAME, row->name ? row->name : "");
  bind_text(s, TLM_SPAN_KIND, tlm_kind_names[kind]);
  sqlite3_bind_int64(s, TLM_SPAN_START_NS + 1, row->start_ns);
  bind_int(s, TLM_SPAN_END_NS, row->has_end, row->end_ns);
  bind_text(s, TLM_SPAN_STATUS, tlm_status_names[status]);
  bind_text(s, TLM_SPAN_STATUS_MESSAGE, row->status_message);
  sqlite3_bind_int64(s, TLM_SPAN_TOKENS_IN + 1, row->tokens_in);
  sqlite3_bind_int64(s, TLM_SPAN_TOKENS_OUT + 1, row->tokens_out);
  sqlite3_bind_double(s, TLM_SPAN_COST + 1, row->cost);
  bind_text(s, TLM_SPAN_MODEL, row->model);
  bind_text(s, TLM_SPAN_SERVICE, row->service);
  bind_int(s, TLM_SPAN_THREAD_ID, row->has_thread, row->thread_id);
  bind_text(s, TLM_SPAN_ATTRS, row->attrs);
  bind_int(s, TLM_SPAN_FLAGS, row->has_flags, row->flags);
  bind_text(s, TLM_SPAN_TRACE_STATE, row->trace_state);
  bind_int(s, TLM_SPAN_RESOURCE_ID, row->resource_id != 0, row->resource_id);
  bind_int(s, TLM_SPAN_SCOPE_ID, row->scope_id != 0, row->scope_id);
  sqlite3_bind_int64(s, TLM_SPAN_DROPPED_ATTRIBUTES + 1, row->dropped_attributes);
  sqlite3_bind_int64(s, TLM_SPAN_DROPPED_EVENTS + 1, row->dropped_events);
  sqlite3_bind_int64(s, TLM_SPAN_DROPPED_LINKS + 1, row->dropped_links);
}
