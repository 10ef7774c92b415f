#!/usr/bin/env bash
# Installs, builds and runs every test: unit tests, compat tests against real Apache, fuzz smoke runs.
# Ends with ctest's summary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
"$here/tools/setup.sh" "$build"
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 900
