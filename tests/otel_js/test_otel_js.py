#!/usr/bin/env python3
"""The official OpenTelemetry JavaScript SDK against `tracelm serve`.

Installs @opentelemetry/sdk-trace-base, exporter-trace-otlp-http and
exporter-trace-otlp-proto (with api and resources) from npm into the build
folder, starts `tracelm serve` on 127.0.0.1, runs send_spans.js (a trace over
OTLP/JSON and one over OTLP protobuf), and checks every id, parent, time to
the nanosecond, kind, status, attribute and the token and model columns.

  test_otel_js.py TRACELM BUILD_DIR
Skips (exit 0, "SKIPPED:") only where node or npm is not installed.
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

TRACELM, BUILD = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGES = ["@opentelemetry/api", "@opentelemetry/sdk-trace-base", "@opentelemetry/resources",
            "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/exporter-trace-otlp-proto"]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))


if shutil.which("node") is None or shutil.which("npm") is None:
    print("SKIPPED: node and npm are not installed (apt-get install nodejs npm)")
    sys.exit(0)

modules = os.path.join(BUILD, "otel_js")
if not os.path.isdir(os.path.join(modules, "node_modules", "@opentelemetry", "exporter-trace-otlp-proto")):
    os.makedirs(modules, exist_ok=True)
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", modules,
                    *PACKAGES], check=True)
version = json.load(open(os.path.join(modules, "node_modules", "@opentelemetry", "sdk-trace-base",
                                      "package.json")))["version"]
print("# @opentelemetry/sdk-trace-base " + version)

work = tempfile.mkdtemp(prefix="tracelm-otel-js-")
db = os.path.join(work, "t.db")
server = subprocess.Popen([TRACELM, "--db", db, "serve", "--port", "0"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
port = int(re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline()).group(1))
sent = subprocess.run(["node", os.path.join(HERE, "send_spans.js"), "http://127.0.0.1:%d/v1/traces" % port],
                      capture_output=True, text=True, env=dict(os.environ, NODE_PATH=os.path.join(modules, "node_modules")),
                      timeout=120)
check("the SDK sent its spans without an error", sent.returncode == 0, sent.stderr[-2000:])
server.send_signal(signal.SIGTERM)
_, summary = server.communicate(timeout=20)
check("the server stopped cleanly (%s)" % summary.strip(), server.returncode == 0)
ids = json.loads(sent.stdout)
conn = sqlite3.connect(db)
for encoding, second, service in (("json", 1700000000, "js-json"), ("proto", 1700000100, "js-proto")):
    made = ids[encoding]
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT span_id, coalesce(parent_id, '-'), name, kind, start_ns, end_ns, status,"
        " coalesce(status_message, '-'), tokens_in, tokens_out, coalesce(model, '-'), service, attrs"
        " FROM spans WHERE trace_id = ?", (made["trace_id"],))}
    base = second * 1000000000
    check(encoding + ": four spans in the SDK's trace", len(rows) == 4, rows)
    check(encoding + ": the root", rows.get(made["root"], ())[:8] ==
          ("-", "rag_pipeline", "server", base + 123456789, base + 1000000005, "unset", "-", 0), rows.get(made["root"]))
    llm = rows.get(made["llm"], ())
    check(encoding + ": the LLM call: parent, kind, times to the ns, error, tokens, model, service",
          llm[:11] == (made["root"], "chat gpt-4o-mini", "client", base + 200000000, base + 900000001,
                       "error", "rate limited", 812, 96, "gpt-4o-mini", service), llm)
    attrs = json.loads(llm[11]) if len(llm) > 11 and llm[11] else {}
    check(encoding + ": the other attributes kept with their types (%s)" % attrs,
          attrs == {"gen_ai.system": "openai", "gen_ai.operation.name": "chat",
                    "gen_ai.usage.cache_read.input_tokens": 512, "gen_ai.response.time_to_first_chunk": 0.25,
                    "gen_ai.conversation.id": "js-conversation",
                    "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"Why is the sky blue?"}]}]',
                    "retries": 2, "temperature": 0.25, "streamed": True})
    # The GenAI views read the SDK's attributes (sql/genai_views.sql): gpt-4o-mini at
    # 0.15 in, 0.075 cache read, 0.60 out: (300 * 0.15 + 512 * 0.075 + 96 * 0.60) / 1e6 = 0.000141;
    # 96 tokens over the 450 ms after the first chunk.
    call = conn.execute("SELECT model, provider, operation, ttft_ns, tokens_in, tokens_out, cache_read_tokens,"
                        " printf('%.7f', cost), round(tokens_per_s, 1), status FROM llm_calls"
                        " WHERE span_id = ?", (made["llm"],)).fetchall()
    check(encoding + ": llm_calls reads the call", call ==
          [("gpt-4o-mini", "openai", "chat", 250000000, 812, 96, 512, "0.0001410", 213.3, "error")], call)
    # The prompt from its attribute, the answer from the older event; the score.
    messages = conn.execute("SELECT source, role, kind, text, finish_reason FROM span_messages"
                            " WHERE trace_id = ? AND span_id = ? ORDER BY source = 'event', message, part",
                            (made["trace_id"], made["llm"])).fetchall()
    check(encoding + ": span_messages reads the prompt and the answer event", messages ==
          [("input", "user", "text", "Why is the sky blue?", None),
           ("event", "assistant", "text", "Rayleigh scattering.", "stop")], messages)
    scores = conn.execute("SELECT span_id, name, value, label, time_ns FROM span_scores WHERE trace_id = ?",
                          (made["trace_id"],)).fetchall()
    check(encoding + ": span_scores reads the evaluation event", scores ==
          [(made["llm"], "relevance", 0.75, "good", base + 890000000)], scores)
    tool = conn.execute("SELECT name, operation, tool_name, tool_call_id, tool_arguments, is_tool FROM span_genai"
                        " WHERE span_id = ?", (made["tool"],)).fetchall()
    check(encoding + ": span_genai reads the tool call", tool ==
          [("execute_tool search", "execute_tool", "search", "call_1", '{"q":"sky"}', 1)], tool)
    check(encoding + ": the child with OK status", rows.get(made["retrieve"], ())[:7] ==
          (made["root"], "retrieve", "internal", base + 130000000, base + 190000000, "ok", "-"),
          rows.get(made["retrieve"]))
conversation = conn.execute("SELECT conversation_id, traces, turns, tokens_in, printf('%.7f', cost)"
                            " FROM conversations").fetchall()
tools = conn.execute("SELECT tool, calls, errors, traces FROM tool_calls").fetchall()
check("tool_calls: search, once in each trace", tools == [("search", 2, 0, 2)], tools)
check("both SDK traces are one conversation", conversation == [("js-conversation", 2, 2, 1624, "0.0002820")],
      conversation)
conn.close()
shutil.rmtree(work, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
