"""import_otel is strict: the whole input must be OTLP, or nothing is stored.

For a small valid document: every truncation (each prefix, byte by byte)
fails and stores nothing; so do two documents on one line, bytes after a
document, and a wrong type in each field; the intact document imports.
The errors name the line and byte.

Usage: python3 test_import_strict.py PATH/TO/tracelm   (without the .so)
"""
import json
import sqlite3
import sys

db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension(sys.argv[1])
db.execute("SELECT tracelm_init()")

SPAN = {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331",
        "parentSpanId": "", "name": "root", "kind": 2, "startTimeUnixNano": "1000",
        "endTimeUnixNano": "9000", "status": {"code": 1},
        "attributes": [{"key": "k", "value": {"intValue": "7"}}]}
DOC = json.dumps({"resourceSpans": [{"resource": {"attributes": [
    {"key": "service.name", "value": {"stringValue": "svc"}}]},
    "scopeSpans": [{"scope": {"name": "s"}, "spans": [SPAN]}]}]}, separators=(",", ":"))
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + ok, failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))


def refused(text):
    """The error message, or None when the import went through."""
    try:
        db.execute("SELECT import_otel(?)", (text,)).fetchone()
        return None
    except sqlite3.Error as error:
        return str(error)


def stored():
    return db.execute("SELECT count(*) FROM spans").fetchone()[0]


through = [i for i in range(len(DOC)) if refused(DOC[:i]) is None]
check("every one of the %d truncations is refused" % len(DOC), through == [], str(through[:5]))
check("... and stored nothing", stored() == 0)

cases = {
    "two documents on one line": DOC + DOC,
    "a second document after a newline inside the first's line": DOC + " " + DOC + "\n",
    "bytes after the document": DOC + " trailing",
    "JSON Lines with a second value on line 2": DOC.replace("0af7", "1af7") + "\n" + DOC + DOC,
}
for name, text in cases.items():
    message = refused(text)
    check(name + " is refused (" + str(message) + ")", message is not None and "import_otel: line" in message)
message = refused("[" + DOC + "]")
check("an array, not a request, is refused (%s)" % message,
      message == "import_otel: the document: not an OTLP trace request (no resourceSpans array)")
check("... and stored nothing", stored() == 0)

message = refused(DOC + DOC)
check("the error names where the second document starts",
      message == "import_otel: line 1, byte %d: more after the document on this line (one document a line)"
      % len(DOC), str(message))

for field, bad in [("traceId", 12), ("spanId", "xyz"), ("parentSpanId", 5), ("name", 3),
                   ("kind", "SIDEWAYS"), ("startTimeUnixNano", "soon"), ("endTimeUnixNano", [1]),
                   ("status", {"code": 7}), ("flags", -1), ("traceState", 1),
                   ("attributes", [{"key": 1}])]:
    span = dict(SPAN, **{field: bad})
    doc = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}]})
    message = refused(doc)
    check("a wrong %s is refused (%s)" % (field, message), message is not None)
check("... and stored nothing", stored() == 0)

check("the intact document imports", refused(DOC) is None and stored() == 1)
check("two documents as JSON Lines import",
      refused(DOC.replace("b7ad", "c7ad") + "\n\n" + DOC.replace("b7ad", "d7ad") + "\n") is None
      and stored() == 3)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
