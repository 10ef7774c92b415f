#!/usr/bin/env bash
# ctest compat_backends: self-tests of the fake backends' script instructions added after the runner's own
# self-tests (runner/run.sh covers the rest). Needs neither Apache nor balancerd: the argument ctest passes
# is accepted and ignored.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PYTHONDONTWRITEBYTECODE=1
exec python3 "$here/test_fakebackend.py"
