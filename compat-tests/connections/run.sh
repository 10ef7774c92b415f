#!/usr/bin/env bash
# ctest compat_connections: balancerd holds 10,000 concurrent keep-alive connections without a failure (issue 3,
# "Bad input"). Starts balancerd on its own temp config (event MPM, a loopback port, one tiny static file), opens
# 10,000 connections from one asyncio client, sends one GET on each, requires 10,000 correct 200 answers, holds
# them idle, reports balancerd's RSS per idle connection, then checks a sample still answers after the idle time.
# The last line printed is "N passed, M failed"; exits non-zero on any failure.
#
#   run.sh BALANCERD_BIN [--connections N]
#
# Needs about N+100 open files in each process (client and server). The script raises the soft limit to 30000,
# or to the hard limit when that is lower; if that is still not enough it prints SKIP and exits 0.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: run.sh BALANCERD_BIN [--connections N]}")
shift
export PYTHONDONTWRITEBYTECODE=1

want=30000
hard=$(ulimit -Hn)
if [[ $hard != unlimited && $hard -lt $want ]]; then
  want=$hard
fi
ulimit -n "$want" 2>/dev/null || true
exec python3 "$here/connections.py" --balancerd "$bin" --nofile "$(ulimit -n)" "$@"
