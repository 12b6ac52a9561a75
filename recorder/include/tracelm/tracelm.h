/*
** tracelm.h — record the spans of a program into a TraceLM SQLite database.
**
**   tlm_init(NULL);                          // $TRACELM_DB or ./tracelm.db
**   tlm_span *s = tlm_span_begin("llm_call");
**   tlm_span_set_model(s, "gpt-4o-mini");
**   tlm_span_add_tokens(s, 812, 96);
**   tlm_span_end(s);
**   tlm_shutdown();                          // or let atexit() do it
**
** Ownership: every string passed in is copied before the call returns; the
** library never keeps a caller's pointer.  A tlm_span belongs to the caller
** from begin until end; after tlm_span_end() it must not be touched.
**
** Failure: calls that can fail return TLM_OK (0) or a negative TLM_E* code,
** and tlm_last_error() gives a one-line message for the calling thread.  The
** library never prints, never aborts, and never exits.  Span calls do not
** fail: with no recorder, or in an unsampled trace, they do nothing cheaply.
**
** Threads: every function is thread-safe.  A span is current on the thread
** that began it (tlm_span_current()) until it ends; spans are begun and ended
** on the same thread.  Work handed to another thread names its parent
** explicitly with tlm_span_begin_child().
*/
#ifndef TRACELM_H
#define TRACELM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libtracelm is built with hidden visibility: what this header declares
** is the whole of what libtracelm.so exports (tests/install checks). */
#if defined(TLM_BUILDING_LIBTRACELM) && defined(__GNUC__)
# pragma GCC visibility push(default)
#endif

#define TLM_VERSION "0.1.0"

/* Return codes. */
#define TLM_OK          0
#define TLM_EINVAL    (-1)   /* an argument is out of range or malformed   */
#define TLM_EDB       (-2)   /* the database cannot be opened or written   */
#define TLM_ESCHEMA   (-3)   /* the database was written by a newer TraceLM */
#define TLM_ENOMEM    (-4)
#define TLM_ESTATE    (-5)   /* e.g. tlm_init() twice without tlm_shutdown() */
#define TLM_ETHREAD   (-6)   /* the writer thread could not be started     */
#define TLM_ELOST     (-7)   /* spans were not stored or were dropped since
                                the last flush (tlm_flush, tlm_shutdown)    */

/* The message of the last failed call on this thread ("" when none).  The
** string is owned by the library and valid until the next call that fails. */
const char *tlm_last_error(void);

/* ---------------------------------------------------------------- options */

/* What tlm_span_end() does when the queue of finished spans is full. */
typedef enum tlm_on_full {
  TLM_FULL_WAIT = 0,   /* wait for the writer: nothing is lost (default)   */
  TLM_FULL_DROP = 1    /* drop the span and count it in traces.dropped_spans */
} tlm_on_full;

/* Called on the writer thread when spans could not be stored (a full
** disk, a locked or broken database): message is one line, such as
** "writer: database or disk is full".  The same message is repeated at
** most every 10 s.  Must not call back into the recorder. */
typedef void (*tlm_error_fn)(const char *message, void *user_data);

/* The OTLP/HTTP encoding of exported spans (tlm_options.otlp_protocol). */
typedef enum tlm_otlp_protocol {
  TLM_OTLP_DEFAULT = 0,    /* $OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or
                              $OTEL_EXPORTER_OTLP_PROTOCOL, else protobuf  */
  TLM_OTLP_PROTOBUF = 1,   /* "http/protobuf"                              */
  TLM_OTLP_JSON = 2        /* "http/json"                                  */
} tlm_otlp_protocol;

