#!/usr/bin/env bash
# The README's first command: install what is needed, build, check the example configs the way
# `apache2 -t` would, then run balancerd in the foreground on conf-examples/quickstart (loopback only).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
"$here/tools/setup.sh" "$build"
bin="$build/server/balancerd"

export QUICKSTART_ROOT="$here/conf-examples/quickstart"
export QUICKSTART_RUN="${QUICKSTART_RUN:-/tmp/balancerd-quickstart}"
mkdir -p "$QUICKSTART_RUN"

echo "== configtest: conf-examples/quickstart"
"$bin" -d "$QUICKSTART_ROOT" -f apache2.conf -t
echo "== configtest: conf-examples/seed-cluster (through its envvars, as apache2ctl does)"
(cd "$here/conf-examples/seed-cluster" && . ./envvars && "$bin" -d "$PWD" -f apache2.conf -t)

echo "== starting balancerd on conf-examples/quickstart (Ctrl-C stops it)"
"$bin" -d "$QUICKSTART_ROOT" -f apache2.conf -DFOREGROUND &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0' INT TERM
for _ in $(seq 50); do
  curl -s -o /dev/null http://127.0.0.1:8080/server-status && break
  sleep 0.1
done
echo "== six requests without a cookie rotate across the members (byrequests):"
for i in 1 2 3 4 5 6; do
  printf '   GET /  -> %s\n' "$(curl -s http://127.0.0.1:8080/ | sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p')"
done
cat <<MSG
   front balancer:   http://127.0.0.1:8080/          (sticky through the ROUTEID cookie once you have one)
   balancer-manager: http://127.0.0.1:8080/balancer-manager   (from 127.0.0.1 only)
   server-status:    http://127.0.0.1:8080/server-status?auto
   nodes (static):   http://127.0.0.1:8081/  http://127.0.0.1:8082/  http://127.0.0.1:8083/
MSG
wait "$pid"
