"""tracelm import on inputs bigger than one chunk: JSON Lines in bounded
memory with errors naming the line and byte of the whole file, a
pretty-printed document, standard input, progress only on a terminal, and
Ctrl-C leaving the database as it was.

Usage: python3 test_import_big.py PATH/TO/tracelm
"""
import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

TRACELM = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="tracelm-import-")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + ok, failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))


def line(n):
    span = {"traceId": "%032x" % (n // 100 + 1), "spanId": "%016x" % (n + 1),
            "name": "step", "kind": 1, "startTimeUnixNano": str(1000 + n),
            "endTimeUnixNano": str(2000 + n), "attributes": [
                {"key": "n", "value": {"intValue": str(n)}},
                {"key": "pad", "value": {"stringValue": "x" * 200}}]}
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "big"}}]},
        "scopeSpans": [{"scope": {"name": "gen"}, "spans": [span]}]}]}, separators=(",", ":"))


def count(db):
    if not os.path.exists(db):
        return 0
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM spans").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def kept(db):
    """`traces` and facts_dirty against the spans: (traces, rows that
    disagree, traces unmarked, integrity_check).  The import runs without
    the spans triggers and the CHECKs, keeping both tables itself
    (common/trace_runs.c); integrity_check tests every CHECK."""
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM traces),"
            " (SELECT count(*) FROM (SELECT trace_id, min(start_ns), max(coalesce(end_ns, start_ns)), count(*),"
            "   (SELECT span_id FROM spans r WHERE r.trace_id = s.trace_id AND parent_id IS NULL ORDER BY rowid DESC),"
            "   max(service) FILTER (WHERE parent_id IS NULL), sum(status = 'error') FROM spans s GROUP BY trace_id"
            "   EXCEPT SELECT trace_id, start_ns, end_ns, span_count, root_span_id, service, errors FROM traces)),"
            " (SELECT count(*) FROM (SELECT trace_id FROM traces EXCEPT SELECT trace_id FROM facts_dirty)),"
            " (SELECT group_concat(integrity_check) FROM pragma_integrity_check)").fetchone()
    finally:
        con.close()


def run(args, stdin=None):
    return subprocess.run([TRACELM] + args, input=stdin, capture_output=True)


LINES = 30000   # about 12 MB: three chunks of 4 MiB
lines = [line(n) for n in range(LINES)]
big = os.path.join(TMP, "big.jsonl")
with open(big, "w") as f:
    f.write("\n".join(lines) + "\n")
size = os.path.getsize(big)

db = os.path.join(TMP, "ok.db")
r = run(["--db", db, "import", big])
check("%d lines (%.1f MB) import" % (LINES, size / 1e6), r.returncode == 0 and count(db) == LINES,
      r.stderr.decode() + r.stdout.decode())
check("it says how many", r.stdout.decode().strip() == "Imported %d spans from %s" % (LINES, big),
      r.stdout)
