/*
** fuzz_otlp_proto.c — OTLP protobuf as `tracelm serve` receives it: any
** bytes into the protobuf decoder (common/otlp_proto.c).  What decodes
** must come out as JSON that parses, and import_otel must take it all or
** nothing; what does not decode is NULL, never a crash or a read past the
** body (truncations, wrong wire types, huge lengths).
*/
#include "otlp_proto.h"
#include "tracelm_sqlite.h"
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  static int registered;
  char *json = tlm_otlp_proto_to_json(data, size);
  sqlite3 *db;
  sqlite3_stmt *stmt;
  if( json == NULL ) return 0;
  cJSON *parsed = cJSON_Parse(json);
  if( parsed == NULL ) abort();              /* the decoder wrote broken JSON */
  cJSON_Delete(parsed);
  if( !registered ){
    sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
    registered = 1;
  }
  if( sqlite3_open(":memory:", &db) != SQLITE_OK ) abort();
  sqlite3_exec(db, "SELECT tracelm_init()", 0, 0, 0);
  sqlite3_prepare_v2(db, "SELECT import_otel(?1)", -1, &stmt, 0);
  sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if( rc != SQLITE_ROW ){
    sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM spans) + (SELECT count(*) FROM resources)",
                       -1, &stmt, 0);
    if( sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_int(stmt, 0) != 0 ) abort();
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  free(json);
  return 0;
}
