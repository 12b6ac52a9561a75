#!/usr/bin/env python3
"""record.py DB LABEL TRACES RETRIEVE_MS [--hostile]: a run of the ui test's
data, recorded with the tracelm package as an app would: TRACES traces of
rag_pipeline (retrieve sleeping RETRIEVE_MS, one LLM call in a
conversation), labelled LABEL.  --hostile adds a trace whose span names and
attributes are markup and script, and which failed."""
import sys
import time

import tracelm

db, label, traces, retrieve_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
tracelm.init(db=db, service="ui-test", run_label=label)
for i in range(traces):
    with tracelm.conversation("conv-%s-%d" % (label, i % 2)):
        with tracelm.span("rag_pipeline"):
            with tracelm.span("retrieve"):
                time.sleep(retrieve_ms / 1000)
            with tracelm.llm("chat", model="gpt-4o-mini", provider="openai") as call:
                time.sleep(0.001)
                call.first_token()
                call.usage(input=100 + i, output=20)
if "--hostile" in sys.argv:
    with tracelm.span("<script>window.__xss=1</script>") as root:
        root.set("link", "javascript:window.__xss=3")
        root.set("html", '<img src=x onerror="window.__xss=2">')
        with tracelm.span('<img src=x onerror="window.__xss=2">') as child:
            child.set_error("boom <b>bold</b>")
            child.set("url", "javascript:alert(1)")
            with tracelm.llm("chat", model="gpt-4o-mini") as call:
                call.messages(input=[{"role": "user", "parts": [{"type": "text",
                                                                 "content": "<script>window.__xss=4</script>"}]}],
                              output=[{"role": "assistant", "parts": [{"type": "text", "content": "<b>no</b>"}]}])
                call.score("safety", 0.0, label="<img src=x onerror=window.__xss=5>", explanation="markup <i>inert</i>")
tracelm.shutdown()
