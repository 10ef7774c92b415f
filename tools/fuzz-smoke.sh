#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time from an empty corpus plus its seeds; fails on any crash,
# leak, sanitizer report or hang. Usage: fuzz-smoke.sh BINARY SECONDS [SEED_DIR]
set -euo pipefail
bin=$1 secs=$2 seeds=${3:-}
[ -x "$bin" ] || { echo "fuzz-smoke: $bin was not built (tools/test.sh builds it with clang)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=("$work")
[ -n "$seeds" ] && [ -d "$seeds" ] && corpus+=("$seeds")
cd "$work"
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${corpus[@]}" 2>&1 | tail -n 15
