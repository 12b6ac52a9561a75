/*
** otlp_proto.h — OTLP protobuf request bodies for `tracelm serve`.
*/
#ifndef TLM_OTLP_PROTO_H
#define TLM_OTLP_PROTO_H
#include <stddef.h>
#include <stdint.h>

/* An ExportTraceServiceRequest in protobuf as the same request in OTLP/JSON
** (malloc'd, NUL-terminated), so it takes the one mapping every OTLP input
** takes (import_otel).  NULL when the bytes are not such a message. */
char *tlm_otlp_proto_to_json(const uint8_t *body, size_t size);

/* An ExportTraceServiceResponse: empty (size 0) when rejected is 0, else
** with partial_success; malloc'd (or NULL with *size 0), *size set. */
uint8_t *tlm_otlp_proto_response(int64_t rejected, const char *message, size_t *size);

/* A google.rpc.Status body (code, message) in protobuf; malloc'd, *size set. */
uint8_t *tlm_otlp_proto_status(int code, const char *message, size_t *size);

#endif
