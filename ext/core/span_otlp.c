/*
** span_otlp.c — the OTLP parts of a trace that live outside the spans'
** graph (see span_otlp.h), read back for export_otel so that an OTLP
** document imported and exported again comes back field for field.
**
** The spans' own columns the graph leaves out (attrs, flags, trace_state,
** resource and scope ids, dropped counts) come with the graph's load when
** export_otel's call loads the graph, else in one scan of the trace:
** export_otel is their only reader, so no other load reads them.
**
** Events and links are read per trace, in (span_id, seq) order, and each
** span's are rendered once into a fragment its span appends; a span is
** found by its id through a sorted array (built only when the trace has
** events or links).  Attributes go through otlp_attrs.c, exactly.
*/
#include "span_otlp.h"
#include "arrays.h"
#include "hexid.h"
#include "otlp_attrs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
SQLITE_EXTENSION_INIT3

typedef struct id_index { uint64_t span_id; int32_t node; } id_index;

static int by_span_id(const void *a, const void *b){
  uint64_t x = ((const id_index *)a)->span_id, y = ((const id_index *)b)->span_id;
  return (x > y) - (x < y);
}

static int32_t find_node(const id_index *ids, int32_t n, const char *span_hex){
  uint8_t bytes[8];
  uint64_t id = 0;
  int32_t lo = 0, hi = n - 1;
  if( span_hex == NULL || strlen(span_hex) != 16 || tlm_hex_decode(span_hex, 8, bytes, 1) ) return -1;
  id = tlm_span_id_from_bytes(bytes);
  while( lo <= hi ){
    int32_t mid = lo + (hi - lo) / 2;
    if( ids[mid].span_id == id ) return ids[mid].node;
    if( ids[mid].span_id < id ) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

static void append_attributes(tlm_text *out, const char *attrs){
  tlm_text_str(out, "\"attributes\":[");
  if( attrs ) tlm_otlp_attrs(out, attrs, 1);
  tlm_text_char(out, ']');
}

static void append_count(tlm_text *out, const char *field, int64_t count){
  if( count == 0 ) return;
  tlm_text_str(out, ",\"");
  tlm_text_str(out, field);
  tlm_text_str(out, "\":");
  tlm_text_int(out, count);
}

/* Append the fragment built so far to o->extras[node], and empty it. */
static int keep_fragment(tlm_span_otlp *o, int32_t node, tlm_text *t){
  if( node >= 0 && t->n > 0 ){
    char *joined = sqlite3_mprintf("%s%.*s", o->extras[node] ? o->extras[node] : "",
                                   (int)t->n, t->z);
    if( joined == NULL ) return SQLITE_NOMEM;
    sqlite3_free(o->extras[node]);
    o->extras[node] = joined;
  }
  t->n = 0;
  return SQLITE_OK;
}

/* Events (links 0) or links (links 1) of the trace, as each span's fragment. */
static int load_list(tlm_ext *ext, const tlm_graph *g, tlm_span_otlp *o, const id_index *ids,
                     int links){
  static const char *const sql[2] = {
    "SELECT span_id, time_ns, name, attrs, dropped_attributes_count FROM span_events"
    " WHERE trace_id = ?1 ORDER BY span_id, seq",
    "SELECT span_id, linked_trace_id, linked_span_id, trace_state, attrs, flags,"
    " dropped_attributes_count FROM span_links WHERE trace_id = ?1 ORDER BY span_id, seq" };
  tlm_json_out j = {0};
  sqlite3_stmt *stmt;
  char current[17] = "";
  int32_t node = -1;
  int rc = sqlite3_prepare_v2(ext->db, sql[links], -1, &stmt, 0);
  if( rc != SQLITE_OK ) return rc;
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  while( (rc = sqlite3_step(stmt)) == SQLITE_ROW ){
    const char *span_id = (const char *)sqlite3_column_text(stmt, 0);
    tlm_text *out = &j.text;
    if( span_id == NULL ) continue;
    if( strcmp(span_id, current) ){
      if( node >= 0 ) tlm_text_char(out, ']');
      if( (rc = keep_fragment(o, node, out)) != SQLITE_OK ) break;
      snprintf(current, sizeof current, "%s", span_id);
      node = find_node(ids, g->n, span_id);
      tlm_text_str(out, links ? ",\"links\":[" : ",\"events\":[");
    }else{
      tlm_text_char(out, ',');
    }
    if( links ){
      tlm_text_str(out, "{\"traceId\":");
      tlm_json_string(&j, (const char *)sqlite3_column_text(stmt, 1));
      tlm_text_str(out, ",\"spanId\":");
      tlm_json_string(&j, (const char *)sqlite3_column_text(stmt, 2));
      if( sqlite3_column_type(stmt, 3) != SQLITE_NULL ){
        tlm_text_str(out, ",\"traceState\":");
        tlm_json_string(&j, (const char *)sqlite3_column_text(stmt, 3));
      }
      tlm_text_char(out, ',');
      append_attributes(out, (const char *)sqlite3_column_text(stmt, 4));
      if( sqlite3_column_type(stmt, 5) != SQLITE_NULL ){
        tlm_text_str(out, ",\"flags\":");
        tlm_text_int(out, sqlite3_column_int64(stmt, 5));
      }
      append_count(out, "droppedAttributesCount", sqlite3_column_int64(stmt, 6));
    }else{
      tlm_text_str(out, "{\"timeUnixNano\":\"");
      tlm_text_int(out, sqlite3_column_int64(stmt, 1));
      tlm_text_str(out, "\",\"name\":");
      tlm_json_string(&j, (const char *)sqlite3_column_text(stmt, 2));
      tlm_text_char(out, ',');
      append_attributes(out, (const char *)sqlite3_column_text(stmt, 3));
      append_count(out, "droppedAttributesCount", sqlite3_column_int64(stmt, 4));
    }
    tlm_text_char(out, '}');
  }
  if( rc == SQLITE_DONE ){
    rc = SQLITE_OK;
    if( node >= 0 ) tlm_text_char(&j.text, ']');
    rc = keep_fragment(o, node, &j.text);
  }
  if( rc == SQLITE_OK && j.text.rc ) rc = j.text.rc;
  sqlite3_finalize(stmt);
  tlm_text_free(&j.text);
  return rc;
}

/* attrs, flags and trace_state as text, and resource_id, scope_id and
** the dropped counts: one pass over the trace's rows, riding on the
** graph's load when export_otel's call loads the graph, else a scan of
** its own.  A span with none of them (every span the recorder wrote but
** for attrs) leaves nothing; the others are kept by rowid until the graph
** is complete, then placed on their nodes. */
struct tlm_otlp_row {
  int64_t rowid;
  char *texts[3];           /* attrs, flags, trace_state: NULL or owned */
  int64_t resource_id, scope_id, dropped[3];
};

enum { COLUMN_ATTRS, COLUMN_FLAGS, COLUMN_STATE, COLUMN_RESOURCE, COLUMN_SCOPE,
       COLUMN_DROPPED_ATTRIBUTES, COLUMN_DROPPED_EVENTS, COLUMN_DROPPED_LINKS };
#define OTLP_COLUMNS ", attrs, flags, trace_state, resource_id, scope_id," \
  " dropped_attributes_count, dropped_events_count, dropped_links_count"

/* Whether a span came from OTLP with anything to give back: a resource,
** a scope or a dropped count. */
static int has_origin(const struct tlm_otlp_row *row){
  return row->resource_id || row->scope_id || row->dropped[0] || row->dropped[1] || row->dropped[2];
}

static void free_rows(tlm_span_otlp *o){
  for(int32_t r = 0; r < o->row_count; r++){
    for(int c = 0; c < 3; c++) sqlite3_free(o->rows[r].texts[c]);
  }
  sqlite3_free(o->rows);
  o->rows = NULL;
  o->row_count = o->row_capacity = 0;
}

/* One span's row (tlm_row_fn). */
static int collect_row(void *arg, int64_t rowid, sqlite3_value **values){
  tlm_span_otlp *o = arg;
  struct tlm_otlp_row row = { rowid, { NULL, NULL, NULL },
    sqlite3_value_int64(values[COLUMN_RESOURCE]), sqlite3_value_int64(values[COLUMN_SCOPE]),
    { sqlite3_value_int64(values[COLUMN_DROPPED_ATTRIBUTES]),
      sqlite3_value_int64(values[COLUMN_DROPPED_EVENTS]),
      sqlite3_value_int64(values[COLUMN_DROPPED_LINKS]) } };
  int any = has_origin(&row);
  for(int c = 0; c < 3; c++) any |= sqlite3_value_type(values[COLUMN_ATTRS + c]) != SQLITE_NULL;
  if( !any ) return SQLITE_OK;
  if( tlm_grow(&o->rows, o->row_count, &o->row_capacity, sizeof *o->rows) ) return SQLITE_NOMEM;
  for(int c = 0; c < 3; c++){
    if( sqlite3_value_type(values[COLUMN_ATTRS + c]) == SQLITE_NULL ) continue;
    if( (row.texts[c] = sqlite3_mprintf("%s", sqlite3_value_text(values[COLUMN_ATTRS + c]))) == NULL ){
      for(int k = 0; k < c; k++) sqlite3_free(row.texts[k]);
      return SQLITE_NOMEM;
    }
  }
  o->rows[o->row_count++] = row;
  return SQLITE_OK;
}

/* The array *texts for n nodes, made at its first use. */
static int texts_for(char ***texts, int32_t n){
  if( *texts == NULL ) *texts = tlm_array_zero(n, sizeof **texts);
  return *texts ? SQLITE_OK : SQLITE_NOMEM;
}

/* The collected rows onto their nodes (their texts move, not copied). */
static int place_rows(const tlm_graph *g, tlm_span_otlp *o){
  char ***texts[3] = { &o->attrs, &o->flags, &o->states };
  tlm_text counts = {0};
  int32_t node = -1;
  int rc = SQLITE_OK;
  for(int32_t r = 0; r < o->row_count && rc == SQLITE_OK; r++){
    struct tlm_otlp_row *row = &o->rows[r];
    if( (node = tlm_graph_node_of_rowid(g, row->rowid, node + 1)) < 0 ) continue;
    for(int c = 0; c < 3 && rc == SQLITE_OK; c++){
      if( row->texts[c] == NULL || (rc = texts_for(texts[c], g->n)) != SQLITE_OK ) continue;
      (*texts[c])[node] = row->texts[c];
      row->texts[c] = NULL;
    }
    if( rc != SQLITE_OK || !has_origin(row) ) continue;
    if( o->with_origin++ == 0 ){
      o->resource_id = tlm_array_zero(g->n, sizeof *o->resource_id);
      o->scope_id = tlm_array_zero(g->n, sizeof *o->scope_id);
      if( !o->resource_id || !o->scope_id || texts_for(&o->extras, g->n) ){ rc = SQLITE_NOMEM; break; }
    }
    o->resource_id[node] = row->resource_id;
    o->scope_id[node] = row->scope_id;
    append_count(&counts, "droppedAttributesCount", row->dropped[0]);
    append_count(&counts, "droppedEventsCount", row->dropped[1]);
    append_count(&counts, "droppedLinksCount", row->dropped[2]);
    rc = counts.rc ? counts.rc : keep_fragment(o, node, &counts);
  }
  tlm_text_free(&counts);
  free_rows(o);
  return rc;
}

void tlm_span_otlp_ride(tlm_span_otlp *o){
  memset(o, 0, sizeof *o);
  o->rider.columns = OTLP_COLUMNS;
  o->rider.each = collect_row;
  o->rider.arg = o;
}

static int has_rows(tlm_ext *ext, const tlm_graph *g, const char *sql){
  sqlite3_stmt *stmt;
  int found = 0;
  if( sqlite3_prepare_v2(ext->db, sql, -1, &stmt, 0) != SQLITE_OK ) return 1;  /* let load say */
  sqlite3_bind_text(stmt, 1, g->trace_id, -1, SQLITE_STATIC);
  found = sqlite3_step(stmt) == SQLITE_ROW;
  sqlite3_finalize(stmt);
  return found;
}

int tlm_span_otlp_load(tlm_ext *ext, const tlm_graph *g, tlm_span_otlp *o, char **errmsg){
  id_index *ids = NULL;
  int rc = SQLITE_OK;
  int has_lists;
  /* Spans the recorder wrote have none of this: nothing is allocated then
  ** (24 bytes a span at 1M spans is worth keeping). */
  has_lists = has_rows(ext, g, "SELECT 1 FROM span_events WHERE trace_id = ?1 LIMIT 1")
           || has_rows(ext, g, "SELECT 1 FROM span_links WHERE trace_id = ?1 LIMIT 1");
  if( has_lists && (o->extras = tlm_array_zero(g->n, sizeof *o->extras)) == NULL ){
    rc = SQLITE_NOMEM;
  }
  if( rc == SQLITE_OK && !o->rider.delivered ){
    rc = tlm_scan_rows(ext, g->trace_id, g->n, OTLP_COLUMNS, collect_row, o, errmsg);
  }
  if( rc == SQLITE_OK ) rc = place_rows(g, o);
  if( rc == SQLITE_OK && has_lists ){
    ids = tlm_array(g->n, sizeof *ids);
    if( ids == NULL ) rc = SQLITE_NOMEM;
    for(int32_t i = 0; ids && i < g->n; i++){
      ids[i].span_id = g->nodes[i].span_id;
      ids[i].node = i;
    }
    if( ids ) qsort(ids, (size_t)g->n, sizeof *ids, by_span_id);
    if( rc == SQLITE_OK ) rc = load_list(ext, g, o, ids, 0);
    if( rc == SQLITE_OK ) rc = load_list(ext, g, o, ids, 1);
  }
  if( rc == SQLITE_OK ) rc = sqlite3_prepare_v2(ext->db, "SELECT attrs, dropped_attributes_count,"
      " schema_url FROM resources WHERE resource_id = ?1", -1, &o->resource, 0);
  if( rc == SQLITE_OK ) rc = sqlite3_prepare_v2(ext->db, "SELECT name, version, attrs,"
      " dropped_attributes_count, schema_url FROM scopes WHERE scope_id = ?1", -1, &o->scope, 0);
  sqlite3_free(ids);
  if( rc != SQLITE_OK ){
    if( *errmsg == NULL ){
      *errmsg = sqlite3_mprintf("%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(ext->db));
    }
    tlm_span_otlp_free(o, g->n);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

void tlm_span_otlp_free(tlm_span_otlp *o, int32_t n){
  free_rows(o);
  tlm_free_strings(o->attrs, o->attrs ? n : 0);
  tlm_free_strings(o->flags, o->flags ? n : 0);
  tlm_free_strings(o->states, o->states ? n : 0);
  sqlite3_free(o->resource_id);
  sqlite3_free(o->scope_id);
  if( o->extras ) tlm_free_strings(o->extras, n);
  sqlite3_finalize(o->resource);
  sqlite3_finalize(o->scope);
  memset(o, 0, sizeof *o);
}

static void append_schema_url(tlm_json_out *j, const char *url){
  if( url == NULL || url[0] == 0 ) return;
  tlm_text_str(&j->text, ",\"schemaUrl\":");
  tlm_json_string(j, url);
}

int tlm_span_otlp_resource(tlm_span_otlp *o, tlm_json_out *j, int64_t resource_id){
  int rc;
  sqlite3_bind_int64(o->resource, 1, resource_id);
  rc = sqlite3_step(o->resource);
  tlm_text_str(&j->text, "\"resource\":{");
  if( rc == SQLITE_ROW ){
    append_attributes(&j->text, (const char *)sqlite3_column_text(o->resource, 0));
    append_count(&j->text, "droppedAttributesCount", sqlite3_column_int64(o->resource, 1));
    tlm_text_char(&j->text, '}');
    append_schema_url(j, (const char *)sqlite3_column_text(o->resource, 2));
  }else{
    tlm_text_str(&j->text, "\"attributes\":[]}");   /* a dangling id: an empty resource */
  }
  sqlite3_reset(o->resource);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int tlm_span_otlp_scope(tlm_span_otlp *o, tlm_json_out *j, int64_t scope_id){
  int rc;
  sqlite3_bind_int64(o->scope, 1, scope_id);
  rc = sqlite3_step(o->scope);
  tlm_text_str(&j->text, "\"scope\":{");
  if( rc == SQLITE_ROW ){
    tlm_text_str(&j->text, "\"name\":");
    tlm_json_string(j, (const char *)sqlite3_column_text(o->scope, 0));
    tlm_text_str(&j->text, ",\"version\":");
    tlm_json_string(j, (const char *)sqlite3_column_text(o->scope, 1));
    tlm_text_char(&j->text, ',');
    append_attributes(&j->text, (const char *)sqlite3_column_text(o->scope, 2));
    append_count(&j->text, "droppedAttributesCount", sqlite3_column_int64(o->scope, 3));
    tlm_text_char(&j->text, '}');
    append_schema_url(j, (const char *)sqlite3_column_text(o->scope, 4));
  }else{
    tlm_text_char(&j->text, '}');
  }
  sqlite3_reset(o->scope);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}