check("no progress in a pipe", r.stderr == b"", r.stderr[:200])
check("each trace's row kept once a line, as the spans say, and marked for the facts %s" % (kept(db),),
      kept(db) == (LINES // 100, 0, 0, "ok"), kept(db))

# A bad line past the first chunks: named by its line and byte in the file.
bad_at = 25000
broken = lines[:bad_at - 1] + [lines[bad_at - 1][:100]] + lines[bad_at:]
bad = os.path.join(TMP, "bad.jsonl")
with open(bad, "w") as f:
    f.write("\n".join(broken) + "\n")
# cJSON stops at the cut line's last byte.
offset = sum(len(x) + 1 for x in broken[:bad_at - 1]) + 99
db = os.path.join(TMP, "bad.db")
r = run(["--db", db, "import", bad])
message = r.stderr.decode()
check("a cut line fails: exit 1", r.returncode == 1, r.returncode)
check("... naming line %d, byte %d" % (bad_at, offset), "line %d, byte %d:" % (bad_at, offset) in message,
      message)
check("... and nothing is stored", count(db) == 0, count(db))

wrong = lines[:]
wrong[27000] = wrong[27000].replace('"kind":1', '"kind":9')
with open(bad, "w") as f:
    f.write("\n".join(wrong) + "\n")
r = run(["--db", db, "import", bad])
check("a wrong field names its line", "line 27001: resourceSpans[0].scopeSpans[0].spans[0] ('step'):"
      " kind must be 0 to 5" in r.stderr.decode() and count(db) == 0, r.stderr.decode())

# Standard input, and one pretty-printed document.
db = os.path.join(TMP, "stdin.db")
r = run(["--db", db, "import", "-"], stdin=("\n".join(lines[:500]) + "\n").encode())
check("standard input", r.returncode == 0 and count(db) == 500, r.stderr)
pretty = os.path.join(TMP, "pretty.json")
with open(pretty, "w") as f:
    json.dump(json.loads(lines[0]), f, indent=2)
db = os.path.join(TMP, "pretty.db")
r = run(["--db", db, "import", pretty])
check("a pretty-printed document", r.returncode == 0 and count(db) == 1, r.stderr)

# One big pretty-printed document: imported in pieces of whole spans, the
# same rows as whole; a wrong span deep inside is reported as for the whole
# document, and nothing is stored.
def document(spans_a, spans_b):
    def resource(name, spans):
        return {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": name}}]},
                "schemaUrl": "https://example.com/schema",
                "scopeSpans": [{"scope": {"name": "first", "version": "1"}, "spans": spans[:len(spans) // 2]},
                               {"scope": {"name": "second"}, "spans": spans[len(spans) // 2:]}]}
    return {"resourceSpans": [resource("a", spans_a), resource("b", spans_b)]}


all_spans = [json.loads(x)["resourceSpans"][0]["scopeSpans"][0]["spans"][0] for x in lines]
doc = document(all_spans[:20000], all_spans[20000:])
big_doc = os.path.join(TMP, "big_document.json")
with open(big_doc, "w") as f:
    json.dump(doc, f, indent=1)
db = os.path.join(TMP, "document.db")
r = run(["--db", db, "import", big_doc])
con = sqlite3.connect(db)
shape = con.execute("SELECT (SELECT count(*) FROM spans), (SELECT count(*) FROM resources),"
                    " (SELECT count(*) FROM scopes), (SELECT count(DISTINCT service) FROM spans)").fetchone()
con.close()
check("a %.1f MB pretty-printed document imports in pieces" % (os.path.getsize(big_doc) / 1e6),
      r.returncode == 0 and shape == (LINES, 2, 2, 2), (r.stderr, shape))
check("... each trace's row as the spans say %s" % (kept(db),), kept(db) == (LINES // 100, 0, 0, "ok"), kept(db))
doc["resourceSpans"][1]["scopeSpans"][1]["spans"][4000]["kind"] = 9
with open(big_doc, "w") as f:
    json.dump(doc, f, indent=1)
db = os.path.join(TMP, "document_bad.db")
r = run(["--db", db, "import", big_doc])
check("a wrong span deep in it: the whole document's message, nothing stored",
      r.returncode == 1 and "resourceSpans[1].scopeSpans[1].spans[4000] ('step'): kind must be 0 to 5"
      in r.stderr.decode() and count(db) == 0, r.stderr.decode())

# The same document on one line (a compact export): pieces as well.
good = [json.loads(x)["resourceSpans"][0]["scopeSpans"][0]["spans"][0] for x in lines]
with open(big_doc, "w") as f:
    f.write(json.dumps(document(good[:20000], good[20000:]), separators=(",", ":")) + "\n")
db = os.path.join(TMP, "one_line.db")
r = run(["--db", db, "import", big_doc])
check("a %.1f MB document on one line imports" % (os.path.getsize(big_doc) / 1e6),
      r.returncode == 0 and count(db) == LINES, r.stderr)
with open(big_doc, "w") as f:
    f.write("\n" + json.dumps(doc, separators=(",", ":")) + "\n")
db = os.path.join(TMP, "one_line_bad.db")
r = run(["--db", db, "import", big_doc])
check("... and a wrong span in it is named with its line",
      r.returncode == 1 and "line 2: resourceSpans[1].scopeSpans[1].spans[4000] ('step'): kind must be"
      in r.stderr.decode() and count(db) == 0, r.stderr.decode())

# Progress on a terminal: stderr is a pty.
db = os.path.join(TMP, "tty.db")
master, slave = pty.openpty()
proc = subprocess.Popen([TRACELM, "--db", db, "import", big], stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
seen = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
proc.wait()
os.close(master)
text = seen.decode(errors="replace")
check("progress on a terminal: bytes, bar, spans, rate",
      "MB" in text and "[" in text and "100%" in text and "%d spans" % LINES in text
      and "spans/s" in text, text[-300:])

# Ctrl-C while standard input is still coming: nothing stays.
db = os.path.join(TMP, "interrupted.db")
run(["--db", db, "import", "-"], stdin=("\n".join(lines[:10]) + "\n").encode())
proc = subprocess.Popen([TRACELM, "--db", db, "import", "-"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
proc.stdin.write(("\n".join(lines[10:20000]) + "\n").encode())
proc.stdin.flush()
time.sleep(1.0)
proc.send_signal(signal.SIGINT)
out, err = proc.communicate(timeout=60) if False else (None, None)
proc.wait(timeout=60)
err = proc.stderr.read().decode()
proc.stdin.close()
check("Ctrl-C: exit 130", proc.returncode == 130, (proc.returncode, err))
check("... says so", "interrupted: nothing of '-' was imported" in err, err)
check("... and the database is as it was", count(db) == 10, count(db))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
