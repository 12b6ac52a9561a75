#!/bin/sh
# End-to-end tests of the tracelm command, in an empty temporary directory.
# Usage: test_cli.sh TRACELM SOURCE_DIR LIBTRACELM_A
# Prints one line per check and "N passed, N failed" at the end.
TRACELM=$1 SOURCE=$2 LIBRARY=$3
WORK=$(mktemp -d /tmp/tracelm-cli-XXXXXX)
cd "$WORK" || exit 1
unset TRACELM_DB TRACEPARENT NO_COLOR
export LANG=C.UTF-8
passed=0 failed=0

ok(){ passed=$((passed + 1)); echo "ok   $1"; }
bad(){ failed=$((failed + 1)); echo "FAIL $1"; shift; for line in "$@"; do echo "     $line"; done; }

# expect NAME STATUS EXPECTED_STDERR -- COMMAND...: exact status and stderr.
expect(){
  name=$1 status=$2 message=$3; shift 4
  "$@" >out.txt 2>err.txt; got=$?
  if [ "$got" = "$status" ] && [ "$(cat err.txt)" = "$message" ]; then ok "$name"
  else bad "$name" "status $got (want $status)" "stderr: $(cat err.txt)" "want:   $message"; fi
}
# contains NAME TEXT FILE
contains(){ if grep -qF -- "$2" "$3"; then ok "$1"; else bad "$1" "no '$2' in:" "$(head -40 "$3")"; fi; }
lacks(){ if grep -qF -- "$2" "$3"; then bad "$1" "'$2' should not be in $3"; else ok "$1"; fi; }
# same NAME ACTUAL EXPECTED
same(){ if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2" "want: $3"; fi; }
query(){ sqlite3 "${DB:-tracelm.db}" "$1"; }

NO_TRACES='No traces yet. Run `tracelm demo` or `tracelm run -- CMD` first.'

# ---- before anything is recorded
expect "latest without a database" 1 "$NO_TRACES" -- "$TRACELM" latest
expect "list without a database" 1 "$NO_TRACES" -- "$TRACELM" list
same "nothing was created" "$(ls)" "err.txt
out.txt"
expect "--version" 0 "" -- "$TRACELM" --version
same "version text" "$(cat out.txt)" "tracelm 0.1.0"
expect "--help" 0 "" -- "$TRACELM" --help
for command in demo init run list latest analyze compare stats conversations prune export import; do
  contains "--help lists $command" "  $command " out.txt
done
expect "unknown command" 2 "tracelm: unknown command 'frobnicate'
Run 'tracelm --help' for usage." -- "$TRACELM" frobnicate
expect "bad option" 2 "tracelm list: --limit takes a positive number, not 'many'
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" list --limit many

# ---- demo
expect "demo" 0 "" -- "$TRACELM" demo
cp out.txt demo.txt
for section in "Trace Summary" "Anomalies" "Duration Histogram" "Execution Tree" \
               "Critical path" "Tokens         826 in / 96 out" "│   ├── embed_query"; do
  contains "demo prints '$section'" "$section" demo.txt
done
# The path goes through the search that finished last (search_faq sleeps
# longest, but a loaded machine may reorder them: ask the database) and
# skips the searches that ran alongside it.  One that ended before it began
# (its thread started that late) is rightly on the path.
grep "Critical path" demo.txt > path.txt
last=$(query "SELECT name FROM spans WHERE name LIKE 'search_%' ORDER BY end_ns DESC LIMIT 1")
contains "critical path goes through the last retrieval to finish ($last)" "$last" path.txt
for other in $(query "SELECT name FROM spans WHERE name LIKE 'search_%' AND name <> '$last'
                        AND end_ns > (SELECT start_ns FROM spans WHERE name = '$last')"); do
  lacks "critical path skips $other, which ran in parallel" "$other" path.txt
done
first=$(query "SELECT trace_id FROM traces ORDER BY start_ns LIMIT 1")
same "demo trace has 10 spans" "$(query "SELECT span_count FROM traces")" "10"
same "three retrievals on three other threads" \
  "$(query "SELECT count(DISTINCT thread_id) FROM spans WHERE name LIKE 'search_%'")" "3"
expect "demo sampled out" 0 "" -- "$TRACELM" --db sampled.db demo --sample-rate 0
contains "sampled out is said" "was sampled out (rate 0): nothing was recorded." out.txt

# ---- the seed's flow: init, build, run, latest, export
expect "init" 0 "" -- "$TRACELM" init
contains "init says how to build" 'cc tracelm_example.c -o tracelm_example $(pkg-config --cflags --libs tracelm)' out.txt
contains "init says how to run" "tracelm run -- ./tracelm_example" out.txt
expect "init refuses to overwrite" 1 "tracelm init: tracelm_example.c exists; use --force to overwrite it" -- "$TRACELM" init
expect "init --force" 0 "" -- "$TRACELM" init --force
expect "init into new folders" 0 "" -- "$TRACELM" init deep/er/app.c
contains "init names the program" "tracelm run -- deep/er/app" out.txt
if cc $TLM_CFLAGS -I"$SOURCE/recorder/include" tracelm_example.c -o tracelm_example \
     "$LIBRARY" -lsqlite3 -lcjson -lcurl -lprotobuf-c -lm -lpthread 2>cc.txt; then ok "the starter builds"
else bad "the starter builds" "$(cat cc.txt)"; fi
expect "run the starter" 0 "" -- "$TRACELM" run -- ./tracelm_example
contains "run passes the program's output" "recorded one trace" out.txt
contains "run prints the analysis" "Execution Tree" out.txt
run_trace=$(query "SELECT trace_id FROM spans WHERE name = 'tracelm_example'")
same "the program's spans joined the run's trace" \
  "$(query "SELECT c.name || '<' || p.name FROM spans c JOIN spans p ON p.span_id = c.parent_id AND p.trace_id = c.trace_id WHERE c.trace_id = '$run_trace' ORDER BY c.start_ns")" \
  "answer_question<tracelm_example
retrieve<answer_question
llm_call<answer_question"
expect "latest" 0 "" -- "$TRACELM" latest
contains "latest is the run" "$run_trace" out.txt
expect "export chrome" 0 "" -- "$TRACELM" export latest --format chrome
contains "export says where" "Wrote trace_$run_trace.json (chrome," out.txt
same "the export is valid JSON" "$(sqlite3 :memory: "SELECT json_valid(readfile('trace_$run_trace.json'))")" "1"
expect "export otel to stdout" 0 "" -- "$TRACELM" export "${run_trace%????????????????????????}" --format otel -o -
contains "otel JSON on stdout" '"resourceSpans"' out.txt
expect "export csv" 0 "" -- "$TRACELM" export latest --format csv -o spans.csv
expect "export html" 0 "" -- "$TRACELM" export latest --format html
contains "export html names its file" "Wrote trace_$run_trace.html (html," out.txt
contains "the page holds the trace's data" "\"trace_id\":\"$run_trace\"" "trace_$run_trace.html"
expect "view writes a page and prints its path" 0 "" -- env -u DISPLAY -u WAYLAND_DISPLAY TMPDIR="$WORK" "$TRACELM" view latest
contains "view's page is in TMPDIR" "$WORK/tracelm_" out.txt
expect "export bad format" 2 "tracelm export: --format must be chrome, otel, csv or html, not 'png'
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" export latest --format png

# ---- run: nesting, failure, uninstrumented
expect "nested run" 0 "" -- "$TRACELM" run --name outer -- "$TRACELM" run --name inner -- ./tracelm_example
nested=$(query "SELECT trace_id FROM spans WHERE name = 'outer'")
same "one trace across three processes" \
  "$(query "SELECT c.name || '<' || coalesce(p.name, '-') FROM spans c LEFT JOIN spans p ON p.span_id = c.parent_id AND p.trace_id = c.trace_id WHERE c.trace_id = '$nested' AND c.name IN ('outer', 'inner', 'answer_question') ORDER BY c.start_ns")" \
  "outer<-
inner<outer
answer_question<inner"
expect "run returns the command's status" 3 "" -- "$TRACELM" run -- sh -c 'exit 3'
same "a failed command is an error span" \
  "$(query "SELECT status || ': ' || status_message FROM spans WHERE name = 'sh'")" "error: exit status 3"
expect "run of a missing command" 127 "tracelm run: cannot run 'no-such-command-x': No such file or directory" \
  -- "$TRACELM" run -- no-such-command-x
# A child whose recorder dropped two spans of the run's trace (what the
# writer adds to traces.dropped_spans): said after the command; --strict
# turns it into exit status 1.
cat > drops.sh <<'SH'
trace=$(echo "$TRACEPARENT" | cut -d- -f2)
sqlite3 "$TRACELM_DB" "INSERT INTO traces(trace_id, dropped_spans) VALUES('$trace', 2)
  ON CONFLICT(trace_id) DO UPDATE SET dropped_spans = dropped_spans + 2"
SH
expect "run says what recorders dropped" 0 "" -- sh -c "'$TRACELM' run --name dropper -- sh drops.sh 2>drops.err"
dropper=$(query "SELECT trace_id FROM spans WHERE name = 'dropper'")
same "... in one line" "$(cat drops.err)" "tracelm run: 2 spans of trace $dropper were dropped (a recorder's queue was full)"
expect "run --strict fails on dropped spans" 1 "" -- sh -c "'$TRACELM' run --strict -- sh drops.sh 2>/dev/null"
expect "run --strict passes when nothing was lost" 0 "" -- "$TRACELM" run --strict -- true
expect "the child is told to log losses" 0 "" -- "$TRACELM" run -- sh -c 'test "$TRACELM_LOG" = stderr'
expect "run without a command" 2 "tracelm run: expected -- COMMAND [ARGS...]
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" run --

# ---- list, analyze, compare
expect "list" 0 "" -- "$TRACELM" list --limit 3
same "list shows three traces and a header" "$(wc -l < out.txt | tr -d ' ')" "4"
expect "demo again" 0 "" -- "$TRACELM" demo
second=$(query "SELECT trace_id FROM traces WHERE root_name = 'rag_pipeline' ORDER BY start_ns DESC LIMIT 1")
expect "compare two demo runs" 0 "" -- "$TRACELM" compare "$first" "$second"
contains "compare shows the paths" "rag_pipeline/retrieve_context/search_faq" out.txt
contains "compare has a total row" "*     " out.txt
expect "analyze --json" 0 "" -- "$TRACELM" analyze "$first" --json
same "--json is JSON with the summary and tree" \
  "$(sqlite3 :memory: "SELECT json_extract(readfile('out.txt'), '\$.summary.span_count'), json_array_length(readfile('out.txt'), '\$.tree')")" "10|10"
expect "analyze an unknown id" 1 "tracelm analyze: no trace matches 'ffff'" -- "$TRACELM" analyze ffff
expect "analyze nonsense" 1 "tracelm analyze: 'xyz!' is not a trace id (expected up to 32 hex digits, or 'latest')" \
  -- "$TRACELM" analyze 'xyz!'
expect "analyze --sql" 0 "" -- "$TRACELM" analyze latest --sql
contains "--sql prints the report SQL" "FROM trace_tree(?1, ?2)" out.txt

# ---- import
cat > spans.jsonl <<'JSONL'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET /answer","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000250000000"}]}]}]}
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"llm"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"c7ad6b7169203332","parentSpanId":"b7ad6b7169203331","name":"chat","kind":3,"startTimeUnixNano":"1700000000010000000","endTimeUnixNano":"1700000000240000000","attributes":[{"key":"gen_ai.usage.input_tokens","value":{"intValue":"120"}}]}]}]}]}
JSONL
expect "import JSON Lines" 0 "" -- "$TRACELM" --db imported.db import spans.jsonl
same "import says how many" "$(cat out.txt)" "Imported 2 spans from spans.jsonl"
expect "analyze the import" 0 "" -- "$TRACELM" --db imported.db analyze 0af76519
contains "imported tree" "└── chat (230.000 ms)" out.txt
contains "imported tokens" "120 in / 0 out" out.txt
expect "import csv into another database" 0 "" -- "$TRACELM" --db copy.db import spans.csv
same "csv import gives the same tree" \
  "$("$TRACELM" --db copy.db analyze latest | sed -n '/Execution Tree/,$p')" \
  "$("$TRACELM" analyze "$run_trace" | sed -n '/Execution Tree/,$p')"
