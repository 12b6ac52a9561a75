#!/bin/sh
# Start service_b and service_a on loopback, send requests with and without
# a traceparent, stop both, and show one trace spanning both processes.
# Usage: examples/services/run.sh [BUILD_DIR]   (default: build)
set -e
BUILD=${1:-build}
export TRACELM_DB="$PWD/services.db"
"$BUILD/examples/services/service_b" 0 > b.port &
B=$!
sleep 0.5
B_PORT=$(sed -n 's/.*listening on //p' b.port)
"$BUILD/examples/services/service_a" 0 "$B_PORT" > a.port &
A=$!
sleep 0.5
A_PORT=$(sed -n 's/.*listening on //p' a.port)
echo "service_a on 127.0.0.1:$A_PORT, service_b on 127.0.0.1:$B_PORT"

curl -s "http://127.0.0.1:$A_PORT/ask"
curl -s -D - -o /dev/null -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
     "http://127.0.0.1:$A_PORT/ask" | grep -i '^traceparent'

kill $A $B
wait $A $B 2>/dev/null || true
rm -f a.port b.port
"$BUILD/cli/tracelm" analyze 4bf92f35
