#!/usr/bin/env python3
"""Checks issue 2's target: `balancerd -t` on Debian's stock /etc/apache2 tree peaks at no more
resident memory than `apache2 -t` on the same tree. Both run --runs times, interleaved, with the
environment apache2ctl gives them (envvars sourced, run dirs kept out of /var); the medians of the
peak RSS (wait4's ru_maxrss) are compared. ASLR moves single runs by a few hundred KiB, hence the
medians. Exit 0 pass, 1 fail, 77 skip (no apache2 or no stock tree).

What keeps balancerd under the line is the lean link (CMakeLists.txt) and the code order in
server/link/configtest_order.ld; when this fails after code changes, regenerate the latter with
server/link/gen_configtest_order.py first.

usage: check_peak_rss.py PEAK_RSS_HELPER BALANCERD [--apache /usr/sbin/apache2] [--tree /etc/apache2] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def peak_rss_kib(helper: str, argv: list[str], prefix: str) -> tuple[int, int]:
    """Runs argv through the peak_rss helper after the shell prefix; returns (exit status, peak RSS
    in KiB). The helper (server/link/peak_rss.cpp) forks the program from a small process: a child
    of this Python process would start with Python's pages, which ru_maxrss counts."""
    line = prefix + " exec " + " ".join(shlex.quote(a) for a in [helper] + argv)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}
    p = subprocess.run(["/bin/sh", "-c", line], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=120)
    m = re.search(r"peak_rss_kib=(\d+) exit=(\d+)", p.stderr.decode(errors="replace"))
    if not m:
        raise RuntimeError(f"no measurement from {helper}: {p.stderr[-500:]!r}")
    return int(m.group(2)), int(m.group(1))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("helper", help="the bd_peak_rss program (server/link/peak_rss.cpp)")
    ap.add_argument("balancerd")
    ap.add_argument("--apache", default="/usr/sbin/apache2")
    ap.add_argument("--tree", default="/etc/apache2")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    tree = args.tree
    if not os.access(args.apache, os.X_OK) or not (Path(tree) / "apache2.conf").is_file():
        print(f"skipped: needs {args.apache} and {tree}/apache2.conf", file=sys.stderr)
        return 77
    with tempfile.TemporaryDirectory(prefix="configtest-rss-") as rundir:
        prefix = (f"APACHE_CONFDIR={shlex.quote(tree)}; export APACHE_CONFDIR; . {shlex.quote(tree)}/envvars; "
                  f"export APACHE_RUN_DIR={rundir} APACHE_LOCK_DIR={rundir} APACHE_PID_FILE={rundir}/apache2.pid;")
        progs = {"apache2": args.apache, "balancerd": os.path.abspath(args.balancerd)}
        rss: dict[str, list[int]] = {name: [] for name in progs}
        for _ in range(args.runs):
            for name, prog in progs.items():
                code, kib = peak_rss_kib(os.path.abspath(args.helper), [prog, "-t", "-d", tree, "-f", f"{tree}/apache2.conf"], prefix)
                if code != 0:
                    print(f"{name} -t exited {code} on {tree}", file=sys.stderr)
                    return 77 if name == "apache2" else 1
                rss[name].append(kib)
    med = {name: statistics.median(v) for name, v in rss.items()}
    for name, v in rss.items():
        print(f"{name:9} -t peak RSS median {med[name]:.0f} KiB (runs: {' '.join(map(str, v))})")
    if med["balancerd"] > med["apache2"]:
        print("FAIL: balancerd -t peaks above apache2 -t on the stock tree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