printf '%s\n' '{"resourceSpans":[]}' '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0bf7651916cd43dd8448eb211c80319c","spanId":"d7ad6b7169203333","name":"x","startTimeUnixNano":"1"}]}]}]}' '{oops' > broken.jsonl
expect "a bad file imports nothing" 1 "tracelm import: broken.jsonl: line 3, byte 182: not valid JSON (a document cut short, or split over lines)" -- "$TRACELM" --db imported.db import broken.jsonl
same "nothing from the bad file" "$(DB=imported.db query "SELECT count(*) FROM spans")" "2"
expect "import - reads standard input" 0 "" -- sh -c "'$TRACELM' --db stdin.db import --format csv - < spans.csv"
same "... every span of it" "$(DB=stdin.db query "SELECT count(*) FROM spans")" "$(query "SELECT count(*) FROM spans WHERE trace_id = '$run_trace'")"
expect "import an unreadable file" 1 "tracelm import: cannot read 'nope.json': No such file or directory" \
  -- "$TRACELM" import nope.json
expect "ambiguous prefix" 1 "tracelm analyze: '0' is ambiguous: it matches 0af7651916cd43dd8448eb211c80319c, 0bf7651916cd43dd8448eb211c80319c" \
  -- sh -c "'$TRACELM' --db ambiguous.db import spans.jsonl >/dev/null && printf '%s\n' 'trace_id,span_id,name,start_ns,end_ns' '0bf7651916cd43dd8448eb211c80319c,0000000000000001,x,1,2' > one.csv && '$TRACELM' --db ambiguous.db import one.csv >/dev/null && '$TRACELM' --db ambiguous.db analyze 0"

