#!/bin/sh
# Build the libFuzzer targets with clang (ASan + UBSan) and run each for a
# fixed number of inputs from its seed corpus: the smoke run CI does.
# docs/testing.md says how to run them for hours.
# Usage: run_fuzzers.sh SOURCE_DIR BUILD_DIR [RUNS]
set -e
SOURCE=$1 BUILD=$2 RUNS=${3:-2000}
if ! command -v clang >/dev/null; then echo "SKIPPED: clang is not installed"; exit 0; fi
OUT="$BUILD/fuzz"
mkdir -p "$OUT/obj"
FLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE"
FLAGS="$FLAGS -I$SOURCE/recorder/include -I$SOURCE/common -I$SOURCE/ext -I$SOURCE/ext/core -I$BUILD/generated"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){ return 0; }' \
     | clang -x c -fsanitize=fuzzer - -o "$OUT/probe" 2>/dev/null; then
  echo "SKIPPED: clang cannot link libFuzzer (install libclang-rt-14-dev)"; exit 0
fi

# The extension as a program links it (SQLITE_CORE), with common/.
SOURCES="$SOURCE/ext/init.c $(ls "$SOURCE"/ext/core/*.c "$SOURCE"/ext/functions/*.c)
  $SOURCE/common/hexid.c $SOURCE/common/number.c $SOURCE/common/traceparent.c $SOURCE/common/tracestate.c
  $SOURCE/common/schema.c $SOURCE/common/span_row.c $SOURCE/common/trace_runs.c"
# An object is rebuilt when its source or any header is newer (a header's
# struct can change under an object that still links).
HEADER=$(ls -t "$SOURCE"/ext/*.h "$SOURCE"/ext/core/*.h "$SOURCE"/common/*.h \
           "$SOURCE"/recorder/include/tracelm/*.h | head -n 1)
for src in $SOURCES; do
  obj="$OUT/obj/$(echo "$src" | sed "s|$SOURCE/||; s|/|_|g; s|\.c$|.o|")"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$HEADER" -nt "$obj" ]; then echo "$src $obj"; fi
done | xargs -r -n 2 -P 2 sh -c "clang $FLAGS -DSQLITE_CORE -c \"\$0\" -o \"\$1\""
LIBS="-lsqlite3 -lcjson -lcsv -lm -lpthread"
clang $FLAGS -fsanitize=fuzzer "$SOURCE/tests/fuzz/fuzz_traceparent.c" \
  "$OUT/obj/common_traceparent.o" "$OUT/obj/common_hexid.o" -o "$OUT/fuzz_traceparent"
clang $FLAGS -fsanitize=fuzzer "$SOURCE/tests/fuzz/fuzz_tracestate.c" \
  "$OUT/obj/common_tracestate.o" -o "$OUT/fuzz_tracestate"
for importer in import_otel import_csv; do
  clang $FLAGS -fsanitize=fuzzer -DFUZZ_IMPORT="\"$importer\"" "$SOURCE/tests/fuzz/fuzz_import.c" \
    "$OUT"/obj/*.o $LIBS -o "$OUT/fuzz_$importer"
done

# The OTLP protobuf decoder, where the build generated its C (protobuf-c).
TARGETS="traceparent tracestate import_otel import_csv"
if [ -f "$BUILD/generated/otlp/otlp_trace.pb-c.c" ] && pkg-config --exists libprotobuf-c; then
  clang $FLAGS -I"$BUILD/generated/otlp" -fsanitize=fuzzer "$SOURCE/tests/fuzz/fuzz_otlp_proto.c" \
    "$SOURCE/common/otlp_proto.c" "$BUILD/generated/otlp/otlp_trace.pb-c.c" \
    "$OUT"/obj/*.o $LIBS $(pkg-config --libs libprotobuf-c) -o "$OUT/fuzz_otlp_proto"
  TARGETS="$TARGETS otlp_proto"
fi

# serve's whole request path, where the build has serve (libmicrohttpd,
# zlib, protobuf-c): the server's own files, the extension, OTLP decoding.
if [ -f "$BUILD/generated/tlm_serve_import_sql.h" ] && [ -f "$BUILD/generated/otlp/otlp_trace.pb-c.c" ] \
   && pkg-config --exists libmicrohttpd zlib libprotobuf-c; then
  clang $FLAGS -I"$BUILD/generated/otlp" -I"$SOURCE/cli" -fsanitize=fuzzer "$SOURCE/tests/fuzz/fuzz_serve.c" \
    "$SOURCE"/cli/serve.c "$SOURCE"/cli/serve_commit.c "$SOURCE"/cli/auth.c "$SOURCE"/cli/ui.c "$SOURCE"/cli/ui_api.c "$SOURCE"/cli/sql_box.c \
    "$SOURCE"/cli/rows_json.c "$SOURCE"/cli/output.c "$SOURCE"/cli/database.c \
    "$SOURCE/common/otlp_proto.c" "$BUILD/generated/otlp/otlp_trace.pb-c.c" \
    "$OUT"/obj/*.o $LIBS $(pkg-config --libs libmicrohttpd zlib libprotobuf-c) -o "$OUT/fuzz_serve"
  TARGETS="$TARGETS serve"
fi

# Each target from a copy of its seeds (the run adds what it finds there).
passed=0 failed=0
for target in $TARGETS; do
  corpus="$OUT/corpus_$target"
  rm -rf "$corpus"; mkdir -p "$corpus"
  cp "$SOURCE/tests/fuzz/corpus/$target"/* "$corpus"/
  runs=$RUNS
  case $target in import_*|otlp_proto) runs=$((RUNS / 4)) ;; serve) runs=$((RUNS / 10)) ;; esac
  if "$OUT/fuzz_$target" -runs="$runs" -max_len=4096 -seed=1 "$corpus" > "$OUT/$target.log" 2>&1; then
    echo "ok   fuzz_$target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$OUT/$target.log")"
    passed=$((passed + 1))
  else
    echo "FAIL fuzz_$target (log: $OUT/$target.log; the input is in $OUT)"
    tail -30 "$OUT/$target.log"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