typedef struct tlm_options {
  const char *db_path;           /* NULL: $TRACELM_DB, else "./tracelm.db"  */
  const char *service;           /* NULL: $TRACELM_SERVICE, else program name */
  double sample_rate;            /* 0..1 of new traces kept; default 1, or
                                    $TRACELM_SAMPLE_RATE when set            */
  size_t queue_capacity;         /* finished spans each recording thread
                                    holds in memory; 65536; rounded up to a
                                    power of two                             */
  unsigned flush_interval_ms;    /* longest a span waits before a write; 100 */
  tlm_on_full on_full;           /* TLM_FULL_WAIT                            */
  int ignore_env_traceparent;    /* 1: do not join $TRACEPARENT's trace      */
  /* Added with SONAME libtracelm.so.1; tlm_options_init() sets them, so
  ** older sources compile unchanged (a rebuild is needed: the struct grew). */
  tlm_error_fn on_error;         /* NULL: silent, or one line on stderr when
                                    $TRACELM_LOG=stderr                      */
  void *on_error_data;           /* passed to on_error                       */
  unsigned retry_ms;             /* how long a batch that failed for a passing
                                    reason (busy, locked, disk full, I/O) is
                                    tried again before its spans count as
                                    failed; 30000, or $TRACELM_RETRY_MS when
                                    set.  A database still full or failing
                                    then is tried once a second only, its
                                    spans failing at once meanwhile: a caller
                                    blocked on a full queue (TLM_FULL_WAIT)
                                    waits this long once, not per batch      */
  int64_t max_db_bytes;          /* 0: no cap.  The database file stops growing
                                    here: spans past it fail as on a full disk
                                    until space is freed (DELETE, VACUUM)     */
  const char *run_label;         /* NULL: $TRACELM_RUN_LABEL, else none.  The
                                    run the traces belong to ("main", "pr-42"),
                                    stored in traces.label for compare_runs() */
  /* Added with SONAME libtracelm.so.2: export to an OpenTelemetry Collector
  ** or any OTLP/HTTP receiver (docs/otlp.md).  Unset fields read the
  ** standard OpenTelemetry variables, so a program that sets nothing is
  ** configured as any OpenTelemetry SDK would be. */
  const char *otlp_endpoint;     /* NULL: $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
                                    as is, else $OTEL_EXPORTER_OTLP_ENDPOINT
                                    + "/v1/traces", else no export.  "": none */
  tlm_otlp_protocol otlp_protocol;  /* TLM_OTLP_DEFAULT                       */
  const char *otlp_headers;      /* NULL: $OTEL_EXPORTER_OTLP_TRACES_HEADERS or
                                    $OTEL_EXPORTER_OTLP_HEADERS; "k=v,k2=v2",
                                    values percent-encoded                    */
  unsigned otlp_timeout_ms;      /* one request; 0: $OTEL_EXPORTER_OTLP_TRACES_
                                    TIMEOUT or ..._TIMEOUT, else 10000       */
  int otlp_only;                 /* 1 (or $TRACELM_EXPORT_ONLY=1): export
                                    instead of writing a database             */
} tlm_options;

/* Fill *opts with the defaults above.  Always start from this: a zeroed
** struct would mean a sample rate of 0. */
void tlm_options_init(tlm_options *opts);

/* ------------------------------------------- the process-wide recorder */

/* Open the database (creating it and its schema if needed) and start the
** writer thread.  NULL opts = defaults.  Registers an atexit() flush.
** Fails with TLM_EDB (unwritable path, read-only database), TLM_ESCHEMA
** (newer schema), TLM_EINVAL (bad option), TLM_ESTATE (already running). */
int tlm_init(const tlm_options *opts);

/* Return once every span ended before the call is on disk or has failed
** (and, with OTLP export, delivered or given up: at most retry_ms plus one
** request's timeout).
** TLM_OK, or TLM_ELOST when spans were not stored or were dropped since the
** last flush: tlm_last_error() then says why and how many ("writer:
** database or disk is full; 196,608 spans not stored since the last
** flush").  (With libtracelm.so.0 this returned void; callers that ignore
** the result compile and behave as before.) */
int tlm_flush(void);

/* Flush, stop the writer, close the database; returns what tlm_flush()
** would for the spans since the last flush.  Spans ended afterwards are
** counted as dropped.  tlm_init() may be called again. */
int tlm_shutdown(void);

/* --------------------------------------------- explicit recorder handles */

/* For embedding several databases in one process, or a library that must not
** touch the process-wide recorder.  Same rules as tlm_init/flush/shutdown.
** Returns NULL on failure (see tlm_last_error()). */
typedef struct tlm_recorder tlm_recorder;
tlm_recorder *tlm_recorder_open(const tlm_options *opts);
int tlm_recorder_flush(tlm_recorder *rec);
int tlm_recorder_close(tlm_recorder *rec);

/* The process-wide recorder, or NULL before tlm_init(). */
tlm_recorder *tlm_default_recorder(void);

typedef struct tlm_stats {
  uint64_t spans_enqueued;   /* finished sampled spans handed to the writer */
  uint64_t spans_written;    /* committed to the database                   */
  uint64_t spans_dropped;    /* dropped by TLM_FULL_DROP (a full queue)     */
  uint64_t spans_failed;     /* the database refused them (see last error)  */
  /* With OTLP export (libtracelm.so.2): */
  uint64_t spans_exported;   /* accepted by the OTLP endpoint                */
  uint64_t spans_export_failed; /* not delivered: refused, retries ran out,
                                   or past the retry buffer; also counted in
                                   traces.unexported_spans                  */
} tlm_stats;
void tlm_recorder_stats(tlm_recorder *rec, tlm_stats *out);

