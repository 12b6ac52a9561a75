#!/usr/bin/env python3
"""bench_import.py — `tracelm import` of a big OTLP JSON Lines file: spans
per second against raw batched SQLite inserts of the same rows in the same
run, and peak memory (the process's max RSS) per MB of input; then one
single document of a tenth of the spans, whose memory is bounded by its
size, not by the line.

Lines hold 100 spans each (a Collector file exporter's batches), spans
carry a service, a kind, two attributes.  The baseline inserts the same
rows (every column the import fills) with executemany, 10,000 per
transaction, into a new TraceLM database.  Prints a table; asserts
nothing.

  /usr/bin/python3 bench/bench_import.py build/cli/tracelm build/tracelm [SPANS] [DIR]
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

TRACELM, EXTENSION = sys.argv[1], sys.argv[2]
SPANS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
FOLDER = sys.argv[4] if len(sys.argv) > 4 else tempfile.gettempdir()
PER_LINE = 100


def span(n):
    trace = "%032x" % (n // 1000 + 1)
    return {"traceId": trace, "spanId": "%016x" % (n + 1),
            "parentSpanId": "" if n % 1000 == 0 else "%016x" % (n - n % 1000 + 1),
            "name": "step%d" % (n % 10), "kind": 1 + n % 3,
            "startTimeUnixNano": str(1700000000000000000 + n * 1000),
            "endTimeUnixNano": str(1700000000000000000 + n * 1000 + 500),
            "attributes": [{"key": "n", "value": {"intValue": str(n)}},
                           {"key": "query", "value": {"stringValue": "what is in document %d?" % n}}]}


def request(spans):
    return {"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "rag"}}]},
        "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}]}]}


def fresh(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.unlink(path + suffix)
    return path


def run_import(db, path):
    """Seconds, and the peak RSS (VmHWM, read from /proc while it runs: a
    child's ru_maxrss would count this script's memory from before exec)."""
    started = time.perf_counter()
    proc = subprocess.Popen([TRACELM, "--db", db, "import", path], stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            with open("/proc/%d/status" % proc.pid) as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
        except OSError:
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit("tracelm import failed")
    return seconds, peak


def raw_rate(count):
    conn = sqlite3.connect(fresh(os.path.join(FOLDER, "bench_import_raw.db")))
    conn.enable_load_extension(True)
    conn.load_extension(EXTENSION)
    conn.execute("SELECT tracelm_init()")
    conn.execute("PRAGMA journal_mode=WAL")
    kinds = ["unspecified", "internal", "server", "client"]
    started = time.perf_counter()
    batch = []
    for n in range(count):
        s = span(n)
        batch.append((s["traceId"], s["spanId"], s["parentSpanId"] or None, s["name"], kinds[s["kind"]],
                      int(s["startTimeUnixNano"]), int(s["endTimeUnixNano"]), "rag",
                      json.dumps({"n": n, "query": s["attributes"][1]["value"]["stringValue"]},
                                 separators=(",", ":"))))
        if len(batch) == 10000 or n == count - 1:
            with conn:
                conn.executemany("INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns,"
                                 " end_ns, service, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    seconds = time.perf_counter() - started
    conn.close()
    return count / seconds


lines_path = os.path.join(FOLDER, "bench_import.jsonl")
with open(lines_path, "w") as f:
    for first in range(0, SPANS, PER_LINE):
        f.write(json.dumps(request([span(n) for n in range(first, min(first + PER_LINE, SPANS))]),
                           separators=(",", ":")) + "\n")
document_path = os.path.join(FOLDER, "bench_import_document.json")
with open(document_path, "w") as f:
    json.dump(request([span(n) for n in range(SPANS // 10)]), f, separators=(",", ":"))

raw = raw_rate(SPANS)
seconds, rss = run_import(fresh(os.path.join(FOLDER, "bench_import.db")), lines_path)
doc_seconds, doc_rss = run_import(fresh(os.path.join(FOLDER, "bench_import_doc.db")), document_path)
lines_mb = os.path.getsize(lines_path) / 1e6
doc_mb = os.path.getsize(document_path) / 1e6
print("%-54s %12s %8s" % ("measure", "value", "ratio"))
print("%-54s %10.0f/s %8.2f" % ("import, JSON Lines, %d spans (%.0f MB)" % (SPANS, lines_mb),
                                  SPANS / seconds, SPANS / seconds / raw))
print("%-54s %10.0f/s %8.2f" % ("raw batched inserts of the same rows (baseline)", raw, 1.0))
print("%-54s %9.0f MB %8.2f" % ("peak memory, JSON Lines (ratio: per MB of input)", rss / 1e6,
                                  rss / 1e6 / lines_mb))
print("%-54s %9.0f MB %8.2f" % ("peak memory, one document of %d spans (%.0f MB)" % (SPANS // 10, doc_mb),
                                  doc_rss / 1e6, doc_rss / 1e6 / doc_mb))
print("%-54s %10.0f/s" % ("import, one document", SPANS // 10 / doc_seconds))
for path in (lines_path, document_path):
    os.unlink(path)
