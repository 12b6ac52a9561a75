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

TRACELM = sys.argv[1]
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
status, body = post(port, document("a" * 32))
check("a span already stored: 400, nothing stored twice", status == 400 and "already stored" in body
      and count(db) == 4, body)
status, body = post(port, b"\x0a\x00", {"Content-Type": "application/x-protobuf"})
check("protobuf: 415 saying JSON works", status == 415 and "application/json" in body, (status, body))
check("another content type: 415", post(port, b"x", {"Content-Type": "text/plain"})[0] == 415)
check("another path: 404", post(port, document("d" * 32), path="/v1/metrics")[0] == 404)
check("GET: 405", post(port, None, method="GET")[0] == 405)
check("a body past --max-body: 413", post(port, b" " * 70000 + document("e" * 32))[0] == 413)
bomb = gzip.compress(b"[" + b" " * 5000000 + b"]")
check("a gzip bomb is refused while inflating: 413 (%d bytes sent)" % len(bomb),
      post(port, bomb, {"Content-Encoding": "gzip"})[0] == 413)
check("a corrupt gzip body: 400", post(port, b"not gzip", {"Content-Encoding": "gzip"})[0] == 400)
check("nothing from the refused requests was stored", count(db) == 4)

# 200 requests from 8 clients at once: every span stored once.
results = []
def client(k):
    for j in range(25):
        results.append(post(port, document("%08x" % (k * 100 + j) + "f" * 24, spans=3))[0])
threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
check("200 concurrent requests from 8 clients: all 200", results.count(200) == 200, results[:5])
check("... and 600 more spans stored", count(db) == 604, count(db))

process.send_signal(signal.SIGTERM)
out, err = process.communicate(timeout=20)
check("SIGTERM: exit 0", process.returncode == 0, process.returncode)
check("... with a summary line (%s)" % err.strip(), "requests" in err and "604 spans stored" in err, err)

result = subprocess.run([TRACELM, "--db", db, "serve", "--host", "0.0.0.0"], capture_output=True, text=True)
check("another address without --token: refused",
      result.returncode == 2 and "needs --token TOKEN" in result.stderr, result.stderr)

process, port = start(db, "--token", "s3cret")
check("with --token, no Authorization: 401", post(port, document("9" * 32))[0] == 401)
check("... a wrong token: 401", post(port, document("9" * 32), {"Authorization": "Bearer nope"})[0] == 401)
check("... the right token: 200", post(port, document("9" * 32), {"Authorization": "Bearer s3cret"})[0] == 200)
process.send_signal(signal.SIGINT)
process.communicate(timeout=20)
check("SIGINT: exit 0", process.returncode == 0, process.returncode)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
