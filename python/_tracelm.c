/*
** _tracelm.c — the CPython extension module under the tracelm package: a
** thin, fast layer over libtracelm (recorder/include/tracelm/tracelm.h).
**
**   >>> import tracelm._tracelm as t
**   >>> t.init(db="t.db"); s = t.begin_current("step"); s.set_tokens(10, 2); s.end()
**
** Everything a span costs in Python is here in C: begin and end are one
** call each into libtracelm with no Python object but the Span.  The parent
** is the package's ContextVar (so asyncio tasks and threads get the right
** one), never the recorder's per-thread stack.
**
** `with tracelm.span(name)` is the Scope type here, __enter__ and
** __exit__ in C: a block of Python around a one-span trace costs about
** what an empty context manager written in Python does.  Scope reads and
** sets the package's ContextVars (the current span, the conversation),
** handed over once by use_context().
**
** Errors are tracelm.TraceLMError with libtracelm's message.  Module state
** holds the types and the exception (as CPython's own Modules/_sqlite).
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include "tracelm/tracelm.h"
#include <string.h>

typedef struct module_state {
  PyTypeObject *span_type;
  PyTypeObject *scope_type;
  PyObject *error;              /* tracelm.TraceLMError */
  PyObject *current;            /* ContextVar: the current Span (use_context) */
  PyObject *conversation;       /* ContextVar: the conversation id, or None */
} module_state;

static struct PyModuleDef module_def;

typedef struct Span {
  PyObject_HEAD
  tlm_span *span;               /* NULL once ended */
  char trace_id[33], span_id[17];   /* kept at end(), so ids outlive the span */
} Span;

static module_state *state_of(PyObject *module){
  return (module_state *)PyModule_GetState(module);
}

static PyObject *raise_last_error(PyObject *module){
  PyErr_SetString(state_of(module)->error, tlm_last_error());
  return NULL;
}

static PyObject *new_span(PyObject *module, tlm_span *span){
  Span *self = PyObject_New(Span, state_of(module)->span_type);
  if( self == NULL ){
    tlm_span_end(span);
    return NULL;
  }
  self->span = span;
  self->trace_id[0] = self->span_id[0] = 0;
  return (PyObject *)self;
}

/* --------------------------------------------------------- the span */

static void span_finish(Span *self){
  if( self->span == NULL ) return;
  tlm_span_trace_id(self->span, self->trace_id);
  tlm_span_id(self->span, self->span_id);
  tlm_span_end(self->span);
  self->span = NULL;
}

static PyObject *Span_end(Span *self, PyObject *unused){
  (void)unused;
  span_finish(self);   /* already ended: nothing happens */
  Py_RETURN_NONE;
}

static PyObject *Span_set_tokens(Span *self, PyObject *args){
  long long tokens_in, tokens_out;
  if( !PyArg_ParseTuple(args, "LL:set_tokens", &tokens_in, &tokens_out) ) return NULL;
  tlm_span_add_tokens(self->span, tokens_in, tokens_out);
  Py_RETURN_NONE;
}

static PyObject *Span_set_cost(Span *self, PyObject *arg){
  double usd = PyFloat_AsDouble(arg);
  if( usd == -1.0 && PyErr_Occurred() ) return NULL;
  tlm_span_add_cost(self->span, usd);
  Py_RETURN_NONE;
}

/* A setter of one str: the span's name, model or conversation. */
static PyObject *set_text(Span *self, PyObject *arg, void (*set)(tlm_span *, const char *)){
  const char *text = PyUnicode_AsUTF8(arg);
  if( text == NULL ) return NULL;
  set(self->span, text);
  Py_RETURN_NONE;
}

static PyObject *Span_set_model(Span *self, PyObject *arg){
  return set_text(self, arg, tlm_span_set_model);
}

static PyObject *Span_set_name(Span *self, PyObject *arg){
  return set_text(self, arg, tlm_span_set_name);
}

