#!/usr/bin/env python3
"""bench_serve.py — spans per second `tracelm serve` stores, against raw
batched SQLite inserts of the same rows, in the same run.

8 client threads on loopback send requests of 100 spans (OTLP protobuf,
then OTLP/JSON; keep-alive connections), 100,000 spans each way; the
baseline inserts the same 100,000 rows into a new TraceLM database with
executemany in transactions of 100 (what one request is).  Prints a table;
asserts nothing.  The client is Python, so its own encoding is part of the
figure (say so when quoting it).

  /usr/bin/python3 bench/bench_serve.py build/cli/tracelm build/tracelm [DIR]
"""
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "cli"))
TRACELM, EXTENSION = sys.argv[1], sys.argv[2]
FOLDER = sys.argv[3] if len(sys.argv) > 3 else tempfile.gettempdir()
SPANS, PER_REQUEST, CLIENTS = 100000, 100, 8

from protobuf_wire import field  # noqa: E402  (tests/cli, on the path above)


def spans(request):
    trace = "%032x" % (request + 1)
    for i in range(PER_REQUEST):
        yield trace, "%016x" % (i + 1), None if i == 0 else "0000000000000001", "step%d" % (i % 10), 1000 + i, 9000 + i


def protobuf_body(request):
    out = b""
    for trace, span, parent, name, start, end in spans(request):
        s = field(1, 2, bytes.fromhex(trace)) + field(2, 2, bytes.fromhex(span)) + field(5, 2, name.encode())
        if parent:
            s += field(4, 2, bytes.fromhex(parent))
        out += field(2, 2, s + field(7, 1, start) + field(8, 1, end))
    return field(1, 2, field(2, 2, out))


def json_body(request):
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": t, "spanId": s, "parentSpanId": p or "", "name": n,
         "startTimeUnixNano": str(a), "endTimeUnixNano": str(b)} for t, s, p, n, a, b in spans(request)]}]}]}).encode()


def serve_rate(kind, first_request):
    db = os.path.join(FOLDER, "bench_serve_%s.db" % kind)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    server = subprocess.Popen([TRACELM, "--db", db, "serve", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline()).group(1))
    make, content = (protobuf_body, "application/x-protobuf") if kind == "protobuf" else (json_body, "application/json")
    requests = SPANS // PER_REQUEST
    bodies = [make(first_request + r) for r in range(requests)]
    errors = []

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for r in range(k, requests, CLIENTS):
            conn.request("POST", "/v1/traces", bodies[r], {"Content-Type": content})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads: t.start()
    for t in threads: t.join()
    seconds = time.perf_counter() - started
    server.send_signal(signal.SIGTERM)
    server.communicate(timeout=30)
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM spans").fetchone()[0]
    return SPANS / seconds, stored, errors


def raw_rate():
    db = os.path.join(FOLDER, "bench_serve_raw.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    conn = sqlite3.connect(db)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.execute("SELECT tracelm_init()")
    conn.execute("PRAGMA journal_mode=WAL")
    rows = [list(spans(r)) for r in range(SPANS // PER_REQUEST)]
    started = time.perf_counter()
    for batch in rows:
        with conn:
            conn.executemany("INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns)"
                             " VALUES (?, ?, ?, ?, ?, ?)", batch)
    seconds = time.perf_counter() - started
    conn.close()
    return SPANS / seconds


raw = raw_rate()
proto, proto_stored, proto_errors = serve_rate("protobuf", 0)
js, json_stored, json_errors = serve_rate("json", 100000)
print("%-52s %12s %8s" % ("measure (100,000 spans, requests of 100, 8 clients)", "spans/s", "ratio"))
print("%-52s %12.0f %8.2f" % ("tracelm serve, OTLP protobuf", proto, proto / raw))
print("%-52s %12.0f %8.2f" % ("tracelm serve, OTLP/JSON", js, js / raw))
print("%-52s %12.0f %8.2f" % ("raw batched inserts of the same rows (baseline)", raw, 1.0))
print("\nstored: %d (protobuf), %d (JSON); refused requests: %d" % (proto_stored, json_stored,
                                                                   len(proto_errors) + len(json_errors)))
