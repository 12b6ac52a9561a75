#!/usr/bin/env python3
"""bench_serve_load.py — `tracelm serve` under load and under faults.

Load: Debian's wrk (bench/serve_load.lua) posts OTLP protobuf bodies from a
second process on loopback at 8, 64 and 256 connections, each body once;
then every span is counted in SQL (stored exactly once: count and distinct
traces), and p50/p99 request latency, spans/s and the server's peak RSS are
printed, against raw batched inserts of the same rows in this run.

Faults:
  - kill -9 of serve while 8 clients post: every request answered 200 must
    be in the file, whole (a 200 means committed);
  - slow and hostile clients at once — 10,000 idle connections, 200
    slowloris clients (a byte a second), a 2 GB Content-Length, a chunked
    body that never ends — while an ordinary client posts: what each got,
    how long the ordinary requests took, the server's peak RSS.

  /usr/bin/python3 bench/bench_serve_load.py build/cli/tracelm build/tracelm   # the table
  /usr/bin/python3 bench/bench_serve_load.py TRACELM EXTENSION --check          # smaller; asserts counts, never times
"""
import http.client
import os
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "cli"))
from protobuf_wire import field  # noqa: E402

TRACELM, EXTENSION = sys.argv[1], sys.argv[2]
CHECK = "--check" in sys.argv
REQUESTS = 60000                          # distinct bodies: more than a level posts
SECONDS = 3 if CHECK else 8               # how long each load level runs
SPANS = 10                                # spans a body
IDLE = 2000 if CHECK else 10000
WORK = tempfile.mkdtemp(prefix="tracelm-serve-load-")
# A sanitized build preloads the sanitizer runtimes for this script (it
# loads the extension); wrk must not get them.
CLIENT_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
failures = []


def check(what, ok, detail=""):
    if not ok:
        failures.append(what)
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": %s" % (detail,)))


def body(request, spans=SPANS):
    """An ExportTraceServiceRequest of one trace; every body the same length."""
    trace = (request + 1).to_bytes(16, "big")
    out = b""
    for i in range(spans):
        s = field(1, 2, trace) + field(2, 2, (i + 1).to_bytes(8, "big")) + field(5, 2, b"step%04d" % i)
        if i:
            s += field(4, 2, (1).to_bytes(8, "big"))
        out += field(2, 2, s + field(7, 1, 1700000000000000000 + i) + field(8, 1, 1700000000000001000 + i))
    return field(1, 2, field(2, 2, out))


def start(db, *args):
    server = subprocess.Popen([TRACELM, "--db", db, "serve", "--port", "0", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline()).group(1))
    return server, port


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) / 1024


def stop(server):
    server.send_signal(signal.SIGTERM)
    _, log = server.communicate(timeout=60)
    return server.returncode, log


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# ------------------------------------------------------------------ load

def raw_rate(spans, triggers=True):
    """Python's sqlite3 inserting the same rows, a transaction a trace: with
    the spans triggers, as any inserter but serve keeps `traces`; without,
    the rows alone with nothing kept (a floor)."""
    db = os.path.join(WORK, "raw.db")
    conn = sqlite3.connect(db)
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.execute("SELECT tracelm_init()")
    if not triggers:
        for name in ("spans_insert_updates_trace", "spans_insert_dirties_facts", "spans_insert_stores_price"):
            conn.execute("DROP TRIGGER " + name)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")   # as serve's connection
    rows = [[("%032x" % (r + 1), "%016x" % (i + 1), None if i == 0 else "%016x" % 1, "step%04d" % i,
              1700000000000000000 + i, 1700000000000001000 + i) for i in range(spans)] for r in range(2000)]
    started = time.perf_counter()
    for batch in rows:
        with conn:
            conn.executemany("INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns)"
                             " VALUES (?, ?, ?, ?, ?, ?)", batch)
    rate = len(rows) * spans / (time.perf_counter() - started)
    conn.close()
    os.unlink(db)
    return rate


