#!/usr/bin/env bash
# Installs what the benchmarks compare against and drive load with (Debian packages), and builds balancerd.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
need=()
for p in wrk haproxy nginx-light apache2 util-linux time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian starts the packaged services on install where it can; the benchmarks start their own.
"$here/tools/setup.sh" "$here/build"
