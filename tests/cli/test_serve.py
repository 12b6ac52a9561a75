"""tracelm serve, end to end: a real server process on 127.0.0.1 and HTTP
requests to it (Python's urllib), then what the database holds.

  test_serve.py TRACELM
Prints one line per check and "N passed, N failed".
"""
import gzip
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

TRACELM = os.path.abspath(sys.argv[1])
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))


def document(trace, spans=2):
    return json.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "sdk-app"}}]},
        "scopeSpans": [{"spans": [
            {"traceId": trace, "spanId": "%016x" % (i + 1), "parentSpanId": "" if i == 0 else "0000000000000001",
             "name": "step%d" % i, "startTimeUnixNano": str(1000 + i), "endTimeUnixNano": str(9000 - i),
             "attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "5"}}]}
            for i in range(spans)]}]}]}).encode()


from protobuf_wire import field  # noqa: E402  (beside this script)


def kv(key, value):   # value: an encoded AnyValue
    return field(1, 2, key.encode()) + field(2, 2, value)


def proto_request(trace_hex):
    span1 = (field(1, 2, bytes.fromhex(trace_hex)) + field(2, 2, bytes.fromhex("00000000000000a1"))
             + field(3, 2, b"vendor=1") + field(16, 5, 257) + field(5, 2, "llm 🚀".encode())
             + field(6, 0, 3) + field(7, 1, 1700000000123456789) + field(8, 1, 1700000000987654321)
             + field(9, 2, kv("gen_ai.usage.input_tokens", field(3, 0, 812)))
             + field(9, 2, kv("gen_ai.request.model", field(1, 2, b"gpt-4o-mini")))
             + field(9, 2, kv("ratio", field(4, 1, int.from_bytes(__import__("struct").pack("<d", 0.25), "little"))))
             + field(9, 2, kv("cached", field(2, 0, 1)))
             + field(15, 2, field(2, 2, b"boom") + field(3, 0, 2)))
    span2 = (field(1, 2, bytes.fromhex(trace_hex)) + field(2, 2, bytes.fromhex("00000000000000a2"))
             + field(4, 2, bytes.fromhex("00000000000000a1")) + field(5, 2, b"child")
             + field(7, 1, 1700000000200000000) + field(8, 1, 1700000000300000000))
    resource = field(1, 2, kv("service.name", field(1, 2, b"proto-app")))
    scope_spans = field(1, 2, field(1, 2, b"my-scope")) + field(2, 2, span1) + field(2, 2, span2)
    return field(1, 2, field(1, 2, resource) + field(2, 2, scope_spans))


