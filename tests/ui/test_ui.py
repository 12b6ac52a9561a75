#!/usr/bin/env python3
"""test_ui.py — the trace browser of `tracelm serve` in a real browser.

Records runs with the tracelm package (two labels, a conversation per
trace pair, an LLM call each, and a trace whose names and attributes are
markup and script), starts `tracelm serve`, and has browse.js (Playwright
driving Debian's Chromium) click through every page.  What each page
showed is checked here against SQL on the same file; the screenshots are
decoded and checked for drawn content.  Then 100,000 traces: the list's
pages as the browser asks for them, timed from the server's log.

  test_ui.py TRACELM BUILD_DIR OUT_DIR
Skips (exit 0, "SKIPPED:") where node, npm or chromium is missing.
"""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

TRACELM, BUILD, OUT = sys.argv[1:4]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from png import png_pixels  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The sanitized build preloads the sanitizer runtimes for this script and the
# recorder it loads; node and chromium must not get them.
BROWSER_ENV = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[-2000:]))


if shutil.which("node") is None or shutil.which("npm") is None or CHROMIUM is None:
    print("SKIPPED: node, npm or chromium is not installed (apt-get install nodejs npm chromium)")
    sys.exit(0)

modules = os.path.join(BUILD, "ui_js")
if not os.path.isdir(os.path.join(modules, "node_modules", "playwright-core")):
    os.makedirs(modules, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", modules,
                    "playwright-core"], check=True, env=BROWSER_ENV)
os.makedirs(OUT, exist_ok=True)
work = tempfile.mkdtemp(prefix="tracelm-ui-")
db = os.path.join(work, "t.db")
env = dict(os.environ, PYTHONPATH=os.path.join(BUILD, "python"))
for label, n, ms, extra in (("main", 6, 2, ["--hostile"]), ("branch", 6, 12, [])):
    subprocess.run([sys.executable, os.path.join(HERE, "record.py"), db, label, str(n), str(ms), *extra],
                   check=True, env=env)