# ---- big traces: the tree can be limited, cut lists say so
# A chain of 6001 spans (each the only child of the one before), plus a
# trace whose root continues a remote parent.
awk 'BEGIN { print "trace_id,span_id,parent_id,name,start_ns,end_ns"
  for(i = 1; i <= 6001; i++) printf "cccccccccccccccccccccccccccccccc,%016x,%s,step%d,%d,%d\n",
    i, i == 1 ? "" : sprintf("%016x", i - 1), i, i, 20000 - i
  print "dddddddddddddddddddddddddddddddd,00000000000000d1,aaaaaaaaaaaaaaaa,continued,1,9"
  print "dddddddddddddddddddddddddddddddd,00000000000000d2,00000000000000d1,child,2,8" }' > big.csv
"$TRACELM" --db big.db import big.csv >/dev/null
expect "analyze --depth 2" 0 "" -- "$TRACELM" --db big.db analyze cccc --depth 2
same "--depth 2 shows the root and two levels" "$(sed -n '/Execution Tree/,$p' out.txt | tail -n +2)" "  step1 (19.998 µs)
  └── step2 (19.996 µs)
      └── step3 (19.994 µs)"
expect "analyze --limit 2" 0 "" -- "$TRACELM" --db big.db analyze cccc --limit 2
same "--limit 2 says what it left out" "$(sed -n '/Execution Tree/,$p' out.txt | tail -n +2)" "  step1 (19.998 µs)
  └── step2 (19.996 µs)
  … 5999 more lines not shown (--limit 0 shows all)"
