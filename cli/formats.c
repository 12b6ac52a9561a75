/*
** formats.c — the formats `tracelm export` and `tracelm import` take.
**
** One table: option checking, messages, help text and default file names
** all read it, so a new export format is one line here and one WHEN in
** sql/export.sql.
*/
#include "cli.h"
#include <stdio.h>
#include <string.h>

static const cli_format formats[] = {
  /* name      default suffix  export import */
  { "chrome",  ".json",        1,     0 },
  { "otel",    "_otel.json",   1,     1 },
  { "csv",     ".csv",         1,     1 },
  { "html",    ".html",        1,     0 },
};
#define FORMAT_COUNT (int)(sizeof formats / sizeof formats[0])

static int usable(const cli_format *f, int for_import){
  return for_import ? f->can_import : f->can_export;
}

const cli_format *cli_find_format(const char *name, int for_import){
  for(int i = 0; i < FORMAT_COUNT; i++){
    if( usable(&formats[i], for_import) && !strcmp(formats[i].name, name) ) return &formats[i];
  }
  return NULL;
}

void cli_format_names(char *out, size_t size, int for_import, const char *sep,
                      const char *last_sep){
  int total = 0, written = 0;
  size_t used = 0;
  for(int i = 0; i < FORMAT_COUNT; i++) total += usable(&formats[i], for_import);
  out[0] = 0;
  for(int i = 0; i < FORMAT_COUNT && used < size; i++){
    if( !usable(&formats[i], for_import) ) continue;
    const char *before = written == 0 ? "" : written == total - 1 ? last_sep : sep;
    used += (size_t)snprintf(out + used, size - used, "%s%s", before, formats[i].name);
    written++;
  }
}