def load(connections, spans=SPANS):
    db = os.path.join(WORK, "load_%d_%d.db" % (connections, spans))
    count = REQUESTS if spans <= SPANS else REQUESTS // 5
    bodies = os.path.join(WORK, "bodies_%d" % spans)
    if not os.path.exists(bodies):
        with open(bodies, "wb") as f:
            for r in range(count):
                f.write(body(r, spans))
    size = len(body(0, spans))
    server, port = start(db)
    threads = 2
    done = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % SECONDS, "--timeout", "30s",
                           "-s", os.path.join(HERE, "serve_load.lua"), "http://127.0.0.1:%d/v1/traces" % port],
                          capture_output=True, text=True, timeout=300,
                          env=dict(CLIENT_ENV, BODIES=bodies, BODY_SIZE=str(size), BODY_COUNT=str(count),
                                   THREADS=str(threads)))
    rss = peak_rss_mib(server.pid)
    code, log = stop(server)
    got = dict(re.findall(r"(\w+)=([0-9.]+)", re.search(r"LOAD .*", done.stdout).group(0)))
    conn = sqlite3.connect(db)
    stored, traces = conn.execute("SELECT count(*), count(DISTINCT trace_id) FROM spans").fetchone()
    conn.close()
    return {"connections": connections, "requests": int(got["requests"]), "non200": int(got["non200"]),
            "errors": int(got["errors"]), "p50_ms": int(got["p50_us"]) / 1000, "p99_ms": int(got["p99_us"]) / 1000,
            "spans_per_s": int(got["requests"]) * spans / float(got["seconds"]), "stored": stored, "traces": traces,
            "spans": spans, "bodies": count, "rss": rss, "clean_stop": code == 0, "log": log.strip()}


# ---------------------------------------------------------------- faults

def kill_9():
    """8 clients post distinct bodies; serve is killed with SIGKILL mid-way."""
    db = os.path.join(WORK, "kill.db")
    server, port = start(db)
    acknowledged, lock, stop_at = [], threading.Lock(), time.monotonic() + 1.5

    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        r = k
        while time.monotonic() < stop_at + 5:
            try:
                conn.request("POST", "/v1/traces", body(r), {"Content-Type": "application/x-protobuf"})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return   # the server is gone: this request was never answered
            if response.status == 200:
                with lock:
                    acknowledged.append(r)
            r += 8

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.send_signal(signal.SIGKILL)
    server.wait()
    for t in threads:
        t.join()
    conn = sqlite3.connect(db)
    per_trace = dict(conn.execute("SELECT trace_id, count(*) FROM spans GROUP BY trace_id"))
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    whole = sum(1 for r in acknowledged if per_trace.get("%032x" % (r + 1)) == SPANS)
    partial = sum(1 for n in per_trace.values() if n != SPANS)
    return len(acknowledged), whole, len(per_trace) - whole, partial, integrity