same "a pipe gets the whole tree" "$("$TRACELM" --db big.db analyze cccc | sed -n '/Execution Tree/,$p' | wc -l)" "6002"
contains "the cut critical path ends with how many more" "→ step100 … and 5901 more" out.txt
expect "bad --depth" 2 "tracelm analyze: --depth needs a whole number
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" --db big.db analyze cccc --depth -1
# On a terminal a trace of over 5000 spans shows 500 lines unless told.
script -qec "'$TRACELM' --db big.db analyze cccc" /dev/null > tty.txt
contains "a terminal gets 500 lines of a 6001-span tree" "5501 more lines not shown (--limit 0 shows all)" tty.txt
script -qec "'$TRACELM' --db big.db analyze cccc --limit 0" /dev/null > tty.txt
lacks "--limit 0 on a terminal shows all" "more lines not shown" tty.txt
expect "list" 0 "" -- "$TRACELM" --db big.db list
contains "list names the root of a continued trace" "continued" out.txt
lacks "... and no '(no root)'" "(no root)" out.txt

# ---- run sets: compare --baseline/--candidate, the CI gate
awk -f "$SOURCE/tests/cli/runs.awk" > runs.csv
"$TRACELM" --db runs.db import runs.csv >/dev/null
sqlite3 runs.db "UPDATE traces SET label = iif(trace_id GLOB 'a*', 'main', 'branch')"
expect "compare two run sets as markdown" 0 "" -- "$TRACELM" --db runs.db compare --baseline main --candidate branch --format markdown
same "the markdown table, significant regressions first" "$(cat out.txt)" "| path | n | p50 base | p50 cand | p50 | p90 cand | p | tokens/run | cost/run | ttft | errors | change |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| rag/retrieve | 5 / 5 | 12.000 ms | 22.000 ms | +83.3% | 24.000 ms | 0.0122 |  |  |  | 0% -> 20% | slower |
| rag/rerank | 0 / 1 | - | 2.000 ms |  | 2.000 ms |  |  |  |  |  | added |
| rag/llm | 5 / 5 | 14.000 ms | 15.000 ms | +7.1% | 19.000 ms | 0.676 | +18.2% | +20.0% |  |  | same |
| * | 5 / 5 | 102.000 ms | 102.000 ms | +0.0% | 104.000 ms | 1 | +18.2% | +20.0% |  | 0% -> 20% | same |
| rag | 5 / 5 | 102.000 ms | 102.000 ms | +0.0% | 104.000 ms | 1 |  |  |  |  | same |"
expect "--fail-on-regression 50 exits 3 on retrieve" 3 "tracelm compare: regression beyond 50%: rag/retrieve: p50 +83.3% (p = 0.0122)" \
  -- "$TRACELM" --db runs.db compare --baseline main --candidate branch --fail-on-regression 50