static PyObject *Span_set_error(Span *self, PyObject *arg){
  const char *message = arg == Py_None ? NULL : PyUnicode_AsUTF8(arg);
  if( message == NULL && arg != Py_None ) return NULL;
  tlm_span_set_error(self->span, message);
  Py_RETURN_NONE;
}

static PyObject *Span_set_ok(Span *self, PyObject *unused){
  (void)unused;
  tlm_span_set_ok(self->span);
  Py_RETURN_NONE;
}

static PyObject *Span_set_kind(Span *self, PyObject *arg){
  static const char *const kinds[] = { "internal", "server", "client", "producer", "consumer" };
  const char *kind = PyUnicode_AsUTF8(arg);
  if( kind == NULL ) return NULL;
  for(int k = 0; k < 5; k++){
    if( strcmp(kind, kinds[k]) == 0 ){
      tlm_span_set_kind(self->span, (tlm_span_kind)(TLM_KIND_INTERNAL + k));
      Py_RETURN_NONE;
    }
  }
  PyErr_Format(PyExc_ValueError, "set_kind: kind must be internal, server, client, producer"
               " or consumer, not '%s'", kind);
  return NULL;
}

/* set(key, value): str, int, float or bool, as the C setters take them. */
static PyObject *Span_set(Span *self, PyObject *args){
  const char *key;
  PyObject *value;
  if( !PyArg_ParseTuple(args, "sO:set", &key, &value) ) return NULL;
  if( PyBool_Check(value) ){
    tlm_span_set_bool(self->span, key, value == Py_True);
  }else if( PyLong_Check(value) ){
    long long v = PyLong_AsLongLong(value);
    if( v == -1 && PyErr_Occurred() ) return NULL;
    tlm_span_set_int(self->span, key, v);
  }else if( PyFloat_Check(value) ){
    tlm_span_set_double(self->span, key, PyFloat_AS_DOUBLE(value));
  }else if( PyUnicode_Check(value) ){
    const char *text = PyUnicode_AsUTF8(value);
    if( text == NULL ) return NULL;
    tlm_span_set_str(self->span, key, text);
  }else{
    PyErr_Format(PyExc_TypeError, "set: '%s' must be str, int, float or bool, not %s", key,
                 Py_TYPE(value)->tp_name);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* add_event(name, attributes=None): attributes a dict (JSON-serializable)
** or the text of a JSON object. */
static PyObject *Span_add_event(Span *self, PyObject *args, PyObject *kwargs){
  static char *keywords[] = { "name", "attributes", NULL };
  const char *name, *json = NULL;
  PyObject *attributes = Py_None, *text = NULL;
  int rc;
  if( !PyArg_ParseTupleAndKeywords(args, kwargs, "s|O:add_event", keywords, &name, &attributes) ) return NULL;
  if( PyDict_Check(attributes) ){
    PyObject *module = PyImport_ImportModule("json");
    if( module == NULL ) return NULL;
    text = PyObject_CallMethod(module, "dumps", "O", attributes);
    Py_DECREF(module);
    if( text == NULL ) return NULL;
    json = PyUnicode_AsUTF8(text);
  }else if( PyUnicode_Check(attributes) ){
    json = PyUnicode_AsUTF8(attributes);
  }else if( attributes != Py_None ){
    PyErr_Format(PyExc_TypeError, "add_event: attributes must be a dict or JSON text, not %s",
                 Py_TYPE(attributes)->tp_name);
    return NULL;
  }
  if( attributes != Py_None && json == NULL ){ Py_XDECREF(text); return NULL; }
  rc = tlm_span_add_event(self->span, name, json);
  Py_XDECREF(text);
  if( rc == TLM_EINVAL ){
    PyErr_SetString(PyExc_ValueError, "add_event: attributes must be a JSON object");
    return NULL;
  }
  if( rc != TLM_OK ) return PyErr_NoMemory();
  Py_RETURN_NONE;
}

/* score(name, value, label=None, explanation=None): an evaluation result. */
static PyObject *Span_score(Span *self, PyObject *args, PyObject *kwargs){
  static char *keywords[] = { "name", "value", "label", "explanation", NULL };
  const char *name, *label = NULL, *explanation = NULL;
  double value;
  if( !PyArg_ParseTupleAndKeywords(args, kwargs, "sd|zz:score", keywords, &name, &value, &label,
                                   &explanation) ) return NULL;
  if( tlm_span_score(self->span, name, value, label, explanation) != TLM_OK ) return PyErr_NoMemory();
  Py_RETURN_NONE;
}

/* ------------------------------------------------------------ GenAI */

/* The GenAI setters of libtracelm (recorder/genai.c), so the conventions'
** names are written in one place for C and Python alike. */
static PyObject *Span_set_llm(Span *self, PyObject *args){
  const char *operation, *model = NULL, *provider = NULL;
  if( !PyArg_ParseTuple(args, "s|zz:set_llm", &operation, &model, &provider) ) return NULL;
  tlm_span_set_llm(self->span, operation, model, provider);
  Py_RETURN_NONE;
}

static PyObject *Span_set_tool(Span *self, PyObject *args){
  const char *name, *call_id = NULL, *type = NULL;
  if( !PyArg_ParseTuple(args, "s|zz:set_tool", &name, &call_id, &type) ) return NULL;
  tlm_span_set_tool(self->span, name, call_id, type);
  Py_RETURN_NONE;
}

static PyObject *Span_set_agent(Span *self, PyObject *args){
  const char *name, *id = NULL;
  if( !PyArg_ParseTuple(args, "s|z:set_agent", &name, &id) ) return NULL;
  tlm_span_set_agent(self->span, name, id);
  Py_RETURN_NONE;
}

static PyObject *Span_set_conversation(Span *self, PyObject *arg){
  return set_text(self, arg, tlm_span_set_conversation);
}

static PyObject *Span_usage(Span *self, PyObject *args){
  long long in, out, cache_read, cache_creation, reasoning;
  if( !PyArg_ParseTuple(args, "LLLLL:usage", &in, &out, &cache_read, &cache_creation, &reasoning) ) return NULL;
  if( self->span && tlm_llm_usage(self->span, in, out, cache_read, cache_creation, reasoning) != TLM_OK ){
    PyErr_SetString(PyExc_ValueError, "usage: counts must not be negative, cache_read + cache_creation"
                    " must be part of input, and reasoning part of output");
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *Span_first_token(Span *self, PyObject *unused){
  (void)unused;
  if( self->span ) tlm_llm_first_token(self->span);
  Py_RETURN_NONE;
}

static PyObject *Span_response(Span *self, PyObject *args){
  const char *model, *id, *finish_reasons;
  if( !PyArg_ParseTuple(args, "zzz:response", &model, &id, &finish_reasons) ) return NULL;
  if( self->span && tlm_llm_response(self->span, model, id, finish_reasons) != TLM_OK ){
    PyErr_SetString(PyExc_ValueError, "response: finish_reasons must be a JSON array");
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *Span_messages(Span *self, PyObject *args){
  const char *system, *input, *output;
  if( !PyArg_ParseTuple(args, "zzz:messages", &system, &input, &output) ) return NULL;
  if( self->span && tlm_llm_messages(self->span, system, input, output) != TLM_OK ){
    PyErr_SetString(PyExc_ValueError, "messages: input and output must be JSON arrays");
    return NULL;
  }
  Py_RETURN_NONE;
}

/* The headers that carry this span to another service. */
static void add_header(void *carrier, const char *name, const char *value){
  PyObject *text = PyUnicode_FromString(value);
  if( text ){
    PyDict_SetItemString((PyObject *)carrier, name, text);
    Py_DECREF(text);
  }
}

static PyObject *Span_inject(Span *self, PyObject *unused){
  PyObject *headers = PyDict_New();
  (void)unused;
  if( headers && self->span ) tlm_inject(self->span, add_header, headers);
  return headers;
}

static PyObject *Span_get_traceparent(Span *self, void *unused){
  char header[TLM_TRACEPARENT_LEN + 1];
  (void)unused;
  if( tlm_span_traceparent(self->span, header) != TLM_OK ) Py_RETURN_NONE;
  return PyUnicode_FromString(header);
}

static PyObject *Span_get_trace_id(Span *self, void *unused){
  char id[33];
  (void)unused;
  if( self->span == NULL ) return PyUnicode_FromString(self->trace_id);
  tlm_span_trace_id(self->span, id);
  return PyUnicode_FromString(id);
}

static PyObject *Span_get_span_id(Span *self, void *unused){
  char id[17];
  (void)unused;
  if( self->span == NULL ) return PyUnicode_FromString(self->span_id);
  tlm_span_id(self->span, id);
  return PyUnicode_FromString(id);
}

static PyObject *Span_get_sampled(Span *self, void *unused){
  (void)unused;
  return PyBool_FromLong(tlm_span_is_sampled(self->span));
}

static PyObject *Span_get_ended(Span *self, void *unused){
  (void)unused;
  return PyBool_FromLong(self->span == NULL);
}

/* A span dropped without end() still ends, so its children keep a parent
** in the database and the recorder's stack holds no dangling pointer. */
static void Span_dealloc(Span *self){
  PyTypeObject *type = Py_TYPE(self);
  span_finish(self);
  PyObject_Free(self);
  Py_DECREF(type);
}

static PyMethodDef Span_methods[] = {
  { "end", (PyCFunction)Span_end, METH_NOARGS, "End the span (once; later calls do nothing)." },
  { "set_tokens", (PyCFunction)Span_set_tokens, METH_VARARGS, "Add input and output tokens." },
  { "set_cost", (PyCFunction)Span_set_cost, METH_O, "Add a cost in US dollars." },
  { "set_model", (PyCFunction)Span_set_model, METH_O, "The model asked." },
  { "set_name", (PyCFunction)Span_set_name, METH_O, "Rename the span." },
  { "set_error", (PyCFunction)Span_set_error, METH_O, "Mark failed, with a message (or None)." },
  { "set_ok", (PyCFunction)Span_set_ok, METH_NOARGS, "Mark succeeded." },
  { "set_kind", (PyCFunction)Span_set_kind, METH_O, "internal, server, client, producer or consumer." },
  { "set", (PyCFunction)Span_set, METH_VARARGS, "An attribute: str, int, float or bool." },
  { "add_event", (PyCFunction)(void (*)(void))Span_add_event, METH_VARARGS | METH_KEYWORDS,
    "An event now: add_event(name, attributes=None), attributes a dict." },
  { "score", (PyCFunction)(void (*)(void))Span_score, METH_VARARGS | METH_KEYWORDS,
    "An evaluation: score(name, value, label=None, explanation=None)." },
  { "inject", (PyCFunction)Span_inject, METH_NOARGS, "{'traceparent': ..., 'tracestate': ...}." },
  { "set_llm", (PyCFunction)Span_set_llm, METH_VARARGS, "An LLM call: set_llm(operation, model, provider)." },
  { "set_tool", (PyCFunction)Span_set_tool, METH_VARARGS, "A tool call: set_tool(name, call_id, type)." },
  { "set_agent", (PyCFunction)Span_set_agent, METH_VARARGS, "An agent's run: set_agent(name, id)." },
  { "set_conversation", (PyCFunction)Span_set_conversation, METH_O, "gen_ai.conversation.id." },
  { "usage", (PyCFunction)Span_usage, METH_VARARGS,
    "usage(input, output, cache_read, cache_creation, reasoning): as the conventions count them." },
  { "first_token", (PyCFunction)Span_first_token, METH_NOARGS, "The first streamed chunk: the time to it, once." },
  { "response", (PyCFunction)Span_response, METH_VARARGS, "response(model, id, finish_reasons_json)." },
  { "messages", (PyCFunction)Span_messages, METH_VARARGS, "messages(system, input_json, output_json)." },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef Span_getset[] = {
  { "traceparent", (getter)Span_get_traceparent, NULL, "The W3C header for this span.", NULL },
  { "trace_id", (getter)Span_get_trace_id, NULL, "32 hex digits.", NULL },
  { "span_id", (getter)Span_get_span_id, NULL, "16 hex digits.", NULL },
  { "sampled", (getter)Span_get_sampled, NULL, "Whether the span is recorded.", NULL },
  { "ended", (getter)Span_get_ended, NULL, "Whether end() was called.", NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyType_Slot Span_slots[] = {
  { Py_tp_dealloc, Span_dealloc },
  { Py_tp_methods, Span_methods },
  { Py_tp_getset, Span_getset },
  { Py_tp_doc, "A span of libtracelm; made by span(), begin_current() or begin_remote()." },
  { 0, NULL },
};

static PyType_Spec Span_spec = {
  .name = "tracelm._tracelm.Span",
  .basicsize = sizeof(Span),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
  .slots = Span_slots,
};

/* -------------------------------------------------------- the scope */

/* with span(name) as s: a Span begun under the current one (a root when
** there is none, or it ended), in the current conversation, the current
** span inside the block; an exception leaving the block marks it an error
** ("Type: message") and goes on. */
typedef struct Scope {
  PyObject_HEAD
  PyObject *name;               /* str */
  PyObject *span;               /* the Span, inside the block */
  PyObject *token;              /* from setting the current span */
} Scope;

static PyObject *Scope_new(PyTypeObject *type, PyObject *args, PyObject *kwargs){
  static char *keywords[] = { "name", NULL };
  PyObject *name;
  Scope *self;
  if( kwargs == NULL && PyTuple_GET_SIZE(args) == 1 ){
    name = PyTuple_GET_ITEM(args, 0);
  }else if( !PyArg_ParseTupleAndKeywords(args, kwargs, "O:span", keywords, &name) ){
    return NULL;
  }
  if( !PyUnicode_Check(name) ){
    PyErr_Format(PyExc_TypeError, "span: name must be a str, not %s", Py_TYPE(name)->tp_name);
    return NULL;
  }
  if( (self = (Scope *)type->tp_alloc(type, 0)) == NULL ) return NULL;
  self->name = Py_NewRef(name);
  return (PyObject *)self;
}

static int Scope_traverse(Scope *self, visitproc visit, void *arg){
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->name);
  Py_VISIT(self->span);
  Py_VISIT(self->token);
  return 0;
}

static int Scope_clear(Scope *self){
  Py_CLEAR(self->name);
  Py_CLEAR(self->span);
  Py_CLEAR(self->token);
  return 0;
}

static void Scope_dealloc(Scope *self){
  PyTypeObject *type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  Scope_clear(self);
  type->tp_free(self);
  Py_DECREF(type);
}

/* The module's state once use_context() has handed over the ContextVars;
** NULL with an error before (fn names the caller). */
static module_state *context_state(PyObject *module, const char *fn){
  module_state *state = module ? state_of(module) : NULL;
  if( state && (state->current == NULL || state->conversation == NULL) ){
    PyErr_Format(PyExc_RuntimeError, "%s: use_context() was not called (import tracelm)", fn);
    return NULL;
  }
  return state;
}

/* A new Span under the current one (a root when there is none, or it
** ended), in the current conversation: what every begin of the package
** does, `with span()` and begin_current() alike. */
static PyObject *begin_in_context(PyObject *module, module_state *state, const char *name){
  PyObject *parent_object, *conversation;
  tlm_span *parent = NULL, *span;
  if( PyContextVar_Get(state->current, Py_None, &parent_object) < 0 ) return NULL;
  if( Py_IS_TYPE(parent_object, state->span_type) ) parent = ((Span *)parent_object)->span;
  Py_DECREF(parent_object);
  if( (span = tlm_span_begin_child(parent, name)) == NULL ){
    if( tlm_default_recorder() == NULL ){
      PyErr_SetString(state->error, "begin: tracelm.init() has not been called");
    }else{
      PyErr_NoMemory();
    }
    return NULL;
  }
  if( PyContextVar_Get(state->conversation, Py_None, &conversation) < 0 ){
    tlm_span_end(span);
    return NULL;
  }
  if( PyUnicode_Check(conversation) ){
    const char *id = PyUnicode_AsUTF8(conversation);
    if( id ) tlm_span_set_conversation(span, id);
    else PyErr_Clear();
  }
  Py_DECREF(conversation);
  return new_span(module, span);
}

static PyObject *Scope_enter(Scope *self, PyObject *unused){
  PyObject *module = PyType_GetModuleByDef(Py_TYPE(self), &module_def), *span;
  module_state *state = context_state(module, "span");
  const char *name;
  (void)unused;
  if( state == NULL || (name = PyUnicode_AsUTF8(self->name)) == NULL ) return NULL;
  if( self->span != NULL ){
    PyErr_SetString(PyExc_RuntimeError, "span: this block is already open");
    return NULL;
  }
  if( (span = begin_in_context(module, state, name)) == NULL ) return NULL;
  if( (self->token = PyContextVar_Set(state->current, span)) == NULL ){
    span_finish((Span *)span);
    Py_DECREF(span);
    return NULL;
  }
  self->span = span;
  return Py_NewRef(span);
}

static PyObject *Scope_exit(Scope *self, PyObject *const *args, Py_ssize_t nargs){
  module_state *state = context_state(PyType_GetModuleByDef(Py_TYPE(self), &module_def), "span");
  PyObject *span = self->span, *token = self->token;
  int rc = 0;
  if( state == NULL ) return NULL;
  if( nargs != 3 ){
    PyErr_SetString(PyExc_TypeError, "__exit__ takes three arguments");
    return NULL;
  }
  if( span == NULL ) Py_RETURN_FALSE;        /* never entered, or entered and left */
  if( args[1] != Py_None ){
    PyObject *kind = PyType_GetName(Py_TYPE(args[1]));
    PyObject *message = kind ? PyUnicode_FromFormat("%U: %S", kind, args[1]) : NULL;
    const char *text = message ? PyUnicode_AsUTF8(message) : NULL;
    if( text ) tlm_span_set_error(((Span *)span)->span, text);
    Py_XDECREF(kind);
    Py_XDECREF(message);
    if( text == NULL ) rc = -1;
  }
  span_finish((Span *)span);
  self->span = self->token = NULL;
  if( PyContextVar_Reset(state->current, token) < 0 ) rc = -1;
  Py_DECREF(span);
  Py_DECREF(token);
  if( rc < 0 ) return NULL;
  Py_RETURN_FALSE;                            /* the exception goes on */
}

static PyMethodDef Scope_methods[] = {
  { "__enter__", (PyCFunction)Scope_enter, METH_NOARGS, "Begin the span; it is current inside." },
  { "__exit__", (PyCFunction)(void (*)(void))Scope_exit, METH_FASTCALL, "End it; an exception marks it failed." },
  { NULL, NULL, 0, NULL },
};

static PyMemberDef Scope_members[] = {
  { "name", T_OBJECT, offsetof(Scope, name), READONLY, "The span's name." },
  { NULL, 0, 0, 0, NULL },
};

static PyType_Slot Scope_slots[] = {
  { Py_tp_new, Scope_new },
  { Py_tp_dealloc, Scope_dealloc },
  { Py_tp_traverse, Scope_traverse },
  { Py_tp_clear, Scope_clear },
  { Py_tp_methods, Scope_methods },
  { Py_tp_members, Scope_members },
  { Py_tp_doc, "span(name): a span around a block (tracelm.span)." },
  { 0, NULL },
};

static PyType_Spec Scope_spec = {
  .name = "tracelm._tracelm.Scope",
  .basicsize = sizeof(Scope),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .slots = Scope_slots,
};

/* ------------------------------------------------------- the module */

/* begin_current(name): a Span as `with span(name)` begins it, not made
** current (the package's generators and clients manage that). */
static PyObject *module_begin_current(PyObject *module, PyObject *arg){
  module_state *state = state_of(module);
  const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
  if( name == NULL ){
    if( !PyErr_Occurred() ) PyErr_SetString(PyExc_TypeError, "begin_current: name must be a str");
    return NULL;
  }
  if( context_state(module, "begin_current") == NULL ) return NULL;
  return begin_in_context(module, state, name);
}

/* use_context(current, conversation): the package's two ContextVars. */
static PyObject *module_use_context(PyObject *module, PyObject *args){
  PyObject *current, *conversation;
  if( !PyArg_ParseTuple(args, "O!O!:use_context", &PyContextVar_Type, &current,
                        &PyContextVar_Type, &conversation) ){
    return NULL;
  }
  Py_XSETREF(state_of(module)->current, Py_NewRef(current));
  Py_XSETREF(state_of(module)->conversation, Py_NewRef(conversation));
  Py_RETURN_NONE;
}

static PyObject *module_init(PyObject *module, PyObject *args, PyObject *kwargs){
  static char *keywords[] = { "db", "service", "sample_rate", "queue_capacity", "drop_when_full",
                              "run_label", NULL };
  const char *db = NULL, *service = NULL, *run_label = NULL;
  double sample_rate = 1.0;
  Py_ssize_t queue_capacity = 0;
  int drop_when_full = 0, rc;
  tlm_options opts;
  if( !PyArg_ParseTupleAndKeywords(args, kwargs, "|zzdnpz:init", keywords, &db, &service,
                                   &sample_rate, &queue_capacity, &drop_when_full, &run_label) ){
    return NULL;
  }
  tlm_options_init(&opts);
  opts.db_path = db;
  opts.service = service;
  opts.sample_rate = sample_rate;
  if( queue_capacity > 0 ) opts.queue_capacity = (size_t)queue_capacity;
  opts.on_full = drop_when_full ? TLM_FULL_DROP : TLM_FULL_WAIT;
  opts.run_label = run_label;
  Py_BEGIN_ALLOW_THREADS
  rc = tlm_init(&opts);
  Py_END_ALLOW_THREADS
  if( rc != TLM_OK ) return raise_last_error(module);
  Py_RETURN_NONE;
}

/* flush() and shutdown() wait for the writer: other threads may run.
** They return None, or the message of what was lost since the last call. */
static PyObject *losses(int rc){
  if( rc == TLM_OK ) Py_RETURN_NONE;
  return PyUnicode_FromString(tlm_last_error());
}

static PyObject *module_flush(PyObject *module, PyObject *unused){
  int rc;
  (void)module; (void)unused;
  Py_BEGIN_ALLOW_THREADS
  rc = tlm_flush();
  Py_END_ALLOW_THREADS
  return losses(rc);
}

static PyObject *module_shutdown(PyObject *module, PyObject *unused){
  int rc;
  (void)module; (void)unused;
  Py_BEGIN_ALLOW_THREADS
  rc = tlm_shutdown();
  Py_END_ALLOW_THREADS
  return losses(rc);
}

static PyObject *module_is_initialized(PyObject *module, PyObject *unused){
  (void)module; (void)unused;
  return PyBool_FromLong(tlm_default_recorder() != NULL);
}

typedef struct remote_headers { const char *traceparent, *tracestate; } remote_headers;

static const char *get_header(void *carrier, const char *name){
  const remote_headers *h = carrier;
  return strcmp(name, "traceparent") == 0 ? h->traceparent
       : strcmp(name, "tracestate") == 0 ? h->tracestate : NULL;
}

/* begin_remote(name, traceparent, tracestate): continue a caller's trace;
** an invalid header starts a new trace, as W3C asks of a receiver. */
static PyObject *module_begin_remote(PyObject *module, PyObject *args){
  const char *name;
  remote_headers headers = { NULL, NULL };
  tlm_span *span;
  if( !PyArg_ParseTuple(args, "szz:begin_remote", &name, &headers.traceparent, &headers.tracestate) ){
    return NULL;
  }
  span = tlm_span_begin_extract(NULL, name, get_header, &headers);
  if( span == NULL ){
    PyErr_SetString(state_of(module)->error, "begin_remote: tracelm.init() has not been called");
    return NULL;
  }
  return new_span(module, span);
}

static PyMethodDef module_methods[] = {
  { "init", (PyCFunction)(void (*)(void))module_init, METH_VARARGS | METH_KEYWORDS,
    "Open the database and start the writer (libtracelm's tlm_init)." },
  { "flush", module_flush, METH_NOARGS, "Wait until every ended span is stored." },
  { "shutdown", module_shutdown, METH_NOARGS, "Flush, stop the writer, close the database." },
  { "is_initialized", module_is_initialized, METH_NOARGS, "Whether init() has been called." },
  { "begin_remote", module_begin_remote, METH_VARARGS, "begin_remote(name, traceparent, tracestate)" },
  { "use_context", module_use_context, METH_VARARGS, "use_context(current, conversation): the ContextVars." },
  { "begin_current", module_begin_current, METH_O, "begin_current(name): under the current span." },
  { NULL, NULL, 0, NULL },
};

static int module_exec(PyObject *module){
  module_state *state = state_of(module);
  state->span_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Span_spec, NULL);
  if( state->span_type == NULL ) return -1;
  if( PyModule_AddType(module, state->span_type) < 0 ) return -1;
  state->scope_type = (PyTypeObject *)PyType_FromModuleAndSpec(module, &Scope_spec, NULL);
  if( state->scope_type == NULL ) return -1;
  if( PyModule_AddType(module, state->scope_type) < 0 ) return -1;
  state->error = PyErr_NewException("tracelm.TraceLMError", PyExc_RuntimeError, NULL);
  if( state->error == NULL ) return -1;
  if( PyModule_AddObjectRef(module, "TraceLMError", state->error) < 0 ) return -1;
  return PyModule_AddStringConstant(module, "VERSION", TLM_VERSION);
}

static int module_traverse(PyObject *module, visitproc visit, void *arg){
  Py_VISIT(state_of(module)->span_type);
  Py_VISIT(state_of(module)->scope_type);
  Py_VISIT(state_of(module)->error);
  Py_VISIT(state_of(module)->current);
  Py_VISIT(state_of(module)->conversation);
  return 0;
}

static int module_clear(PyObject *module){
  Py_CLEAR(state_of(module)->span_type);
  Py_CLEAR(state_of(module)->scope_type);
  Py_CLEAR(state_of(module)->error);
  Py_CLEAR(state_of(module)->current);
  Py_CLEAR(state_of(module)->conversation);
  return 0;
}

static PyModuleDef_Slot module_slots[] = {
  { Py_mod_exec, module_exec },
  { 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "tracelm._tracelm",
  .m_doc = "libtracelm for Python: spans at C speed (use the tracelm package).",
  .m_size = sizeof(module_state),
  .m_methods = module_methods,
  .m_slots = module_slots,
  .m_traverse = module_traverse,
  .m_clear = module_clear,
};

PyMODINIT_FUNC PyInit__tracelm(void){
  return PyModuleDef_Init(&module_def);
}