def hostile():
    """Every kind of bad client at once, and an ordinary one among them."""
    db = os.path.join(WORK, "hostile.db")
    server, port = start(db, "--timeout", "5", "--max-body", str(1 << 20))
    results = {}
    idle = []
    for _ in range(IDLE):
        try:
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        except OSError:
            break
    results["idle"] = len(idle)

    slow = []
    for _ in range(200):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)

    def slowloris():
        # One byte a second on each until the server closes it.
        closed = 0
        for second in range(12):
            for s in list(slow):
                try:
                    s.sendall(b"X")
                except OSError:
                    slow.remove(s)
                    closed += 1
            time.sleep(1)
        results["slowloris_closed"] = closed

    def huge_length():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.monotonic()
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                  b"Content-Length: 2147483648\r\n\r\n")
        answer = s.recv(200).split(b"\r\n")[0].decode()
        results["huge"] = "%s in %.0f ms" % (answer, (time.monotonic() - started) * 1000)
        s.close()

    def endless():
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        sent, chunk = 0, b"%x\r\n%s\r\n" % (65536, b" " * 65536)
        try:
            while sent < (64 << 20):
                s.sendall(chunk)
                sent += 65536
        except OSError:
            pass
        try:
            answer = s.recv(200).split(b"\r\n")[0].decode()
        except OSError:
            answer = "closed"
        results["endless"] = "%s after %d KiB" % (answer or "closed", sent // 1024)
        s.close()

    workers = [threading.Thread(target=f) for f in (slowloris, huge_length, endless)]
    for w in workers:
        w.start()
    ordinary = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for r in range(50):
        started = time.monotonic()
        conn.request("POST", "/v1/traces", body(r), {"Content-Type": "application/x-protobuf"})
        response = conn.getresponse()
        response.read()
        ordinary.append((response.status, (time.monotonic() - started) * 1000))
        time.sleep(0.1)
    for w in workers:
        w.join()
    results["rss"] = peak_rss_mib(server.pid)
    still_open = 0
    for s in idle:
        s.setblocking(False)
        try:
            s.recv(1)              # b"": the server closed it
        except BlockingIOError:
            still_open += 1        # nothing to read and not closed
        except OSError:
            pass                   # reset by the server: closed too
        s.close()
    results["idle_after"] = still_open
    code, log = stop(server)
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM spans").fetchone()[0]
    return results, ordinary, stored, code


# ------------------------------------------------------------------ main

if subprocess.run(["sh", "-c", "command -v wrk"], capture_output=True).returncode:
    print("SKIPPED: wrk is not installed (apt-get install wrk)")
    sys.exit(0)
files = raise_file_limit()
raw = raw_rate(SPANS)
levels = [load(c) for c in (8, 64, 256)]
print("| connections | requests answered | non-200 | p50 ms | p99 ms | spans/s | vs. raw (%.0f/s) | spans stored | peak RSS MiB |" % raw)
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for level in levels:
    print("| %d | %d | %d | %.2f | %.2f | %.0f | %.2f× | %d | %.0f |" % (
        level["connections"], level["requests"], level["non200"], level["p50_ms"], level["p99_ms"],
        level["spans_per_s"], level["spans_per_s"] / raw, level["stored"], level["rss"]))
for level in levels:
    # Every answered request stored, each whole and once (a trace a body);
    # requests in flight when wrk stopped may be stored unanswered.
    answered, traces = level["requests"], level["traces"]
    check("%d connections: %d requests answered 200, all stored whole and once (%d traces, %d spans)" % (
          level["connections"], answered, traces, level["stored"]),
          level["non200"] == 0 and level["errors"] == 0 and answered <= traces <= answered + level["connections"]
          and level["stored"] == traces * level["spans"] and answered < level["bodies"], level)
    check("%d connections: a clean stop (%s)" % (level["connections"], level["log"]), level["clean_stop"])
if not CHECK:
    raw100 = raw_rate(100)
    floor100 = raw_rate(100, triggers=False)
    big = load(8, 100)
    print("\nbodies of 100 spans, 8 connections: %.0f spans/s (p50 %.2f ms), raw batched inserts %.0f/s: %.2f×;"
          " without triggers (nothing kept) %.0f/s: %.2f×" % (
              big["spans_per_s"], big["p50_ms"], raw100, big["spans_per_s"] / raw100,
              floor100, big["spans_per_s"] / floor100))

acked, whole, unacked_stored, partial, integrity = kill_9()
print("\nkill -9 while 8 clients post: %d requests answered 200, %d of them in the file whole; "
      "%d stored but not answered (the kill came between commit and reply); %d traces partly stored; "
      "integrity %s" % (acked, whole, unacked_stored, partial, integrity))
check("kill -9: every request answered 200 is stored whole", acked > 0 and whole == acked, (acked, whole))
check("kill -9: no request stored in part, the file intact", partial == 0 and integrity == "ok", (partial, integrity))

results, ordinary, stored, code = hostile()
statuses = sorted({s for s, _ in ordinary})
times = sorted(t for _, t in ordinary)
print("\nhostile clients at once (file descriptors: %d):" % files)
print("  idle connections opened: %d; still open after the 5 s timeout: %d" % (results["idle"], results["idle_after"]))
print("  slowloris (200, a byte a second): %d cut by the server within 12 s (headers due in 5 s)" % results["slowloris_closed"])
print("  Content-Length 2 GB: %s" % results["huge"])
print("  a chunked body that never ends (--max-body 1 MiB): %s" % results["endless"])
print("  an ordinary client meanwhile: 50 requests, statuses %s, p50 %.1f ms, max %.1f ms" % (
      statuses, times[len(times) // 2], times[-1]))
print("  server peak RSS: %.0f MiB" % results["rss"])
check("hostile: the ordinary client was served every time (50 x 200, %d spans stored)" % stored,
      statuses == [200] and stored == 50 * SPANS, (statuses, stored))
check("hostile: the 2 GB Content-Length refused with 413", "413" in results["huge"], results["huge"])
check("hostile: the endless body cut off with 413 or a close", "413" in results["endless"] or "closed" in results["endless"],
      results["endless"])
check("hostile: slowloris clients cut once their headers are late", results["slowloris_closed"] == 200, results)
check("hostile: idle connections closed by the timeout", results["idle_after"] == 0, results)
check("hostile: serve stopped cleanly", code == 0)
subprocess.run(["rm", "-rf", WORK])
print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