expect "--fail-on-regression 15 names token and cost rises too" 3 "tracelm compare: regression beyond 15%: *: tokens/run +18.2%, cost/run +20.0%
tracelm compare: regression beyond 15%: rag/llm: tokens/run +18.2%, cost/run +20.0%
tracelm compare: regression beyond 15%: rag/retrieve: p50 +83.3% (p = 0.0122)" \
  -- "$TRACELM" --db runs.db compare --baseline main --candidate branch --fail-on-regression 15
expect "--fail-on-regression 90 passes" 0 "" -- "$TRACELM" --db runs.db compare --baseline main --candidate branch --format csv --fail-on-regression 90
same "csv has a header and a row per path" "$(wc -l < out.txt | tr -d ' ')" "6"
expect "sets by SQL" 0 "" -- "$TRACELM" --db runs.db compare --baseline "SELECT trace_id FROM traces WHERE trace_id GLOB 'a*'" --candidate branch --format json
same "json: the retrieve row" "$(sqlite3 :memory: "SELECT json_extract(value, '\$.change') || ' ' || json_extract(value, '\$.u') FROM json_each(readfile('out.txt')) WHERE json_extract(value, '\$.path') = 'rag/retrieve'")" "slower 0.0"
# Evaluations: the branch's answers scored 0.4, main's 0.9 (five each; all
# tied within a side: U(main) = 25, ties 2 x (125 - 5) = 240, variance
# 25 / 12 x (11 - 240 / 90) = 17.36, z = 12 / 4.167 = 2.88, p = 0.00398): a
# score row, worse, listed with the regressions by p; and a fall in
# quality fails the gate at any threshold.
cp runs.db scores.db
sqlite3 scores.db "INSERT INTO span_events(trace_id, span_id, seq, time_ns, name, attrs)
  SELECT trace_id, span_id, 0, end_ns, 'gen_ai.evaluation.result',
         json_object('gen_ai.evaluation.name', 'relevance', 'gen_ai.evaluation.score.value', iif(trace_id GLOB 'a*', 0.9, 0.4))
    FROM spans WHERE parent_id IS NULL"
expect "compare with scores" 0 "" -- "$TRACELM" --db scores.db compare --baseline main --candidate branch --format csv
same "the score row, worse, first with the slower" "$(sed -n 2,3p out.txt | tr -d '\r')" "score: relevance,5 / 5,0.9,0.4,-55.6%,0.4,0.00398,,,,,worse
rag/retrieve,5 / 5,12.000 ms,22.000 ms,+83.3%,24.000 ms,0.0122,,,,0% -> 20%,slower"
expect "--fail-on-regression names a fall in scores" 3 "tracelm compare: regression beyond 90%: score: relevance: scores fell, p50 0.9 -> 0.4 (p = 0.00398)" \
  -- "$TRACELM" --db scores.db compare --baseline main --candidate branch --fail-on-regression 90