def post(port, body, headers=None, path="/v1/traces", method="POST"):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start(db, *args):
    process = subprocess.Popen([TRACELM, "--db", db, "serve", "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    return process, int(re.search(r"127\.0\.0\.1:(\d+)/", line).group(1))


def count(db, sql="SELECT count(*) FROM spans"):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


work = tempfile.mkdtemp(prefix="tracelm-serve-")
db = os.path.join(work, "t.db")
process, port = start(db, "--max-body", "65536")

status, body = post(port, document("a" * 32))
check("OTLP/JSON is stored: 200 {}", (status, body) == (200, "{}"), (status, body))
check("... both spans, with service and tokens",
      count(db, "SELECT count(*) FROM spans WHERE service = 'sdk-app' AND tokens_in = 5") == 2)
status, _ = post(port, gzip.compress(document("b" * 32)), {"Content-Encoding": "gzip"})
check("gzip bodies are inflated", status == 200 and count(db) == 4, status)
status, body = post(port, document("c" * 32)[:-10])
check("a cut-short document: 400 naming where (%s)" % body, status == 400 and "byte" in body)
status, body = post(port, document("a" * 32, spans=3))
check("spans already stored are rejected, counted, reported (%s)" % body, status == 200 and json.loads(body) ==
      {"partialSuccess": {"rejectedSpans": "2", "errorMessage": "2 spans were already stored (the same trace and span id)"}})
check("... never stored twice; the new one stored", count(db) == 5, count(db))
PROTO = {"Content-Type": "application/x-protobuf"}
request = urllib.request.Request("http://127.0.0.1:%d/v1/traces" % port, data=proto_request("ab" * 16),
                                 headers=PROTO, method="POST")
with urllib.request.urlopen(request, timeout=20) as response:
    check("protobuf: 200 with an empty ExportTraceServiceResponse in protobuf",
          response.status == 200 and response.read() == b""
          and response.headers["Content-Type"] == "application/x-protobuf")
conn = sqlite3.connect(db)
got = conn.execute("SELECT span_id, coalesce(parent_id, '-'), name, kind, start_ns, end_ns, status,"
                   " coalesce(status_message, '-'), tokens_in, coalesce(model, '-'), service, flags,"
                   " coalesce(trace_state, '-'), coalesce(attrs, '-') FROM spans"
                   " WHERE trace_id = ? ORDER BY span_id", ("ab" * 16,)).fetchall()
conn.close()
check("... every field stored, times to the nanosecond", got == [
    ("00000000000000a1", "-", "llm 🚀", "client", 1700000000123456789, 1700000000987654321, "error",
     "boom", 812, "gpt-4o-mini", "proto-app", 257, "vendor=1", '{"ratio":0.25,"cached":true}'),
    ("00000000000000a2", "00000000000000a1", "child", "unspecified", 1700000000200000000,
     1700000000300000000, "unset", "-", 0, "-", "proto-app", None, "-", "-")], got)
body = proto_request("cd" * 16)
status, answer = post(port, body[:-7], PROTO)
check("a truncated protobuf body: 400, nothing stored", status == 400 and count(db) == 7, status)
request = urllib.request.Request("http://127.0.0.1:%d/v1/traces" % port, data=proto_request("ab" * 16),
                                 headers=PROTO, method="POST")
with urllib.request.urlopen(request, timeout=20) as response:
    answer = response.read()
# partial_success (1) { rejected_spans (1) = 2, error_message (2) = "..." }
message = b"2 spans were already stored (the same trace and span id)"
inner = b"\x08\x02" + b"\x12" + bytes([len(message)]) + message
check("... and in protobuf: ExportTracePartialSuccess with 2 rejected", answer == b"\x0a" + bytes([len(inner)]) + inner, answer)
status, answer = post(port, b"\x0b\x01", PROTO)
check("a wrong wire type: 400", status == 400, status)
status, answer = post(port, b"\x0a\xff\xff\xff\xff\x0f", PROTO)
check("a length far past the body: 400", status == 400, status)
check("another content type: 415", post(port, b"x", {"Content-Type": "text/plain"})[0] == 415)
check("another path: 404", post(port, document("d" * 32), path="/v1/metrics")[0] == 404)
check("GET: 405", post(port, None, method="GET")[0] == 405)
check("a body past --max-body: 413", post(port, b" " * 70000 + document("e" * 32))[0] == 413)
bomb = gzip.compress(b"[" + b" " * 5000000 + b"]")
check("a gzip bomb is refused while inflating: 413 (%d bytes sent)" % len(bomb),
      post(port, bomb, {"Content-Encoding": "gzip"})[0] == 413)
check("a corrupt gzip body: 400", post(port, b"not gzip", {"Content-Encoding": "gzip"})[0] == 400)
check("nothing from the refused requests was stored", count(db) == 7)

# 1,000 requests from 8 clients at once: every span stored once.
results = []
def client(k):
    for j in range(125):
        results.append(post(port, document("%08x" % (k * 1000 + j) + "f" * 24, spans=3))[0])
threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
check("1,000 concurrent requests from 8 clients: all 200", results.count(200) == 1000, results[:5])
check("... and 3,000 more spans stored", count(db) == 3007, count(db))
# serve's connection runs without triggers: import_otel keeps each trace's
# row, its facts mark and the calls' prices itself, as the triggers would.
conn = sqlite3.connect(db)
kept = conn.execute(
    "SELECT (SELECT count(*) FROM traces),"
    " (SELECT count(*) FROM (SELECT trace_id, min(start_ns), max(coalesce(end_ns, start_ns)), count(*),"
    "   sum(tokens_in), sum(tokens_out), sum(cost), sum(status = 'error') FROM spans GROUP BY trace_id"
    "   EXCEPT SELECT trace_id, start_ns, end_ns, span_count, tokens_in, tokens_out, cost, errors FROM traces)),"
    " (SELECT count(*) FROM traces t WHERE root_span_id IS NOT (SELECT span_id FROM spans s"
    "   WHERE s.trace_id = t.trace_id AND parent_id IS NULL ORDER BY rowid DESC LIMIT 1)),"
    " (SELECT count(*) FROM (SELECT DISTINCT trace_id FROM spans EXCEPT SELECT trace_id FROM facts_dirty)),"
    " (SELECT priced_cost = (SELECT p.priced_cost FROM span_price p WHERE p.span_rowid = spans.rowid)"
    "   FROM spans WHERE span_id = '00000000000000a1')").fetchone()
# ... and without the CHECKs, which integrity_check tests on every row.
integrity = conn.execute("PRAGMA integrity_check").fetchall()
conn.close()
check("... every stored row passes the tables' CHECKs (integrity_check: %s)" % (integrity,),
      integrity == [("ok",)], integrity)
check("... traces kept without triggers: every row as the spans say, each root, each marked for the facts,"
      " the call priced %s" % (kept,), kept == (1003, 0, 0, 0, 1), kept)

# export --to: a trace recorded by TraceLM goes to the receiver and comes
# out the same (the round trip recorder -> database -> OTLP -> serve).
source = os.path.join(work, "source.db")
subprocess.run([TRACELM, "--db", source, "demo"], check=True, capture_output=True, cwd=work)
sent = subprocess.run([TRACELM, "--db", source, "export", "latest", "--format", "otel", "--to",
                       "http://127.0.0.1:%d/v1/traces" % port], capture_output=True, text=True)
check("export --to a receiver: sent, 200 (%s)" % sent.stdout.strip(), sent.returncode == 0 and ": 200" in sent.stdout,
      sent.stderr)
columns = ("trace_id, span_id, coalesce(parent_id, '-'), name, kind, start_ns, end_ns, status,"
           " tokens_in, tokens_out, cost, coalesce(model, '-'), service, thread_id")
def spans_of(path, trace):
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT %s FROM spans WHERE trace_id = ?" % columns, (trace,)).fetchall())
    finally:
        conn.close()
trace = sqlite3.connect(source).execute("SELECT trace_id FROM traces").fetchone()[0]
check("... every span arrives as it was recorded (ids, parents, times, kind, status, tokens, cost,"
      " model, service, thread)", spans_of(source, trace) == spans_of(db, trace) and len(spans_of(db, trace)) == 10,
      (spans_of(source, trace)[:1], spans_of(db, trace)[:1]))
again = subprocess.run([TRACELM, "--db", source, "export", "latest", "--format", "otel", "--to",
                        "http://127.0.0.1:%d/v1/traces" % port], capture_output=True, text=True)
check("... sent twice: stored once, the receiver says so", again.returncode == 0 and "rejectedSpans" in again.stdout
      and len(spans_of(db, trace)) == 10, again.stdout)
bad = subprocess.run([TRACELM, "--db", source, "export", "latest", "--format", "otel", "--to",
                      "http://127.0.0.1:%d/nowhere" % port], capture_output=True, text=True)
check("... a receiver that refuses: exit 1 with its answer (%s)" % bad.stderr.strip(),
      bad.returncode == 1 and "answered 404" in bad.stderr)

process.send_signal(signal.SIGTERM)
out, err = process.communicate(timeout=20)
check("SIGTERM: exit 0", process.returncode == 0, process.returncode)
check("... with a summary line (%s)" % err.strip(), "requests" in err and "3017 spans stored, 14 rejected as already stored" in err, err)

result = subprocess.run([TRACELM, "--db", db, "serve", "--host", "0.0.0.0"], capture_output=True, text=True)
check("another address without --token: refused",
      result.returncode == 2 and "needs --token TOKEN" in result.stderr, result.stderr)

process, port = start(db, "--token", "s3cret", "--timeout", "1")
import socket
import time
slow = socket.create_connection(("127.0.0.1", port))
slow.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\n")   # and then nothing
slow.settimeout(10)
started = time.monotonic()
try:
    closed = slow.recv(1024) == b""
except (ConnectionResetError, socket.timeout):
    closed = True
check("a client that stops sending is dropped after --timeout (%.1f s)" % (time.monotonic() - started),
      closed and time.monotonic() - started < 9)
slow.close()
check("with --token, no Authorization: 401", post(port, document("9" * 32))[0] == 401)
check("... a wrong token: 401", post(port, document("9" * 32), {"Authorization": "Bearer nope"})[0] == 401)
check("... the right token: 200", post(port, document("9" * 32), {"Authorization": "Bearer s3cret"})[0] == 200)
process.send_signal(signal.SIGINT)
process.communicate(timeout=20)
check("SIGINT: exit 0", process.returncode == 0, process.returncode)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
