#!/usr/bin/env python3
"""test_html.py — the HTML page in a real browser (Debian's headless Chromium).

For each trace: `tracelm export ID --format html`, load the file in
Chromium, let its script run, and check what a user would see:
  - the machine-readable state the page sets (#tlm-state's data- attributes:
    spans, drawn, lanes, services, critical path segments, ready) against
    what SQL says of the same trace;
  - a screenshot, decoded here, holding the bar colours (not blank);
  - names with <script>, quotes and emoji shown as text, never run.
Traces: the demo, one with an error, a one-span trace, a 100,000-span trace
(size per span asserted; time to first paint recorded, not asserted).

  test_html.py TRACELM SQLITE3 EXTENSION OUT_DIR
Skips (exit 0, "SKIPPED:") where chromium is not installed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from png import count_colour, png_pixels  # noqa: E402

TRACELM, SQLITE3, EXTENSION, OUT = sys.argv[1:5]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=20000"]
INTERNAL, CLIENT, ERROR = (0x4e, 0x79, 0xa7), (0xf2, 0x8e, 0x2b), (0xe1, 0x57, 0x59)
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + detail if detail else ""))


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, check=True, **kw)


# The sqlite3 shell is not instrumented: a sanitized extension needs the
# sanitizer runtimes preloaded into it, and into nothing else (Chromium).
SHELL_ENV = dict(os.environ, **({"LD_PRELOAD": os.environ["TLM_SHELL_PRELOAD"]}
                                if os.environ.get("TLM_SHELL_PRELOAD") else {}))


def sql(db, *queries):
    return run([SQLITE3, db, ".load " + EXTENSION, *queries], env=SHELL_ENV).stdout.strip()


def chromium(html, *extra, fragment=""):
    profile = tempfile.mkdtemp(prefix="tracelm-chromium-")
    try:
        started = time.monotonic()
        result = subprocess.run([CHROMIUM, *FLAGS, "--user-data-dir=" + profile, *extra,
                                 "file://" + os.path.abspath(html) + fragment],
                                capture_output=True, text=True, timeout=180)
        return result.stdout, time.monotonic() - started
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def state(dom):
    tag = re.search(r'<div id="tlm-state"[^>]*>', dom)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(0))) if tag else {}


def export(db, trace, name):
    path = os.path.join(OUT, name + ".html")
    run([TRACELM, "--db", db, "export", trace, "--format", "html", "-o", path])
    return path


def look(db, trace, name, spans, expect_colours):
    """Load the page, check its state against SQL, take a screenshot."""
    html = export(db, trace, name)
    dom, seconds = chromium(html, "--dump-dom")
    s = state(dom)
    check(name + ": the page drew", s.get("ready") == "1", str(s))
    check(name + ": every span is in the data and drawn",
          s.get("spans") == str(spans) and s.get("drawn") == str(spans), str(s))
    lanes = sql(db, "SELECT count(DISTINCT json_extract(value, '$.tid') || '/' || json_extract(value, '$.pid'))"
                    " FROM json_each(export_chrome('%s'), '$.traceEvents') WHERE json_extract(value, '$.ph') = 'X'" % trace)
    check(name + ": one lane per lane of export_chrome (" + lanes + ")", s.get("lanes") == lanes, str(s))
    segments = sql(db, "SELECT count(*) FROM critical_path('%s')" % trace)
    check(name + ": the critical path's " + segments + " segments highlighted", s.get("critical") == segments, str(s))
    png = os.path.join(OUT, name + ".png")   # demo.png is the README's picture
    chromium(html, "--screenshot=" + png, "--window-size=1400,600")
    for label, rgb in expect_colours:
        pixels = count_colour(png, rgb)
        check(name + ": the screenshot shows %s bars (%d pixels)" % (label, pixels), pixels > 50)
    return s, dom, seconds, html


def main():
    if CHROMIUM is None:
        print("SKIPPED: chromium is not installed (apt-get install chromium)")
        return 0
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="tracelm-html-")
    db = os.path.join(work, "t.db")
    try:
        run([TRACELM, "--db", db, "demo"], cwd=work)
        demo = sql(db, "SELECT latest_trace()")
        look(db, demo, "demo", 10, [("internal", INTERNAL), ("client", CLIENT)])

        # A trace with an error, names that try to be markup, quotes and emoji.
        hostile = '<script>document.body.dataset.pwned = 1</script>"\'&'
        csv = os.path.join(work, "odd.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("trace_id,span_id,parent_id,name,start_ns,end_ns,status,status_message,attrs\n")
            f.write('%s,0000000000000001,,"%s",0,100000000,error,"boom </script>",\n' % ("e" * 32, hostile.replace('"', '""')))
            f.write('%s,0000000000000002,0000000000000001,"fetch 🚀 ""quoted""",10000000,60000000,ok,,'
                    '"{""note"":""<img src=x onerror=alert(1)>""}"\n' % ("e" * 32))
            f.write("%s,0000000000000001,,only,0,5000,ok,,\n" % ("f" * 32))
        run([TRACELM, "--db", db, "import", csv])
        s, dom, _, html = look(db, "e" * 32, "error_and_markup", 2, [("error", ERROR), ("internal", INTERNAL)])
        check("markup in names is not run", "data-pwned" not in dom and "pwned" not in state(dom))
        check("... and is shown as text", "&lt;script&gt;document.body.dataset.pwned = 1&lt;/script&gt;" in dom)
        page = open(html, encoding="utf-8").read()
        check("no '</script' inside the data block", page.count("</script>") == 2 and "\\u003c/script>" in page)
        check("emoji survive", "🚀" in page)
        look(db, "f" * 32, "one_span", 1, [("internal", INTERNAL)])

        # An LLM call's messages and score in the detail panel, opened by a
        # link to the span (#span=ID); markup in them stays text.
        sql(db, "INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, model, tokens_in,"
                " tokens_out, attrs) VALUES"
                " ('%s', '0000000000000001', NULL, 'agent', 0, 2000000, NULL, 0, 0, NULL),"
                " ('%s', '0000000000000002', '0000000000000001', 'chat', 0, 1000000, 'gpt-4o-mini', 12, 4,"
                "  json_object('gen_ai.system_instructions', 'Be brief.',"
                "   'gen_ai.input.messages', json_array(json_object('role', 'user', 'parts', json_array(json_object("
                "     'type', 'text', 'content', 'Weather? <img src=x onerror=\"document.body.dataset.pwned=2\">')))),"
                "   'gen_ai.output.messages', json_array(json_object('role', 'assistant', 'parts', json_array("
                "     json_object('type', 'tool_call', 'id', 'call_1', 'name', 'get_weather',"
                "                 'arguments', json_object('city', 'Paris')),"
                "     json_object('type', 'text', 'content', 'Paris is sunny.'))))))"
                % ("d" * 32, "d" * 32),
            "INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs) VALUES ('%s',"
            " '0000000000000002', 0, 1000000, 'gen_ai.evaluation.result', json_object('gen_ai.evaluation.name',"
            " 'relevance', 'gen_ai.evaluation.score.value', 0.9, 'gen_ai.evaluation.score.label', 'good',"
            " 'gen_ai.evaluation.explanation', '<b>fine</b>'))" % ("d" * 32))
        html = export(db, "d" * 32, "messages")
        dom, _ = chromium(html, "--dump-dom", fragment="#span=0000000000000002")
        s = state(dom)
        panel = dom[dom.find('<aside id="details"'):]
        panel = panel[:panel.find("</aside>")]
        check("#span=ID opens the page with that span selected", s.get("selected") == "0000000000000002", str(s))
        parts = re.findall(r'<div class="message (input|output)"><b>([^<]*)</b>(?:<span>([^<]*)</span>)?(?:<pre>([^<]*)</pre>)?</div>', panel)
        check("the detail panel shows the call's messages in order", parts == [
            ("input", "system", "", "Be brief."),
            ("input", "user", "", 'Weather? &lt;img src=x onerror="document.body.dataset.pwned=2"&gt;'),
            ("output", "assistant · tool_call", " get_weather (call_1)", '{"city":"Paris"}'),
            ("output", "assistant", "", "Paris is sunny.")], str(parts) + panel[:2000])
        check("... and its score", "<dt>relevance</dt><dd>0.9 · good · &lt;b&gt;fine&lt;/b&gt;</dd>" in panel, panel[-800:])
        check("... as text: nothing in them ran", "pwned" not in state(dom) and "data-pwned" not in dom)

        # 100,000 spans: size per span, and the time to first paint.
        big = os.path.join(work, "big.db")
        sql(big, "SELECT tracelm_init()",
             "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 99999)"
             " INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, thread_id)"
             " SELECT 'abababababababababababababababab', printf('%016x', j + 1),"
             " iif(j = 0, NULL, printf('%016x', (j - 1) / 8 + 1)), 'step' || (j % 50),"
             " j * 1000, j * 1000 + 500000 - (j % 7) * 1000, j % 4 FROM k")
        html = export(big, "abab", "big")
        per_span = os.path.getsize(html) / 100000
        check("100,000 spans: %.0f bytes a span (at most 250)" % per_span, per_span <= 250)
        dom, seconds = chromium(html, "--dump-dom")
        s = state(dom)
        check("100,000 spans: the page drew all of them", s.get("ready") == "1" and s.get("drawn") == "100000", str(s))
        print("# 100,000 spans: first paint %s ms inside the page, %.1f s for Chromium to load it whole"
              % (s.get("first-paint-ms"), seconds))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
