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
cat <<MSG
   nodes (static):   http://127.0.0.1:8081/  http://127.0.0.1:8082/  http://127.0.0.1:8083/
   server-status:    http://127.0.0.1:8080/server-status?auto
   front balancer:   http://127.0.0.1:8080/  (byrequests over the nodes; answers 403 until the proxy engine
                     lands -- see README "Status"; the same file under apache2 shows the finished behaviour)
MSG
exec "$bin" -d "$QUICKSTART_ROOT" -f apache2.conf -DFOREGROUND
