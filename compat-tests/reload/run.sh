#!/usr/bin/env bash
# ctest entry point: graceful reloads under load through the balancer (issue 5). Usage: run.sh BALANCERD
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 /path/to/balancerd" >&2
  exit 2
fi
exec python3 "$here/reload_under_load.py" --balancerd "$(realpath "$1")"
