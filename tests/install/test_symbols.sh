#!/bin/sh
# What the two shared objects export, against what they mean to:
#   libtracelm.so  exactly the functions tracelm.h declares, SONAME libtracelm.so.2
#   tracelm.so     sqlite3_tracelm_init and nothing else
# Usage: test_symbols.sh BUILD_DIR SOURCE_DIR
set -e
BUILD=$1 SOURCE=$2
TMP=$(mktemp -d /tmp/tracelm-symbols-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
check(){   # check NAME EXPECTED_FILE ACTUAL_FILE
  if cmp -s "$2" "$3"; then echo "ok   $1"; passed=$((passed + 1))
  else echo "FAIL $1"; diff "$2" "$3" | sed 's/^/     /'; failed=$((failed + 1)); fi
}
exported(){ nm -D --defined-only "$1" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' | sort; }

sed -n 's/^[a-z_ ]*[ *]\(tlm_[a-z_0-9]*\)(.*/\1/p' "$SOURCE/recorder/include/tracelm/tracelm.h" \
  | sort -u > "$TMP/declared"
exported "$BUILD/recorder/libtracelm.so" > "$TMP/libtracelm"
check "libtracelm.so exports exactly tracelm.h's $(wc -l < "$TMP/declared") functions" \
      "$TMP/declared" "$TMP/libtracelm"

echo libtracelm.so.2 > "$TMP/soname_expected"
objdump -p "$BUILD/recorder/libtracelm.so" | awk '$1 == "SONAME" {print $2}' > "$TMP/soname"
check "libtracelm.so has SONAME libtracelm.so.2" "$TMP/soname_expected" "$TMP/soname"

echo sqlite3_tracelm_init > "$TMP/ext_expected"
exported "$BUILD/tracelm.so" > "$TMP/ext"
check "tracelm.so exports sqlite3_tracelm_init only" "$TMP/ext_expected" "$TMP/ext"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
