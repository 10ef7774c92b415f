#!/usr/bin/env bash
# ctest compat_manager: the manager scenarios in this folder (issue 5), real Apache (reference) vs
# balancerd, each side on its own loopback ports and temp dir. Exits non-zero on any difference not listed in
# deviations.txt; the last line printed is "N passed, M failed".
#
#   run.sh BALANCERD_BIN [runner options]   compare balancerd with Apache (what ctest runs)
#   run.sh --apache-only [runner options]   Apache vs Apache: validates the scenarios themselves
#
# With no runner options, persist_restart.py runs after the scenarios (BalancerPersist across a full stop and
# start, which the runner's actions cannot express); the exit status covers both.
#
# Integrator's one-line switch: "compare" runs the real comparison (it FAILS while balancerd cannot serve yet);
# "apache-only" makes this ctest validate only the scenarios, and says so loudly in its output.
mode=compare

set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runner=$here/../runner/runner.py
export PYTHONDONTWRITEBYTECODE=1

if [[ ${1:-} == --apache-only ]]; then
  shift
  python3 "$runner" --apache-only "$here" "$@" || rc=$?
  [[ $# -eq 0 ]] && { python3 "$here/persist_restart.py" --apache-only || rc=$?; }
  exit ${rc:-0}
fi
bin=$(realpath "${1:?usage: run.sh BALANCERD_BIN | --apache-only}")
shift
if [[ $mode == apache-only ]]; then
  echo "compat_manager: NOTE: mode=apache-only in run.sh -- balancerd ($bin) is NOT being compared" >&2
  exec python3 "$runner" --apache-only "$here" "$@"
fi
python3 "$runner" --balancerd "$bin" "$here" "$@" || rc=$?
[[ $# -eq 0 ]] && { python3 "$here/persist_restart.py" "$bin" || rc=$?; }
exit ${rc:-0}
