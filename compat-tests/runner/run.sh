#!/usr/bin/env bash
# ctest compat_runner: self-tests of the differential runner and the fake backends (they need real Apache, not
# balancerd: the argument ctest passes is accepted and ignored). Ends with "N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONDONTWRITEBYTECODE=1
exec python3 "$here/test_runner.py"
