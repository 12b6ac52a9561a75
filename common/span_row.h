/*
** span_row.h — the one definition of a row of the spans table.
**
** sql/schema.sql creates the table; this file is how C code spells a row
** of it.  The recorder's writer, import_otel, import_csv and export_csv
** all insert or read through the column list below, so adding a column
** is: schema.sql (and a migration), one line in TLM_SPAN_COLUMNS, a field
** of tlm_span_row, and the code that really uses the new field.
**
** The kind and status names are here too, once: the schema's CHECK
** constraints spell the same words, and a row with any other is refused.
*/
#ifndef TLM_SPAN_ROW_H
#define TLM_SPAN_ROW_H

#ifdef TLM_SQLITE_EXTENSION
# include <sqlite3ext.h>
#else
# include <sqlite3.h>
#endif
#include <stdint.h>

/* X(NAME, column, type, default_sql, required) in table order.
** default_sql is what import_csv puts for an empty field (NULL: NULL);
** required columns must be present in any insert. */
#define TLM_SPAN_COLUMNS(X) \
  X(TRACE_ID,       trace_id,       TLM_COL_TEXT,    NULL,         1) \
  X(SPAN_ID,        span_id,        TLM_COL_TEXT,    NULL,         1) \
  X(PARENT_ID,      parent_id,      TLM_COL_TEXT,    NULL,         0) \
  X(NAME,           name,           TLM_COL_TEXT,    NULL,         1) \
  X(KIND,           kind,           TLM_COL_TEXT,    "'internal'", 0) \
  X(START_NS,       start_ns,       TLM_COL_INTEGER, NULL,         1) \
  X(END_NS,         end_ns,         TLM_COL_INTEGER, NULL,         0) \
  X(STATUS,         status,         TLM_COL_TEXT,    "'unset'",    0) \
  X(STATUS_MESSAGE, status_message, TLM_COL_TEXT,    NULL,         0) \
  X(TOKENS_IN,      tokens_in,      TLM_COL_INTEGER, "0",          0) \
  X(TOKENS_OUT,     tokens_out,     TLM_COL_INTEGER, "0",          0) \
  X(COST,           cost,           TLM_COL_REAL,    "0",          0) \
  X(MODEL,          model,          TLM_COL_TEXT,    NULL,         0) \
  X(SERVICE,        service,        TLM_COL_TEXT,    NULL,         0) \
  X(THREAD_ID,      thread_id,      TLM_COL_INTEGER, NULL,         0) \
  X(ATTRS,          attrs,          TLM_COL_TEXT,    NULL,         0) \
  X(FLAGS,          flags,          TLM_COL_INTEGER, NULL,         0) \
  X(TRACE_STATE,    trace_state,    TLM_COL_TEXT,    NULL,         0) \
  X(RESOURCE_ID,    resource_id,    TLM_COL_INTEGER, NULL,         0) \
  X(SCOPE_ID,       scope_id,       TLM_COL_INTEGER, NULL,         0) \
  X(DROPPED_ATTRIBUTES, dropped_attributes_count, TLM_COL_INTEGER, "0", 0) \
  X(DROPPED_EVENTS, dropped_events_count, TLM_COL_INTEGER, "0",    0) \
  X(DROPPED_LINKS,  dropped_links_count,  TLM_COL_INTEGER, "0",    0)

typedef enum tlm_column_type { TLM_COL_TEXT, TLM_COL_INTEGER, TLM_COL_REAL } tlm_column_type;

/* TLM_SPAN_TRACE_ID = 0, ... in table order, then the count. */
typedef enum tlm_span_column {
#define TLM_X_ENUM(NAME, column, type, default_sql, required) TLM_SPAN_##NAME,
  TLM_SPAN_COLUMNS(TLM_X_ENUM)
#undef TLM_X_ENUM
  TLM_SPAN_COLUMN_COUNT
} tlm_span_column;

typedef struct tlm_column_def {
  const char *name;
  tlm_column_type type;
  const char *default_sql;
  int required;
} tlm_column_def;
extern const tlm_column_def tlm_span_columns[TLM_SPAN_COLUMN_COUNT];

/* "trace_id, span_id, ..., trace_state": every column, table order. */
extern const char *const tlm_span_column_list;
/* INSERT INTO spans(every column) VALUES(?, ...): tlm_span_row_bind() fills it. */
extern const char *const tlm_span_insert_sql;

/* OpenTelemetry's SpanKind and Status.code numbers, which are also the
** index of their names below.  TLM_KIND_INTERNAL..CONSUMER are public
** (tracelm.h); 0 is OTLP's SPAN_KIND_UNSPECIFIED. */
#define TLM_KIND_UNSPECIFIED 0
#define TLM_KIND_COUNT 6
typedef enum tlm_span_status {
  TLM_STATUS_UNSET = 0, TLM_STATUS_OK = 1, TLM_STATUS_ERROR = 2
} tlm_span_status;
#define TLM_STATUS_COUNT 3
extern const char *const tlm_kind_names[TLM_KIND_COUNT];     /* "unspecified", ... */
extern const char *const tlm_status_names[TLM_STATUS_COUNT]; /* "unset", "ok", "error" */
/* The number of a name; an unknown or NULL name is INTERNAL / UNSET, as
** the schema's defaults. */
int tlm_kind_from_name(const char *name);
int tlm_status_from_name(const char *name);

/* OTLP's Span.flags bits beyond the W3C trace flags (the low byte). */
#define TLM_FLAG_SAMPLED          0x001
#define TLM_FLAG_HAS_IS_REMOTE    0x100   /* bit 0x200 below is meaningful */
#define TLM_FLAG_PARENT_IS_REMOTE 0x200

/* One span as the spans table stores it.  Strings are borrowed for the
** duration of the bind and step; NULL pointers are SQL NULL. */
typedef struct tlm_span_row {
  const char *trace_id;          /* 32 lowercase hex digits */
  const char *span_id;           /* 16 lowercase hex digits */
  const char *parent_id;         /* 16 digits, or NULL for a root */
  const char *name;
  int kind;                      /* TLM_KIND_*, 0..5 */
  int status;                    /* TLM_STATUS_* */
  int64_t start_ns;
  int64_t end_ns;
  int has_end;                   /* 0: end_ns NULL (unfinished) */
  const char *status_message;
  int64_t tokens_in, tokens_out;
  double cost;
  const char *model;
  const char *service;
  int64_t thread_id;
  int has_thread;                /* 0: thread_id NULL */
  const char *attrs;             /* a JSON object's text, or NULL */
  int64_t flags;
  int has_flags;                 /* 0: flags NULL */
  const char *trace_state;       /* W3C tracestate, or NULL */
  int64_t resource_id, scope_id; /* 0: NULL (the recorder has neither) */
  int64_t dropped_attributes, dropped_events, dropped_links;
} tlm_span_row;

/* Bind every column of row to a statement prepared from
** tlm_span_insert_sql (strings SQLITE_STATIC). */
void tlm_span_row_bind(sqlite3_stmt *insert, const tlm_span_row *row);

#endif
