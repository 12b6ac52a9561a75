"""Compare two OTLP/JSON trace documents field by field.

The helper the lossless-OTLP tests use: differences(a, b) lists every
field that differs, as paths ("resource{service.name=rag}.scope{llm 1.2}
.span 00f0...: attributes.n: intValue 3 != 4").  It reads what OTLP/JSON
allows either way the same way: 64-bit integers as strings or numbers, ids
in any case, enums as numbers or names, an absent field and its default
("", 0, []).  Doubles compare bit for bit (struct), so -0.0 and 0.0 differ.
Lists OTLP gives no order (resourceSpans, scopeSpans, spans, attributes)
compare as sets keyed by what identifies them; events and links keep order.
"""
import struct

KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
         "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]


def _int(v):
    return int(v) if v not in (None, "") else 0


def _enum(v, names):
    if isinstance(v, str):
        return names.index(v)
    return v or 0


def _double(v):
    if isinstance(v, str):   # "NaN", "Infinity", or digits
        v = float(v)
    return ("double", struct.pack(">d", float(v)).hex())


def any_value(v):
    """An AnyValue as a comparable Python value."""
    if not v:
        return ("empty",)
    if "stringValue" in v:
        return ("string", v["stringValue"])
    if "boolValue" in v:
        return ("bool", bool(v["boolValue"]))
    if "intValue" in v:
        return ("int", int(v["intValue"]))
    if "doubleValue" in v:
        return _double(v["doubleValue"])
    if "bytesValue" in v:
        return ("bytes", v["bytesValue"])
    if "arrayValue" in v:
        return ("array", tuple(any_value(x) for x in (v["arrayValue"] or {}).get("values", [])))
    if "kvlistValue" in v:
        return ("kvlist", attributes((v["kvlistValue"] or {}).get("values", [])))
    return ("unknown", repr(v))


def attributes(items):
    return tuple(sorted((kv["key"], any_value(kv.get("value"))) for kv in items or []))


def _span(s):
    status = s.get("status") or {}
    return {
        "traceId": s["traceId"].lower(), "spanId": s["spanId"].lower(),
        "parentSpanId": (s.get("parentSpanId") or "").lower(),
        "traceState": s.get("traceState") or "", "flags": _int(s.get("flags")),
        "name": s.get("name") or "", "kind": _enum(s.get("kind"), KINDS),
        "start": _int(s.get("startTimeUnixNano")), "end": _int(s.get("endTimeUnixNano")),
        "attributes": attributes(s.get("attributes")),
        "droppedAttributesCount": _int(s.get("droppedAttributesCount")),
        "events": tuple((_int(e.get("timeUnixNano")), e.get("name") or "",
                         attributes(e.get("attributes")), _int(e.get("droppedAttributesCount")))
                        for e in s.get("events") or []),
        "droppedEventsCount": _int(s.get("droppedEventsCount")),
        "links": tuple((l["traceId"].lower(), l["spanId"].lower(), l.get("traceState") or "",
                        attributes(l.get("attributes")), _int(l.get("flags")),
                        _int(l.get("droppedAttributesCount")))
                       for l in s.get("links") or []),
        "droppedLinksCount": _int(s.get("droppedLinksCount")),
        "status": (_enum(status.get("code"), CODES), status.get("message") or ""),
    }


def flatten(doc):
    """{(resource, scope, span id): span fields} over the whole document."""
    out = {}
    for rs in doc.get("resourceSpans") or []:
        res = rs.get("resource") or {}
        resource = (attributes(res.get("attributes")), _int(res.get("droppedAttributesCount")),
                    rs.get("schemaUrl") or "")
        for ss in rs.get("scopeSpans") or []:
            sc = ss.get("scope") or {}
            scope = (sc.get("name") or "", sc.get("version") or "", attributes(sc.get("attributes")),
                     _int(sc.get("droppedAttributesCount")), ss.get("schemaUrl") or "")
            for s in ss.get("spans") or []:
                span = _span(s)
                out[(resource, scope, span["traceId"], span["spanId"])] = span
    return out


def _label(key):
    resource, scope, trace_id, span_id = key
    names = dict((k, v[1]) for k, v in resource[0])
    return "resource{service.name=%s}.scope{%s %s}.span %s" % (
        names.get("service.name"), scope[0], scope[1], span_id)


def differences(expected, actual):
    """Every difference, as one line each; [] when the documents agree."""
    a, b = flatten(expected), flatten(actual)
    lines = []
    for key in sorted(set(a) - set(b), key=repr):
        lines.append("missing: " + _label(key))
    for key in sorted(set(b) - set(a), key=repr):
        lines.append("unexpected: " + _label(key))
    for key in sorted(set(a) & set(b), key=repr):
        for field in a[key]:
            if a[key][field] != b[key][field]:
                lines.append("%s: %s: %r != %r" % (_label(key), field, a[key][field], b[key][field]))
    return lines