/* ------------------------------------------------------------------ spans */

typedef struct tlm_span tlm_span;

typedef enum tlm_span_kind {
  TLM_KIND_INTERNAL = 1, TLM_KIND_SERVER, TLM_KIND_CLIENT,
  TLM_KIND_PRODUCER, TLM_KIND_CONSUMER
} tlm_span_kind;

/* Begin a span whose parent is this thread's current span; with none, the
** remote parent from $TRACEPARENT if any, else a new trace (sampled then).
** The new span becomes current.  Returns NULL only without a recorder or
** memory; every span function accepts NULL and then does nothing. */
tlm_span *tlm_span_begin(const char *name);
tlm_span *tlm_recorder_span_begin(tlm_recorder *rec, const char *name);

/* Begin a span under an explicit parent, e.g. from a worker thread serving
** work that parent started.  Becomes current on the calling thread.  With
** parent NULL it is a root: of a new trace, or of $TRACEPARENT's if set. */
tlm_span *tlm_span_begin_child(tlm_span *parent, const char *name);

/* Begin the local entry span of a trace continued from a W3C traceparent
** header (an HTTP request, a message).  An invalid or NULL header starts a
** new trace instead; the header's sampled flag is honoured. */
tlm_span *tlm_span_begin_remote(tlm_recorder *rec, const char *traceparent,
                                const char *name);

/* End the span: its end time is taken now and it is queued for writing. */
void tlm_span_end(tlm_span *span);

/* The innermost unfinished span begun on this thread, or NULL. */
tlm_span *tlm_span_current(void);

/* Counters add; setters replace.  Strings are copied. */
/* Rename the span (the name is copied), e.g. a server span named by its
** route once the framework has routed the request. */
void tlm_span_set_name(tlm_span *span, const char *name);
void tlm_span_add_tokens(tlm_span *span, int64_t tokens_in, int64_t tokens_out);
void tlm_span_add_cost(tlm_span *span, double usd);
void tlm_span_set_model(tlm_span *span, const char *model);
void tlm_span_set_kind(tlm_span *span, tlm_span_kind kind);
void tlm_span_set_ok(tlm_span *span);
void tlm_span_set_error(tlm_span *span, const char *message);
void tlm_span_set_str(tlm_span *span, const char *key, const char *value);
void tlm_span_set_int(tlm_span *span, const char *key, int64_t value);
void tlm_span_set_double(tlm_span *span, const char *key, double value);
void tlm_span_set_bool(tlm_span *span, const char *key, int value);

/* An event at this moment on the span (OTLP's Span.Event, stored in
** span_events): a name and its attributes as a JSON object's text, or
** NULL.  TLM_OK; TLM_EINVAL for a NULL span or name, or attributes that
** are not a JSON object (nothing is added); TLM_ENOMEM.  A span that is
** not recorded (sampled out) takes it and does nothing. */
int tlm_span_add_event(tlm_span *span, const char *name, const char *attrs_json);
/* An evaluation of the span, as the GenAI conventions write one: the event
** gen_ai.evaluation.result with gen_ai.evaluation.name, .score.value and,
** where not NULL, .score.label and .explanation.  The span_scores view
** reads them.  Returns as tlm_span_add_event. */
int tlm_span_score(tlm_span *span, const char *name, double value, const char *label,
                   const char *explanation);

/* GenAI: LLM calls, tools and agents with the OpenTelemetry GenAI
** conventions' attribute names, which every TraceLM reader maps
** (docs/genai.md).  Each begin is tlm_span_begin() named as the
** conventions name the span ("chat gpt-4o-mini", "execute_tool search",
** "invoke_agent helper"), ended with tlm_span_end().
**   tlm_span *call = tlm_llm_begin("chat", "gpt-4o-mini", "openai");
**   ... on the first streamed chunk: tlm_llm_first_token(call);
**   tlm_llm_usage(call, 1200, 80, 1024, 0, 0);
**   tlm_span_end(call);
** operation: chat, text_completion, generate_content, embeddings (NULL:
** chat).  Usage counts as the conventions do: input includes cache_read
** and cache_creation, output includes reasoning; TLM_EINVAL (nothing
** recorded) where a part exceeds its total or a count is negative.
** first_token records the time since the span began, once.  JSON
** arguments must be arrays (finish reasons ["stop"]; messages in the
** conventions' role-and-parts form), else TLM_EINVAL and nothing is set.
** The conversation id groups traces into a chat (the conversations view).
** tlm_span_set_llm, _tool and _agent say the same of a span begun another
** way (a binding that keeps its own parents, as the Python package). */
tlm_span *tlm_llm_begin(const char *operation, const char *model, const char *provider);
void tlm_span_set_llm(tlm_span *span, const char *operation, const char *model, const char *provider);
void tlm_span_set_tool(tlm_span *span, const char *name, const char *call_id, const char *type);
void tlm_span_set_agent(tlm_span *span, const char *name, const char *id);
int tlm_llm_usage(tlm_span *span, int64_t input, int64_t output, int64_t cache_read,
                  int64_t cache_creation, int64_t reasoning);