def serve(path, *args):
    p = subprocess.Popen([TRACELM, "--db", path, "serve", "--port", "0", "--verbose", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", p.stdout.readline()).group(1))
    return p, "http://127.0.0.1:%d/" % port


def stop(p):
    p.send_signal(signal.SIGTERM)
    _, log = p.communicate(timeout=30)
    return p.returncode, log


with sqlite3.connect(db) as c:
    recorded = c.execute("SELECT count(*) FROM spans").fetchone()[0]
made = subprocess.run([TRACELM, "--db", db, "compare", "--baseline", "main", "--candidate", "branch",
                       "--format", "html", "-o", os.path.join(OUT, "compare.html")], capture_output=True, text=True)
check("compare --format html: writes the file and says where (%s)" % made.stdout.strip(),
      made.returncode == 0 and made.stdout.strip() == os.path.join(OUT, "compare.html"), made.stderr)
server, base = serve(db)
token_db = os.path.join(work, "token.db")
shutil.copyfile(db, token_db)
token_server, token_base = serve(token_db, "--token", "s3cret-token")
browse = subprocess.run(["node", os.path.join(HERE, "browse.js"), base, token_base, "s3cret-token", OUT],
                        capture_output=True, text=True, timeout=300,
                        env=dict(BROWSER_ENV, NODE_PATH=os.path.join(modules, "node_modules"), CHROMIUM=CHROMIUM))
code, log = stop(server)
check("serve stopped cleanly on SIGTERM", code == 0, log[-500:])
stop(token_server)
check("browse.js clicked through every page", browse.returncode == 0, browse.stderr)
if browse.returncode:
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1)
r = json.loads(browse.stdout.strip().splitlines()[-1])
if os.environ.get("TLM_UI_DEBUG"):
    print(json.dumps(r, indent=1)[:6000])
conn = sqlite3.connect(db)
q = lambda sql, *a: conn.execute(sql, a).fetchall()

# The list: newest first, what SQL says (before the live traces).
newest = q("SELECT trace_id, root_name, label, span_count, errors FROM traces"
           " WHERE service = 'ui-test' ORDER BY start_ns DESC, trace_id DESC")
shown = [(row[0], row[3], row[4], int(row[6]), int(row[9] or 0)) for row in r["list"]]
check("list: every trace, newest first, with root, label, spans, errors (%d rows)" % len(shown),
      [(s[0][:12], s[1], s[2], s[3], s[4]) for s in shown] ==
      [(t[0][:12], t[1], t[2] or "", t[3], t[4]) for t in newest], (shown, newest))
check("list: the status says how long it took (%s)" % r["listStatus"], re.match(r"13 traces in \d+ ms", r["listStatus"]))
check("list: the page counter", r["pageInfo"] == "1–13", r["pageInfo"])
branch = [t[0][:12] for t in newest if t[2] == "branch"]
check("filter by label (the select): the branch run's 6 traces", [row[0][:12] for row in r["byLabel"]] == branch,
      r["byLabel"])
check("... and the filter is in the address (%s)" % r["hashAfterFilter"], "label=branch" in r["hashAfterFilter"])
hostile = q("SELECT trace_id FROM traces WHERE errors > 0")
check("search '<script>' finds the trace whose span name holds it",
      [row[0][:12] for row in r["search"]] == [hostile[0][0][:12]], r["search"])
check("status 'with errors': the one failed trace", [row[0][:12] for row in r["errors"]] == [hostile[0][0][:12]],
      r["errors"])
by_duration = q("SELECT trace_id FROM traces WHERE service = 'ui-test' ORDER BY end_ns - start_ns, trace_id")
check("sort by duration, ascending (two clicks on the heading)",
      [row[0][:12] for row in r["byDurationAsc"]] == [t[0][:12] for t in by_duration], r["byDurationAsc"])

# The hostile trace's page: names as text, nothing run.
check("trace page: its address", r["traceHash"] == "#/trace/" + hostile[0][0], r["traceHash"])
check("trace page: the root's name shown as text", r["title"] == "<script>window.__xss=1</script>", r["title"])
tree = q("SELECT name FROM spans WHERE trace_id = ? ORDER BY parent_id IS NOT NULL, start_ns", hostile[0][0])
check("trace page: the tree's names, as text", [row[0].strip("\u2003") for row in r["tree"]] == [t[0] for t in tree],
      r["tree"])
check("trace page: the summary's spans and errors", r["summary"].get("spans") == "3" and r["summary"].get("errors") == "1",
      r["summary"])
check("span detail: the failed child, its message as text",
      r["span"].get("status") == "error: boom <b>bold</b>", r["span"])
check("span detail: a javascript: attribute is text, not a link",
      ["url", "javascript:alert(1)"] in r["spanAttrs"], r["spanAttrs"])
check("span detail: the LLM call's messages, markup as text",
      r["messages"] == ["user <script>window.__xss=4</script>", "assistant <b>no</b>"], r["messages"])
check("span detail: its score, markup as text",
      r["scores"] == [["safety", "0", "<img src=x onerror=window.__xss=5>", "markup <i>inert</i>"]], r["scores"])
check("timeline: export_html's page ran under the nonce (%s spans drawn)" % r["timeline"].get("drawn"),
      r["timeline"].get("spans") == "3" and r["timeline"].get("ready") is not None, r["timeline"])
check("no script of the data ran anywhere (window.__xss unset, no dialog)",
      r.get("xssTrace") is None and r.get("xssOther") is None and not r["seen"]["dialogs"], r["seen"])
check("no page error, no CSP violation", not r["seen"]["errors"] and not r["seen"]["csp"], r["seen"])

# A normal trace: tree and critical path as SQL says; neighbours; other runs.
tid = r["normal"]["hash"].split("/")[-1]
ext = sqlite3.connect(db)
ext.enable_load_extension(True)
ext.load_extension(os.path.join(BUILD, "tracelm"))
tree = ext.execute("SELECT name, format_duration(duration_ns) FROM trace_tree(?)", (tid,)).fetchall()
check("trace page: tree rows = trace_tree (name, duration)",
      [(row[0].strip("\u2003"), row[2]) for row in r["normal"]["tree"]] == [tuple(t) for t in tree],
      (r["normal"]["tree"], tree))
crit = ext.execute("SELECT name, format_duration(seg_start_ns - (SELECT start_ns FROM traces WHERE trace_id = ?1)),"
                   " format_duration(self_ns) FROM critical_path(?1)", (tid,)).fetchall()
check("trace page: critical path = critical_path(), from the trace's start",
      [(row[0], row[1], row[3]) for row in r["normal"]["critical"]] ==
      [tuple(c) for c in crit], (r["normal"]["critical"], crit))
runs = q("SELECT count(*) FROM traces WHERE root_name = 'rag_pipeline' AND trace_id <> ?", tid)[0][0]
check("trace page: the same root's other runs (%d)" % runs, len(r["normal"]["runs"]) == runs, r["normal"]["runs"])
older = q("SELECT trace_id FROM traces WHERE start_ns < (SELECT start_ns FROM traces WHERE trace_id = ?)"
          " ORDER BY start_ns DESC LIMIT 1", tid)
check("trace page: the link to the older neighbour", r["normal"]["older"] == "#/trace/" + older[0][0], r["normal"])

# Runs: compare_runs' rows, regressions first, examples linked.
rows = ext.execute("SELECT iif(kind = 'score', 'score: ' || path, path), change, significant"
                   " FROM compare_runs('main', 'branch')").fetchall()
retrieve = [row for row in rows if row[0] == "rag_pipeline/retrieve"][0]
check("runs: retrieve is a significant regression (%s)" % (retrieve,), retrieve[1:] == ("slower", 1), rows)
regressions = sorted(row[0] for row in rows if row[1:] == ("slower", 1))
first = len(regressions)
check("runs: the significant regressions (%s) come first, marked" % ", ".join(regressions),
      sorted(row[0] for row in r["compare"][:first]) == regressions
      and r["compareClasses"][:first] == ["regression"] * first and "regression" not in r["compareClasses"][first:],
      (r["compare"], r["compareClasses"]))
check("runs: every compare_runs row shown", sorted(row[0] for row in r["compare"]) == sorted(row[0] for row in rows),
      r["compare"])
check("runs: the row links to three examples of each side",
      len(r["compareLinks"]) == 6 and all(re.match(r"#/trace/[0-9a-f]{32}$", h) for h in r["compareLinks"]),
      r["compareLinks"])

check("compare --format html: the file shows the same rows as the runs page, in the same order",
      [row[:10] for row in r["file"]["rows"]] == [row[:10] for row in r["compare"]], r["file"]["rows"])
check("compare --format html: the title names both sets, and no data ran as script",
      r["file"]["title"] == "Runs: main → branch" and r["file"].get("xss") is None, r["file"])
models = ext.execute("SELECT model, count(*), sum(tokens_in) FROM llm_calls GROUP BY model").fetchall()
check("LLM calls: per model, calls and tokens in (%s)" % models,
      [(row[0], int(row[1]), int(row[3])) for row in r["models"]] == [tuple(m) for m in models], r["models"])
branch_models = ext.execute("SELECT l.model, count(*), sum(l.tokens_in) FROM llm_calls l JOIN traces t USING (trace_id)"
                            " WHERE t.label = 'branch' GROUP BY l.model").fetchall()
check("LLM calls, label 'branch': its calls only (%s)" % branch_models,
      [(row[0], int(row[1]), int(row[3])) for row in r["modelsBranch"]] == [tuple(m) for m in branch_models]
      and r["callsBranch"] == 6, (r["modelsBranch"], r["callsBranch"]))
check("conversations, label 'main': its two conversations",
      sorted(row[0] for row in r["conversationsMain"]) == ["conv-main-0", "conv-main-1"], r["conversationsMain"])
convs = ext.execute("SELECT count(*) FROM conversations").fetchone()[0]
check("conversations: one row each (%d)" % convs, len(r["conversations"]) == convs, r["conversations"])
check("conversations: a click lists that conversation's traces (3)", len(r["conversationTraces"]) == 3,
      r["conversationTraces"])

sql_rows = q("SELECT trace_id, name FROM spans WHERE name = 'retrieve' ORDER BY rowid LIMIT 3")
check("SQL box: the query's rows", [tuple(row) for row in r["sql"]] == [tuple(s) for s in sql_rows], r["sql"])
check("SQL box: trace ids are links", r["sqlLinks"] == 3, r["sqlLinks"])
check("SQL box: a write is refused (%s)" % r["sqlWrite"], r["sqlWrite"] == "not authorized", r["sqlWrite"])
check("SQL box: docs/sql.md's examples listed (%d)" % r["examples"], r["examples"] >= 10)
check("SQL box: the write did nothing (%d spans)" % recorded, q("SELECT count(*) FROM spans WHERE service = 'ui-test'")[0][0] == recorded)

check("live: a trace sent over OTLP appeared in the open list", r["live"] is True)
check("live: paused, the next one did not appear", r["pausedShows"] == 0, r["pausedShows"])
check("live: resumed, it did", r["resumed"] is True)

check("--token: the browser is sent to /login", r["loginUrl"] == token_base + "login", r["loginUrl"])
check("--token: a wrong token is refused", r["loginWrong"] == "wrong token", r["loginWrong"])
check("--token: the right one shows the list, the token never in the address",
      r["loggedInRows"] == 13 and "s3cret" not in r["loggedInUrl"], r["loggedInUrl"])
check("--token: the session cookie is HttpOnly and SameSite=Strict",
      r["cookies"] == [{"name": "tracelm_session", "httpOnly": True, "sameSite": "Strict"}], r["cookies"])
check("--token: the API answers the session (200) and refuses others (401)", r["apiStatus"] == [200, 401],
      r["apiStatus"])


def drawn(path):
    """Distinct colours in a screenshot: a blank or unstyled page has few."""
    width, height, rows, channels = png_pixels(path)
    colours = {tuple(line[x:x + 3]) for line in rows[::4] for x in range(0, width * channels, channels * 4)}
    return width, height, len(colours)


for shot in ("traces", "trace", "runs", "compare_file"):
    w, h, colours = drawn(os.path.join(OUT, shot + ".png"))
    check("screenshot %s.png: %dx%d, %d colours (drawn and styled)" % (shot, w, h, colours),
          (w, h) == (1400, 900) and colours >= 8, colours)

# 100,000 traces: the list's pages as the browser asks, timed by the server.
big = os.path.join(work, "big.db")
subprocess.run([TRACELM, "--db", big, "prices", "list"], capture_output=True, check=True)
bconn = sqlite3.connect(big)
bconn.executescript(open(os.path.join(HERE, "..", "..", "bench", "ui_traces_100k.sql")).read())
bconn.commit()
bconn.close()
server, base = serve(big)
pages = subprocess.run(["node", "-e", """
const { chromium } = require('playwright-core');
(async () => {
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
  const p = await b.newPage();
  let n = 0;   // a new query string each time: a full load, not a hash change
  const ready = async h => { await p.goto(process.argv[1] + '?load=' + n++ + h); await p.waitForFunction(() => document.body.dataset.ready === 'traces', null, { timeout: 120000 }); };
  for (const h of ['#/traces', '#/traces', '#/traces?offset=50', '#/traces?label=main', '#/traces?service=worker&status=error',
                   '#/traces?sort=duration_ns', '#/traces?sort=cost&dir=asc', '#/traces?root=agent&min_ms=500']) await ready(h);
  console.log((await p.$$('#traces tbody tr')).length);
  await b.close();
})().catch(e => { console.error(e); process.exit(1); });
""", base], capture_output=True, text=True, timeout=600,
   env=dict(BROWSER_ENV, NODE_PATH=os.path.join(modules, "node_modules"), CHROMIUM=CHROMIUM))
# The pages sorted by cost (the index walk once every trace's facts are
# built) against SQL over the same file.
import urllib.request
bq = sqlite3.connect(big)
for query, sql in (("sort=cost", "SELECT trace_id FROM trace_facts ORDER BY cost DESC, trace_id DESC LIMIT 50"),
                   ("sort=cost&dir=asc&label=main",
                    "SELECT f.trace_id FROM trace_facts f JOIN traces t USING (trace_id) WHERE t.label = 'main'"
                    " ORDER BY f.cost, f.trace_id LIMIT 50"),
                   ("sort=cost&offset=50&service=worker",
                    "SELECT f.trace_id FROM trace_facts f JOIN traces t USING (trace_id) WHERE t.service = 'worker'"
                    " ORDER BY f.cost DESC, f.trace_id DESC LIMIT 50 OFFSET 50")):
    with urllib.request.urlopen(base + "api/traces?" + query) as answer:
        page = [row[0] for row in json.load(answer)["rows"]]
    want = [row[0] for row in bq.execute(sql)]
    check("100,000 traces, %s: the page SQL gives" % query, page == want, (page[:3], want[:3]))
bq.close()
code, log = stop(server)
check("100,000 traces: the browser went through eight list pages", pages.returncode == 0 and pages.stdout.strip() == "50",
      pages.stderr)
times = [float(t) for t in re.findall(r"GET /api/traces ([0-9.]+) ms", log)]   # eight pages, three sorted by cost
check("100,000 traces: the server logged each list request's time (%d)" % len(times), len(times) == 11, log[-1000:])
if len(times) == 11:
    print("# 100,000 traces, GET /api/traces in ms (the first builds the facts of all): " +
          ", ".join("%.1f" % t for t in times))
shutil.rmtree(work, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