expect "an unknown label" 1 "tracelm compare: set_b: no traces with label 'nightly'" \
  -- "$TRACELM" --db runs.db compare --baseline main --candidate nightly
expect "a bad --format" 2 "tracelm compare: --format must be table, markdown, csv, json or html, not 'xml'
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" --db runs.db compare --baseline main --candidate branch --format xml
expect "compare --format html: the runs page as a file" 0 "" \
  -- "$TRACELM" --db runs.db compare --baseline main --candidate branch --format html -o runs.html
same "... its path printed" "$(cat out.txt)" "runs.html"
same "... a page with both sets and the rows inlined" \
  "$(grep -c '<script type="application/json" id="tlm-compare">{"a":"main","b":"branch","rows":{"columns":\["path",' runs.html)" "1"
expect "-o without --format html" 2 "tracelm compare: -o FILE is for --format html
Run 'tracelm COMMAND --help' for usage." \
  -- "$TRACELM" --db runs.db compare --baseline main --candidate branch -o x.html
# ---- stats over many traces (the runs above: five a run, two labels)
expect "stats of one label" 0 "" -- "$TRACELM" --db runs.db stats --label branch --format csv
same "stats: each name's spans, percentiles, critical path, tokens, cost, errors" "$(tr -d '\r' < out.txt)" "name,spans,p50,p90,p99,total,critical path,tokens in,tokens out,cost,errors
rag,5,102.000 ms,104.000 ms,104.000 ms,510.000 ms,323.000 ms,0,0,\$0.0000,0
retrieve,5,22.000 ms,24.000 ms,24.000 ms,110.000 ms,110.000 ms,0,0,\$0.0000,1
llm,5,15.000 ms,19.000 ms,19.000 ms,75.000 ms,75.000 ms,600,50,\$0.0060,0
rerank,1,2.000 ms,2.000 ms,2.000 ms,2.000 ms,2.000 ms,0,0,\$0.0000,0"
same "stats built the facts of every trace" "$(DB=runs.db query "SELECT count(*) FROM trace_facts") $(DB=runs.db query "SELECT count(*) FROM facts_dirty")" "10 0"
expect "stats in a window, by label" 0 "" -- "$TRACELM" --db runs.db stats --since 2000000000 --by label --format csv
same "the window holds the runs that start from 2 s on" "$(cut -d, -f1,2 out.txt)" "label,spans
branch,10
main,9"
expect "stats by an unknown grouping" 1 "tracelm stats: by: unknown grouping 'colour' in 'colour' (name, path, model, service, label, day)" \
  -- "$TRACELM" --db runs.db stats --by colour
expect "stats with since after until" 1 "tracelm stats: since (3000000000) is after until (1000000000)" \
  -- "$TRACELM" --db runs.db stats --since 3000000000 --until 1000000000
expect "stats of an unknown label" 1 "tracelm stats: no traces with label 'nightly' (nor is it a trace id)" \
  -- "$TRACELM" --db runs.db stats --label nightly
expect "stats --traces of one label" 0 "" -- "$TRACELM" --db runs.db stats --traces --label branch --format csv
same "stats --traces: whole traces' durations (100..104 ms), spans, cost, traces with errors" "$(tr -d '\r' < out.txt)" "root,traces,p50,p90,p99,max,spans,cost,with errors
(all),5,102.000 ms,104.000 ms,104.000 ms,104.000 ms,16,\$0.0060,1
rag,5,102.000 ms,104.000 ms,104.000 ms,104.000 ms,16,\$0.0060,1"
expect "stats --traces in a window, as JSON" 0 "" -- "$TRACELM" --db runs.db stats --traces --since 2000000000 --format json
same "... trace_summary over the window's six traces" "$(sqlite3 runs.db "SELECT json_extract('$(cat out.txt)', '\$.traces', '\$.spans', '\$.p50_ns', '\$.slowest[0].total_ns')")" "[6,19,103000000,104000000]"
expect "stats --traces with --by" 2 "tracelm stats: --traces groups traces by their root; --by groups spans
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" --db runs.db stats --traces --by name
expect "stats --traces of an unknown label" 1 "tracelm stats: no traces with label 'nightly' (nor is it a query of trace ids)" \
  -- "$TRACELM" --db runs.db stats --traces --label nightly

