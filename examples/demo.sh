#!/usr/bin/env bash
# make demo: runs the bundled legacy-style service (examples/demo_service.c)
# under the shim with the rules of examples/demo.json, then prints the
# events it produced. The events go to a capture file, which works on any
# machine; live user_events tracepoints need a kernel built with
# CONFIG_USER_EVENTS and access to tracefs.
set -eu
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== backend: capture file $out/demo.dat (no kernel feature needed;" \
    "live user_events need CONFIG_USER_EVENTS and tracefs: see $BUILD/ehshim status)"
echo "== ehshim run -c examples/demo.json -o $out/demo.dat $BUILD/examples/demo_service"
echo "== the service's own stderr, unchanged by the shim:"
"$BUILD/ehshim" run -c "$here/demo.json" -o "$out/demo.dat" "$BUILD/examples/demo_service" 2>&1
echo "== its events (ehshim decode $out/demo.dat):"
"$BUILD/ehshim" decode "$out/demo.dat"
