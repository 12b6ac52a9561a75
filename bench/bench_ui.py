#!/usr/bin/env python3
"""bench_ui.py — the trace browser's list on 100,000 traces, server side.

Makes the file of bench/ui_traces_100k.sql, starts `tracelm serve`, builds
the facts once (the first list request does), then asks each list page the
browser asks for, five times, and prints the median time of the HTTP
request.  Two baselines measured in the same run: an HTTP request for a
static file of the same server (the no-op: what HTTP itself costs), and
the plain SQL a hand-written list would run for the newest 50 traces
(`SELECT ... FROM traces ORDER BY start_ns DESC LIMIT 50`, in-process).

  /usr/bin/python3 bench/bench_ui.py build/cli/tracelm [TRACES_SQL]
"""
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TRACELM = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "ui_traces_100k.sql")
PAGES = [("newest first", ""), ("page 2", "offset=50"), ("page 1,000", "offset=49950"),
         ("label", "label=main"), ("service + errors", "service=worker&status=error"),
         ("root + min duration", "root=agent&min_ns=500000000"), ("search", "q=agent"),
         ("model", "model=gpt-4o-mini"), ("by duration", "sort=duration_ns"),
         ("by cost", "sort=cost"), ("by cost, label", "sort=cost&label=main"),
         ("min cost", "min_cost=0.00001")]

work = tempfile.mkdtemp(prefix="tracelm-bench-ui-")
db = os.path.join(work, "ui.db")
subprocess.run([TRACELM, "--db", db, "prices", "list"], capture_output=True, check=True)
with sqlite3.connect(db) as conn:
    conn.executescript(open(GENERATOR).read())
    traces = conn.execute("SELECT count(*) FROM traces").fetchone()[0]
server = subprocess.Popen([TRACELM, "--db", db, "serve", "--port", "0"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
base = "http://127.0.0.1:%s/" % re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline()).group(1)


def get(path):
    start = time.perf_counter()
    with urllib.request.urlopen(base + path) as answer:
        answer.read()
    return (time.perf_counter() - start) * 1000


def median_ms(fn, runs=5):
    return statistics.median(fn() for _ in range(runs))


first = get("api/traces")
noop = median_ms(lambda: get("assets/login.js"))
with sqlite3.connect(db) as conn:
    def plain():
        start = time.perf_counter()
        conn.execute("SELECT trace_id, start_ns, end_ns - start_ns, service, root_name, label, span_count,"
                     " tokens_in + tokens_out, cost, errors FROM traces ORDER BY start_ns DESC LIMIT 51").fetchall()
        return (time.perf_counter() - start) * 1000
    sql = median_ms(plain)
print("# %d traces; the first list request built the facts of all: %.0f ms" % (traces, first))
print("| page of 50 | ms (median of 5) | vs. plain SQL (%.2f ms) | vs. HTTP no-op (%.2f ms) |" % (sql, noop))
print("|---|---:|---:|---:|")
for name, query in PAGES:
    ms = median_ms(lambda: get("api/traces?" + query))
    print("| %s | %.1f | %.1f× | %.1f× |" % (name, ms, ms / sql, ms / noop))
server.send_signal(signal.SIGTERM)
server.communicate(timeout=30)
subprocess.run(["rm", "-rf", work])
