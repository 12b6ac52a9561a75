/*
** otlp_attrs.h — an attrs JSON object as OTLP/JSON KeyValues (otlp_attrs.c).
*/
#ifndef TLM_OTLP_ATTRS_H
#define TLM_OTLP_ATTRS_H

#include "text.h"

/* Append attrs' members to out as {"key":..,"value":{..}} items, preceded
** by ',' unless first.  Returns 1 when something was written, 0 for an
** empty object, -1 when attrs is not a JSON object (nothing written). */
int tlm_otlp_attrs(tlm_text *out, const char *attrs, int first);

#endif
