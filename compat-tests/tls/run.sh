#!/usr/bin/env bash
# ctest compat_tls: the TLS termination scenarios (mod_ssl server side) in this folder, real Apache (reference) vs
# balancerd, each side on its own loopback ports and temp dir. Exits non-zero on any difference not listed in
# deviations.txt; the last line printed is "N passed, M failed".
#
#   run.sh BALANCERD_BIN [runner options]   compare balancerd with Apache (what ctest runs)
#   run.sh --apache-only [runner options]   Apache vs Apache: validates the scenarios themselves
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
  exec python3 "$runner" --apache-only "$here" "$@"
fi
bin=$(realpath "${1:?usage: run.sh BALANCERD_BIN | --apache-only}")
shift
if [[ $mode == apache-only ]]; then
  echo "compat_tls: NOTE: mode=apache-only in run.sh -- balancerd ($bin) is NOT being compared" >&2
  exec python3 "$runner" --apache-only "$here" "$@"
fi
exec python3 "$runner" --balancerd "$bin" "$here" "$@"