# ---- conversations: traces grouped by gen_ai.conversation.id
printf '%s\n' 'trace_id,span_id,parent_id,name,start_ns,end_ns,model,tokens_in,tokens_out,attrs' \
  'c0000000000000000000000000000001,0000000000000001,,turn,1000000000,1400000000,,0,0,"{""gen_ai.conversation.id"":""chat-1""}"' \
  'c0000000000000000000000000000001,0000000000000002,0000000000000001,chat,1000000000,1300000000,gpt-4o-mini,1000,100,' \
  'c0000000000000000000000000000002,0000000000000001,,turn,2000000000,2200000000,,0,0,"{""gen_ai.conversation.id"":""chat-1""}"' \
  'c0000000000000000000000000000002,0000000000000002,0000000000000001,chat,2000000000,2100000000,gpt-4o-mini,500,50,' > conv.csv
"$TRACELM" --db conv.db import conv.csv >/dev/null
expect "conversations" 0 "" -- "$TRACELM" --db conv.db conversations --format csv
# (1500 * 0.15 + 150 * 0.60) / 1e6 = 0.000315; traces of 400 and 200 ms.
same "... one row: 2 traces, 2 turns, tokens, cost, p50/p90" "$(tr -d '\r' < out.txt)" "conversation,traces,turns,first,span,tokens in,tokens out,cost,p50,p90,errors
chat-1,2,2,1970-01-01 00:00:01,1.200 s,1500,150,\$0.0003,200.000 ms,400.000 ms,0"

# ---- a facts build killed midway: every trace is built or still marked, never half
awk 'BEGIN { print "trace_id,span_id,parent_id,name,start_ns,end_ns";
  for(t = 1; t <= 4000; t++) for(k = 1; k <= 25; k++)
    printf "%032x,%016x,%s,step%d,%d,%d\n", t, k, k == 1 ? "" : sprintf("%016x", int((k + 1) / 3)),
           k % 7, t * 1000000 + k, t * 1000000 + 100000 - k }' > many.csv
"$TRACELM" --db kill.db import many.csv >/dev/null
"$TRACELM" --db kill.db stats >/dev/null 2>&1 &
sleep 0.3; kill -9 $! 2>/dev/null; wait $! 2>/dev/null
same "killed build: the file is whole" "$(DB=kill.db query "PRAGMA integrity_check")" "ok"
same "... each trace built or marked, not both, not neither" "$(DB=kill.db query "SELECT count(*) FROM traces t
  WHERE (t.trace_id IN (SELECT trace_id FROM trace_facts)) = (t.trace_id IN (SELECT trace_id FROM facts_dirty))")" "0"
same "... and every built trace has all its facts" "$(DB=kill.db query "SELECT (SELECT coalesce(sum(spans), 0) FROM trace_facts) = (SELECT count(*) FROM span_facts)")" "1"
"$TRACELM" --db kill.db stats --format csv > killed.txt
cp kill.db fresh.db; DB=fresh.db query "DELETE FROM span_facts; DELETE FROM trace_facts; INSERT OR IGNORE INTO facts_dirty SELECT trace_id FROM traces" >/dev/null
"$TRACELM" --db fresh.db stats --format csv > fresh.txt
same "... the next run finishes it, as a build from nothing would" "$(cat killed.txt)" "$(cat fresh.txt)"
same "... 4000 traces, 100000 spans" "$(DB=kill.db query "SELECT count(*), sum(spans) FROM trace_facts")" "4000|100000"

