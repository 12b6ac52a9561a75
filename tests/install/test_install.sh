#!/bin/sh
# Install into a temporary prefix, then build consumers as users would:
# find_package(tracelm) with each target (tracelm::tracelm, tracelm::sqlite,
# tracelm::curl + tracelm::microhttpd where built), and pkg-config.
# Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -e
BUILD=$1 SOURCE=$2
PREFIX=$(mktemp -d /tmp/tracelm-install-XXXXXX)
trap 'rm -rf "$PREFIX"' EXIT
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
LIBDIR=$(ls -d "$PREFIX"/lib* | head -1)
export LD_LIBRARY_PATH="$(dirname "$(find "$PREFIX" -name 'libtracelm.so' | head -1)")"
passed=0
# The sqlite3 shell is not instrumented: a sanitized extension needs the
# sanitizer runtimes preloaded into it (TLM_SHELL_PRELOAD, from CMake).
SHELL_ENV="env ${TLM_SHELL_PRELOAD:+LD_PRELOAD=$TLM_SHELL_PRELOAD}"

cmake -S "$SOURCE/tests/install/consumer" -B "$PREFIX/consumer" -DCMAKE_PREFIX_PATH="$PREFIX" \
      -DCMAKE_C_FLAGS="$TLM_CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$TLM_CFLAGS" >/dev/null
cmake --build "$PREFIX/consumer" >/dev/null
(cd "$PREFIX" && TRACELM_DB="$PREFIX/a.db" "$PREFIX/consumer/consumer") | grep -qx ok
[ "$(sqlite3 "$PREFIX/a.db" "SELECT name FROM spans")" = installed ]
echo "ok   find_package(tracelm) + tracelm::tracelm"; passed=$((passed + 1))

PKG_CONFIG_PATH=$(dirname "$(find "$PREFIX" -name tracelm.pc)")
export PKG_CONFIG_PATH
cc $TLM_CFLAGS "$SOURCE/tests/install/consumer/main.c" -o "$PREFIX/pc_consumer" \
   $(pkg-config --cflags --libs tracelm)
TRACELM_DB="$PREFIX/b.db" "$PREFIX/pc_consumer" | grep -qx ok
[ "$(sqlite3 "$PREFIX/b.db" "SELECT count(*) FROM spans")" = 1 ]
echo "ok   pkg-config --cflags --libs tracelm"; passed=$((passed + 1))

consume(){   # consume NAME: build tests/install/consumer_NAME, run it, expect "ok"
  cmake -S "$SOURCE/tests/install/consumer_$1" -B "$PREFIX/consumer_$1" -DCMAKE_PREFIX_PATH="$PREFIX" \
        -DCMAKE_C_FLAGS="$TLM_CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$TLM_CFLAGS" >/dev/null
  cmake --build "$PREFIX/consumer_$1" >/dev/null
  "$PREFIX/consumer_$1/$1_consumer" | grep -qx ok
}
consume sqlite
echo "ok   find_package(tracelm) + tracelm::sqlite (sqlite3_auto_extension)"; passed=$((passed + 1))

if [ -f "$LIBDIR/libtracelm_curl.a" ] && [ -f "$LIBDIR/libtracelm_mhd.a" ]; then
  consume http
  echo "ok   find_package(tracelm) + tracelm::curl + tracelm::microhttpd"; passed=$((passed + 1))
  cc $TLM_CFLAGS "$SOURCE/tests/install/consumer_http/main.c" -o "$PREFIX/pc_http" \
     $(pkg-config --cflags --libs tracelm-curl tracelm-microhttpd)
  "$PREFIX/pc_http" | grep -qx ok
  echo "ok   pkg-config tracelm-curl tracelm-microhttpd"; passed=$((passed + 1))
else
  echo "SKIPPED: the HTTP integrations were not built (libcurl or libmicrohttpd -dev missing)"
fi

# The extension sits in the library folder, where `.load tracelm` finds it
# once that folder is on the loader's path.
[ -x "$PREFIX/bin/tracelm" ] && [ -f "$LIBDIR/tracelm.so" ]
[ "$(LD_LIBRARY_PATH="$LIBDIR" $SHELL_ENV sqlite3 :memory: '.load tracelm' 'SELECT tracelm_version()')" = "$(sed -n 's/^#define TLM_VERSION "\(.*\)"/\1/p' "$SOURCE/recorder/include/tracelm/tracelm.h")" ]
echo "ok   .load tracelm from <prefix>/lib with LD_LIBRARY_PATH"; passed=$((passed + 1))
env -u LD_LIBRARY_PATH "$PREFIX/bin/tracelm" --help | grep -q "'.load $(cd "$LIBDIR" && pwd -P)/tracelm'"
echo "ok   tracelm --help names the extension's full path where '.load tracelm' would not find it"; passed=$((passed + 1))
"$PREFIX/bin/tracelm" --help | grep -q "'.load tracelm'"
echo "ok   ... and '.load tracelm' where it would"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