int tlm_llm_first_token(tlm_span *span);
int tlm_llm_response(tlm_span *span, const char *model, const char *id, const char *finish_reasons_json);
int tlm_llm_messages(tlm_span *span, const char *system_instructions, const char *input_json,
                     const char *output_json);
tlm_span *tlm_tool_begin(const char *name, const char *call_id, const char *type);
tlm_span *tlm_agent_begin(const char *name, const char *id);
void tlm_span_set_conversation(tlm_span *span, const char *id);

/* The same on this thread's current span, like the seed's record_tokens(). */
void tlm_record_tokens(int64_t tokens_in, int64_t tokens_out);
void tlm_record_cost(double usd);
void tlm_record_model(const char *model);
void tlm_record_error(const char *message);

/* 1 when the span's trace is recorded, 0 when sampled out (or span NULL). */
int tlm_span_is_sampled(const tlm_span *span);

/* The span's ids as lowercase hex (33 and 17 bytes with the NUL). */
void tlm_span_trace_id(const tlm_span *span, char out[33]);
void tlm_span_id(const tlm_span *span, char out[17]);

/* Ends the span when the enclosing block is left by any path (GCC/Clang):
**   { TLM_SPAN_SCOPE(s, "retrieve");  ... return early if you like ... } */
#if defined(__GNUC__) || defined(__clang__)
void tlm_span_end_scope(tlm_span **span);
#define TLM_SPAN_SCOPE(var, name) \
  tlm_span *var __attribute__((cleanup(tlm_span_end_scope))) = tlm_span_begin(name)
#endif

/* ------------------------------------------- W3C Trace Context propagation */

/* A parsed traceparent: version-format 00 fields. */
typedef struct tlm_context {
  uint8_t trace_id[16];
  uint8_t span_id[8];
  uint8_t flags;                 /* bit 0: sampled */
} tlm_context;

#define TLM_TRACEPARENT_LEN 55   /* "00-" 32 "-" 16 "-" 2 */

/* Parse a traceparent header by the W3C rules: lowercase hex only, version
** ff and all-zero ids invalid, a higher version accepted when its first four
** fields are well formed and any extra data starts with '-'.  Leading and
** trailing spaces and tabs (HTTP optional white space) are ignored.
** Returns TLM_OK or TLM_EINVAL. */
int tlm_traceparent_parse(const char *header, tlm_context *out);

/* Write the version 00 header for ctx into out (56 bytes with the NUL). */
void tlm_traceparent_format(const tlm_context *ctx, char out[TLM_TRACEPARENT_LEN + 1]);

/* The header that continues this span's trace in another process, with the
** span as the remote parent.  Returns TLM_EINVAL for a NULL span. */
int tlm_span_traceparent(const tlm_span *span, char out[TLM_TRACEPARENT_LEN + 1]);

/* 1 when a tracestate header is valid by the W3C rules (at most 32
** members, unique keys, the key and value grammar), else 0. */
int tlm_tracestate_valid(const char *tracestate);

/* --------------------------------------- propagation over any transport */

/* How the recorder reads and writes headers of whatever HTTP library (or
** message queue) carries them.  get returns a header's value or NULL
** (names are given lowercase; compare case-insensitively); set adds one. */
typedef const char *(*tlm_header_get)(void *carrier, const char *name);
typedef void (*tlm_header_set)(void *carrier, const char *name, const char *value);

/* Write traceparent for span (NULL: this thread's current span), and the
** tracestate it carries if any.  Unsampled spans propagate too (flag 00).
** Returns TLM_EINVAL when there is no span. */
int tlm_inject(const tlm_span *span, tlm_header_set set, void *carrier);

/* Begin the entry span of a request: kind SERVER, continuing the caller's
** traceparent (and keeping a valid tracestate) or, when it is absent or
** invalid, starting a new trace.  The caller's sampled flag is honoured. */
tlm_span *tlm_span_begin_extract(tlm_recorder *rec, const char *name,
                                 tlm_header_get get, void *carrier);

/* The tracestate this span carries, or NULL.  Owned by the span. */
const char *tlm_span_tracestate(const tlm_span *span);

#if defined(TLM_BUILDING_LIBTRACELM) && defined(__GNUC__)
# pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* TRACELM_H */
