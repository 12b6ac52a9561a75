/*
** record.c — a span record's lifetime: name, attributes, JSON, free.
**
** span.c fills a record on the caller's thread, the queue owns it once
** the span ends, and the writer reads it; this file is the only one that
** knows how a record holds its strings and attributes, so allocation and
** release are in one place.
*/
#include "internal.h"
#include "../common/number.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int tlm_record_set_name(tlm_record *r, const char *name){
  size_t length = strlen(name);
  if( r->name_heap ){
    free(r->name_heap);
    r->name_heap = NULL;
  }
  if( length < TLM_INLINE_NAME ){
    memcpy(r->name_inline, name, length + 1);
    return TLM_OK;
  }
  r->name_inline[0] = 0;
  r->name_heap = strdup(name);
  return r->name_heap ? TLM_OK : TLM_ENOMEM;
}

/* Room for one more item in *items (count used of *capacity, each size
** bytes), doubling from first; 0, or -1 when out of memory. */
static int room_for_one(void **items, int count, int *capacity, size_t size, int first){
  void *grown;
  int wanted;
  if( count < *capacity ) return 0;
  wanted = *capacity ? *capacity * 2 : first;
  if( (grown = realloc(*items, (size_t)wanted * size)) == NULL ) return -1;
  *items = grown;
  *capacity = wanted;
  return 0;
}

tlm_attr *tlm_record_add_attr(tlm_record *r, const char *key, tlm_attr_type type){
  char *key_copy;
  if( room_for_one((void **)&r->attrs, r->attr_count, &r->attr_capacity, sizeof *r->attrs, 4) ) return NULL;
  key_copy = strdup(key);
  if( key_copy == NULL ) return NULL;
  r->attrs[r->attr_count].key = key_copy;
  r->attrs[r->attr_count].type = type;
  return &r->attrs[r->attr_count++];
}

int tlm_record_add_event(tlm_record *r, int64_t time_ns, const char *name, const char *attrs){
  tlm_event *e;
  if( room_for_one((void **)&r->events, r->event_count, &r->event_capacity, sizeof *r->events, 2) ){
    return TLM_ENOMEM;
  }
  e = &r->events[r->event_count];
  e->time_ns = time_ns;
  e->name = strdup(name);
  e->attrs = attrs ? strdup(attrs) : NULL;
  if( e->name == NULL || (attrs && e->attrs == NULL) ){
    free(e->name);
    free(e->attrs);
    return TLM_ENOMEM;
  }
  r->event_count++;
  return TLM_OK;
}

/* Built on the writer's thread, so the caller never formats. */
char *tlm_record_attrs_json(const tlm_record *r){
  cJSON *obj;
  char *text;
  if( r->attr_count == 0 ) return NULL;
  obj = cJSON_CreateObject();
  if( obj == NULL ) return NULL;
  for(int i = 0; i < r->attr_count; i++){
    const tlm_attr *a = &r->attrs[i];
    char number[TLM_DOUBLE_TEXT];   /* exact: cJSON would print 2^53 + 1 and 0.1 + 0.2 rounded */
    cJSON *value = NULL;
    switch( a->type ){
      case TLM_ATTR_STR:    value = cJSON_CreateString(a->value.s); break;
      case TLM_ATTR_INT:    tlm_format_int64(a->value.i, number); value = cJSON_CreateRaw(number); break;
      case TLM_ATTR_DOUBLE:
        value = tlm_format_json_double(a->value.d, number) ? cJSON_CreateRaw(number) : cJSON_CreateNull();
        break;
      case TLM_ATTR_BOOL:   value = cJSON_CreateBool((cJSON_bool)a->value.i); break;
    }
    /* A key set twice keeps its last value, as a setter should. */
    if( value && !cJSON_ReplaceItemInObjectCaseSensitive(obj, a->key, value) ){
      cJSON_AddItemToObject(obj, a->key, value);
    }
  }
  text = cJSON_PrintUnformatted(obj);
  cJSON_Delete(obj);
  return text;
}

void tlm_record_free(tlm_record *r){
  free(r->name_heap);
  free(r->model);
  free(r->status_message);
  free(r->trace_state);
  for(int i = 0; i < r->attr_count; i++){
    free(r->attrs[i].key);
    if( r->attrs[i].type == TLM_ATTR_STR ) free(r->attrs[i].value.s);
  }
  free(r->attrs);
  for(int i = 0; i < r->event_count; i++){
    free(r->events[i].name);
    free(r->events[i].attrs);
  }
  free(r->events);
  memset(r, 0, sizeof *r);
}
