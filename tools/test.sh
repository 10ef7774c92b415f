#!/usr/bin/env bash
# Installs, builds and runs every test: unit tests (also under ASan/UBSan), compat tests against real
# Apache, fuzz smoke runs. Ends with ctest's summary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$here/build}
san=${SAN_BUILD_DIR:-$here/build-san}
"$here/tools/setup.sh" "$build"

# The sanitizer tree: clang (libFuzzer needs it), ASan+UBSan, tests and fuzzers only.
CXX=clang++ cmake -S "$here" -B "$san" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBALANCERD_SANITIZE=ON \
  -DBALANCERD_FUZZ=ON >/dev/null
san_targets=$(cmake --build "$san" --target help | awk -F: '/^([a-z]+_tests|fuzz_[a-z_]+):/{print $1}')
# shellcheck disable=SC2086
cmake --build "$san" -j"$(nproc)" --target $san_targets

cmake -S "$here" -B "$build" -DBALANCERD_SAN_DIR="$san" >/dev/null
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 900
