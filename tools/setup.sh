#!/usr/bin/env bash
# Installs every Debian package balancerd needs to build and test, then builds it.
# Usage: tools/setup.sh [build-dir]   (idempotent; skips apt when everything is present)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}

packages=(g++ cmake ninja-build pkg-config git wrk tao-pegtl-dev libboost1.81-dev libssl-dev libnghttp2-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libpcre2-dev apache2 apache2-doc clang libclang-rt-14-dev
  python3 curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
