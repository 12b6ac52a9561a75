#!/bin/sh
# Install into a temporary prefix, then build a consumer two ways: CMake's
# find_package(tracelm) and pkg-config.  Usage: test_install.sh BUILD_DIR SOURCE_DIR
set -e
BUILD=$1 SOURCE=$2
PREFIX=$(mktemp -d /tmp/tracelm-install-XXXXXX)
trap 'rm -rf "$PREFIX"' EXIT
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
LIBDIR=$(ls -d "$PREFIX"/lib* | head -1)
export LD_LIBRARY_PATH="$(dirname "$(find "$PREFIX" -name 'libtracelm.so' | head -1)")"
passed=0

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

[ -x "$PREFIX/bin/tracelm" ] && [ -f "$(find "$PREFIX" -name tracelm.so | head -1)" ]
echo "ok   the CLI and the extension are installed"; passed=$((passed + 1))
echo "$passed passed, 0 failed"
