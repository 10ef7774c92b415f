#!/usr/bin/env bash
# ctest entry point: Debian's stock /etc/apache2 tree (as installed, then with each module, conf
# and site enabled in turn) through real apache2 and the balancerd given as $1.
# Exits non-zero on any unexpected difference; the last line is "N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
  echo "usage: $0 /path/to/balancerd [options...]" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
bin=$1
shift
exec python3 "$here/stock_tree.py" --balancerd "$bin" --jobs 2 "$@"
