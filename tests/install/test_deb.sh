#!/bin/sh
# The Debian package: build it with CPack, check its control fields and
# contents, unpack it into a scratch root and use it from there (the CLI's
# demo, `.load tracelm` from the sqlite3 shell).  As root in CI (CI=true),
# also install it with dpkg -i, use it as a user would, and remove it.
# Usage: test_deb.sh BUILD_DIR
set -e
BUILD=$(cd "$1" && pwd)
if ! command -v dpkg-deb >/dev/null || ! command -v dpkg-shlibdeps >/dev/null; then
  echo "SKIPPED: dpkg-deb or dpkg-shlibdeps (dpkg-dev) is not installed"; exit 0
fi
TMP=$(mktemp -d /tmp/tracelm-deb-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0
# The sqlite3 shell is not instrumented: a sanitized extension needs the
# sanitizer runtimes preloaded into it (TLM_SHELL_PRELOAD, from CMake).
SHELL_ENV="env ${TLM_SHELL_PRELOAD:+LD_PRELOAD=$TLM_SHELL_PRELOAD}"
(cd "$TMP" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" >/dev/null 2>&1)
DEB=$(ls "$TMP"/tracelm_*_amd64.deb)
echo "ok   cpack -G DEB wrote $(basename "$DEB")"; passed=$((passed + 1))

dpkg-deb -f "$DEB" Depends > "$TMP/depends"
for lib in libsqlite3-0 libcjson1 libcsv3 libc6; do grep -q "$lib" "$TMP/depends"; done
echo "ok   Depends: $(cat "$TMP/depends")"; passed=$((passed + 1))

dpkg-deb -c "$DEB" | awk '{print $6}' > "$TMP/contents"
for f in ./usr/bin/tracelm ./usr/lib/tracelm.so ./usr/lib/libtracelm.so.2 ./usr/lib/libtracelm_sqlite.a \
         ./usr/include/tracelm/tracelm.h ./usr/include/tracelm/tracelm_sqlite.h \
         ./usr/lib/pkgconfig/tracelm.pc ./usr/lib/cmake/tracelm/tracelmConfig.cmake; do
  grep -qx "$f" "$TMP/contents"
done
echo "ok   the CLI, libraries, extension, headers, pkg-config and CMake files are in it"; passed=$((passed + 1))
PYTHON_PACKAGE=
if [ -d "$BUILD/python/tracelm" ]; then
  grep -qx ./usr/lib/python3/dist-packages/tracelm/__init__.py "$TMP/contents"
  grep -q '^./usr/lib/python3/dist-packages/tracelm/_tracelm.*\.so$' "$TMP/contents"
  PYTHON_PACKAGE=yes
  echo "ok   and the Python package, for Debian's python3"; passed=$((passed + 1))
fi

ROOT="$TMP/root"
dpkg -x "$DEB" "$ROOT"
(cd "$TMP" && "$ROOT/usr/bin/tracelm" demo --db "$TMP/demo.db" > "$TMP/demo.txt")
grep -q "Critical path" "$TMP/demo.txt"
echo "ok   tracelm demo from the unpacked package"; passed=$((passed + 1))
[ "$(LD_LIBRARY_PATH="$ROOT/usr/lib" $SHELL_ENV sqlite3 "$TMP/demo.db" '.load tracelm' \
     "SELECT count(*) > 0 FROM critical_path('latest')")" = 1 ]
echo "ok   sqlite3 demo.db '.load tracelm' with the package's /usr/lib on the loader path"; passed=$((passed + 1))

installed(){ dpkg-query -W -f='${Status}' tracelm 2>/dev/null | grep -q 'install ok installed'; }
if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ] && [ -z "${TLM_SANITIZED:-}" ] && ! installed; then
  dpkg -i "$DEB" >/dev/null
  trap 'dpkg -P tracelm >/dev/null 2>&1; rm -rf "$TMP"' EXIT
  (cd "$TMP" && tracelm demo --db "$TMP/installed.db" >/dev/null)
  [ "$(sqlite3 "$TMP/installed.db" '.load tracelm' "SELECT count(*) > 0 FROM trace_tree('latest')")" = 1 ]
  echo "ok   dpkg -i, then tracelm demo and sqlite3 t.db '.load tracelm' with no path"; passed=$((passed + 1))
  /usr/bin/python3 -c "import sqlite3; c = sqlite3.connect(':memory:'); c.enable_load_extension(True); c.load_extension('tracelm'); print(c.execute('SELECT tracelm_init()').fetchone()[0])" | grep -qx '[0-9]*'
  echo "ok   Python's load_extension('tracelm') after dpkg -i"; passed=$((passed + 1))
  if [ -n "$PYTHON_PACKAGE" ]; then
    (cd "$TMP" && TRACELM_DB="$TMP/py.db" /usr/bin/python3 -c "import tracelm; tracelm.init(); tracelm.span('x').__enter__().end(); print(tracelm.shutdown())") | grep -qx None
    [ "$(sqlite3 "$TMP/py.db" "SELECT name FROM spans")" = x ]
    echo "ok   import tracelm in Debian's python3 after dpkg -i"; passed=$((passed + 1))
  fi
  dpkg -P tracelm >/dev/null
  ! [ -e /usr/lib/tracelm.so ]
  echo "ok   dpkg -P removes it"; passed=$((passed + 1))
fi
echo "$passed passed, 0 failed"
