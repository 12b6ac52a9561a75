"""OTLP import -> SQL -> export gives back what came in, field by field.

fixtures/otlp_every_field.json covers the trace data model: resources with
many attributes, a dropped count and a schemaUrl; scopes with versions,
attributes and schemaUrls; spans with flags, trace state, dropped counts,
events (with attributes) and links; every AnyValue type at its limits
(INT64_MIN/MAX, 2^53+1, -0.0, a subnormal, 1e308, 17 significant digits,
empty strings, unicode and escapes, empty values, nested arrays and
kvlists).  otlp_compare.differences() compares the documents.

Usage: python3 test_otlp_roundtrip.py PATH/TO/tracelm   (without the .so)
"""
import copy
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from otlp_compare import differences  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = open(os.path.join(HERE, "fixtures", "otlp_every_field.json"), encoding="utf-8").read()
TRACE = "5b8efff798038103d269b633813fc60c"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + ok, failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ":\n  " + str(detail)))


def database():
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension(sys.argv[1])
    db.execute("SELECT tracelm_init()")
    return db


expected = json.loads(FIXTURE)

# The comparison bites: a changed field, a lost event, a rounded integer.
for what, change in [
        ("a status message", lambda d: d["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"].update(message="x")),
        ("an event", lambda d: d["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["events"].pop()),
        ("2^53+1 rounded", lambda d: d["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][2]
         .update(value={"intValue": "9007199254740992"})),
        ("-0.0 as 0.0", lambda d: d["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][5]
         .update(value={"doubleValue": 0.0})),
        ("2.0 as 2", lambda d: d["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][9]
         .update(value={"intValue": "2"})),
        ("a resource attribute", lambda d: d["resourceSpans"][0]["resource"]["attributes"].pop()),
        ("a scope version", lambda d: d["resourceSpans"][1]["scopeSpans"][0]["scope"].update(version="2.0.1"))]:
    changed = copy.deepcopy(expected)
    change(changed)
    check("the comparison sees " + what, differences(expected, changed) != [])

db = database()
check("the fixture imports", db.execute("SELECT import_otel(?)", (FIXTURE,)).fetchone() == (4,))
exported = db.execute("SELECT export_otel(?)", (TRACE,)).fetchone()[0]
found = differences(expected, json.loads(exported))
check("import then export gives the document back", found == [], "\n  ".join(found))

# Twice round: the export imports into a fresh database and exports the same.
again = database()
again.execute("SELECT import_otel(?)", (exported,))
second = again.execute("SELECT export_otel(?)", (TRACE,)).fetchone()[0]
check("a second round trip changes nothing", differences(expected, json.loads(second)) == [],
      differences(expected, json.loads(second)))

# Resources and scopes are stored once; SQL users can join everything.
check("two resources, three scopes stored", db.execute(
    "SELECT (SELECT count(*) FROM resources), (SELECT count(*) FROM scopes)").fetchone() == (2, 3))
check("every resource attribute is kept", db.execute(
    "SELECT json_extract(r.attrs, '$.\"deployment.environment\"'), r.dropped_attributes_count,"
    " r.schema_url FROM spans s JOIN resources r USING (resource_id) WHERE s.name = 'POST /ask'"
    ).fetchone() == ("prod", 3, "https://opentelemetry.io/schemas/1.26.0"))
check("the scope's name and version", db.execute(
    "SELECT c.name, c.version FROM spans s JOIN scopes c USING (scope_id) WHERE s.name = 'chat gpt-4o'"
    ).fetchone() == ("opentelemetry.instrumentation.openai", "0.48b0"))
check("an exception event's message, by SQL", db.execute(
    "SELECT s.name, json_extract(e.attrs, '$.\"exception.message\"') FROM span_events e"
    " JOIN spans s USING (trace_id, span_id) WHERE e.name = 'exception'").fetchone()
    == ("POST /ask", "upstream took 30 s"))
check("events keep their order and times", db.execute(
    "SELECT group_concat(name || '@' || time_ns, ' ') FROM (SELECT * FROM span_events ORDER BY seq)"
    ).fetchone()[0] == "gen_ai.content.prompt@1700000000100000000 exception@1700000000800000000"
    " no.attributes@1700000000850000000")
check("links keep trace state and flags", db.execute(
    "SELECT linked_span_id, trace_state, flags, dropped_attributes_count FROM span_links ORDER BY seq"
    ).fetchall() == [("b7ad6b7169203331", "k=v", 1, 5), ("00f067aa0ba902b7", None, None, 0)])
check("dropped counts on the span", db.execute(
    "SELECT dropped_attributes_count, dropped_events_count, dropped_links_count FROM spans"
    " WHERE name = 'POST /ask'").fetchone() == (2, 4, 6))
check("integers are exact in SQL", db.execute(
    "SELECT json_extract(attrs, '$.\"int.2^53+1\"'), json_extract(attrs, '$.\"int.min\"'),"
    " json_type(attrs, '$.\"double.integral\"') FROM spans WHERE name = 'POST /ask'").fetchone()
    == (9007199254740993, -9223372036854775808, "real"))
check("tokens and model still fill their columns", db.execute(
    "SELECT tokens_in, tokens_out, model FROM spans WHERE name = 'chat gpt-4o'").fetchone()
    == (1200, 345, "gpt-4o"))
# An error span without a status message: analyses say its exception.
check("an error with a status message shows the message", db.execute(
    "SELECT detail FROM trace_anomalies(?) WHERE kind = 'error'", (TRACE,)).fetchone()
    == ("upstream timed out",))
db.execute("UPDATE spans SET status_message = NULL WHERE name = 'POST /ask'")
check("an error without one shows its exception event", db.execute(
    "SELECT detail FROM trace_anomalies(?) WHERE kind = 'error'", (TRACE,)).fetchone()
    == ("TimeoutError: upstream took 30 s",))
check("... in trace_summary too", json.loads(db.execute("SELECT trace_summary(?)", (TRACE,)).fetchone()[0])
      ["anomalies"][0]["detail"] == "TimeoutError: upstream took 30 s")
db.execute("DELETE FROM spans WHERE name = 'POST /ask'")
check("deleting a span deletes its events and links", db.execute(
    "SELECT (SELECT count(*) FROM span_events), (SELECT count(*) FROM span_links)").fetchone() == (0, 0))

# A wrong type in the new fields is refused with its name, nothing stored.
for field, value, message in [
        ("events", "{}", "events must be an array"),
        ("links", [{"traceId": "zz", "spanId": "b7ad6b7169203331"}], "links[0].traceId must be 32 hex digits"),
        ("droppedEventsCount", -1, "droppedEventsCount must be an integer from 0 to 4294967295"),
        ("events", [{"timeUnixNano": "soon"}], "events[0].timeUnixNano must be a decimal integer")]:
    bad = copy.deepcopy(expected)
    bad["resourceSpans"][0]["scopeSpans"][0]["spans"][1][field] = value
    fresh = database()
    try:
        fresh.execute("SELECT import_otel(?)", (json.dumps(bad),))
        check("refused: " + field, False, "imported")
    except sqlite3.Error as error:
        stored = fresh.execute("SELECT (SELECT count(*) FROM spans) + (SELECT count(*) FROM resources)"
                               " + (SELECT count(*) FROM span_events)").fetchone()[0]
        check("refused: %s (%s), nothing stored" % (field, message),
              message in str(error) and stored == 0, "%s; %d rows" % (error, stored))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