# ---- prune: whole traces go, nothing of a kept one changes
cp runs.db prune.db
kept_rows(){ sqlite3 prune.db "SELECT group_concat(r, char(10)) FROM (SELECT quote(s.rowid) || '|' || s.trace_id || '|' || s.span_id || '|' || s.name || '|' || s.start_ns || '|' || s.end_ns || '|' || s.status || '|' || s.tokens_in || '|' || s.cost AS r FROM spans s WHERE s.trace_id GLOB '*[34]' ORDER BY s.rowid) UNION ALL SELECT group_concat(t, char(10)) FROM (SELECT trace_id || '|' || span_count || '|' || coalesce(label, '') || '|' || tokens_in || '|' || cost AS t FROM traces WHERE trace_id GLOB '*[34]' ORDER BY trace_id)"; }
before=$(kept_rows)
expect "prune --dry-run" 0 "" -- "$TRACELM" --db prune.db prune --keep-last 4 --dry-run
same "... says what would go" "$(cat out.txt)" "Would prune 6 traces (19 spans); nothing deleted (--dry-run)"
same "... and deletes nothing" "$(DB=prune.db query "SELECT count(*) FROM traces")" "10"
expect "prune --keep-last 4" 0 "" -- "$TRACELM" --db prune.db prune --keep-last 4
contains "... reports what went" "Pruned 6 traces (19 spans) in" out.txt
same "... the newest four are left, every row of them as it was" "$(kept_rows)" "$before"
same "... with nothing of the others: spans, facts, marks" "$(DB=prune.db query "SELECT (SELECT count(*) FROM traces), (SELECT count(*) FROM spans), (SELECT count(*) FROM trace_facts), (SELECT count(*) FROM span_facts), (SELECT count(*) FROM facts_dirty), (SELECT count(*) FROM spans WHERE trace_id NOT GLOB '*[34]')")" "4|12|4|12|0|0"
same "... and the file is whole" "$(DB=prune.db query "PRAGMA integrity_check")" "ok"
expect "prune --older-than (ns)" 0 "" -- "$TRACELM" --db prune.db prune --older-than 4000000000
contains "... takes the runs that started before 4 s" "Pruned 2 traces (6 spans)" out.txt
expect "prune needs a rule" 2 "tracelm prune: say what goes: --older-than 30d (or a date), --keep-last N, or both
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" --db prune.db prune
expect "prune --older-than a word" 2 "tracelm prune: --older-than takes an age (30d, 12h, 2w), a date or ns, not 'soon'
Run 'tracelm COMMAND --help' for usage." -- "$TRACELM" --db prune.db prune --older-than soon

expect "run --label labels the trace" 0 "" -- "$TRACELM" --db runs.db run --label nightly -- true
same "... in traces.label" "$(sqlite3 runs.db "SELECT count(*) FROM traces WHERE label = 'nightly'")" "1"

# ---- prices: list, import, and costs from them
expect "prices list" 0 "" -- "$TRACELM" --db runs.db prices list
contains "the default list has gpt-4o-mini" "openai     gpt-4o-mini*" out.txt
printf '%s\n' 'model_pattern,provider,input_per_mtok,output_per_mtok,valid_from' 'house-model*,us,1,3,2020-01-01' > prices.csv
expect "prices import" 0 "" -- "$TRACELM" --db runs.db prices import prices.csv
same "prices import says how many" "$(cat out.txt)" "Imported 1 prices from prices.csv"
printf '%s\n' 'model_pattern,provider,input_per_mtok,output_per_mtok' 'x,y,cheap,1' > bad_prices.csv
expect "a bad price file imports nothing" 1 "tracelm prices: bad_prices.csv: line 2: input_per_mtok: 'cheap' is not a number" \
  -- "$TRACELM" --db runs.db prices import bad_prices.csv
printf '%s\n' 'trace_id,span_id,name,start_ns,end_ns,model,tokens_in,tokens_out' \
  'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee,0000000000000001,ask,1700000000000000000,1700000001000000000,house-model-2,1000000,1000000' \
  'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee,0000000000000002,ask2,1700000000100000000,1700000000200000000,mystery-9,10,10' > priced.csv
"$TRACELM" --db runs.db import priced.csv >/dev/null
expect "analyze prices from the table" 0 "" -- "$TRACELM" --db runs.db analyze eeee
contains "cost: 1M in at 1 + 1M out at 3, and the unpriced model named" "Cost           \$4.00000000 (no price for mystery-9)" out.txt
expect "prices list names unpriced models" 0 "" -- "$TRACELM" --db runs.db prices list
contains "... under its own heading" "Models with tokens but no price" out.txt
contains "... mystery-9" "mystery-9" out.txt

# ---- a database from the future is refused and left alone
sqlite3 future.db "PRAGMA user_version = 99"
expect "newer schema" 1 "tracelm list: database 'future.db': database schema version 99 is newer than this TraceLM understands (9); upgrade TraceLM to use it" \
  -- "$TRACELM" --db future.db list

[ -n "$KEEP_WORK" ] || { cd / && rm -rf "$WORK"; }
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
