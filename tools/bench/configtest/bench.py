#!/usr/bin/env python3
"""Config-test benchmark: how long `apache2 -t` and `balancerd -t` take, and how much memory they
peak at, on (1) a generated configuration with many virtual hosts, each with its own 4-member
balancer, a ProxyPass to it and 5 <Location>s, and (2) Debian's stock /etc/apache2 tree.

Every measurement runs under `/usr/bin/time -v` (wall clock and maximum resident set size); each
(config, program) pair is repeated --reps times, interleaved, and the table shows the median (and
the minimum wall time). A benchmark, not a test: it is not registered with ctest.

usage: bench.py --balancerd BIN [--baseline BIN] [--apache /usr/sbin/apache2] [--vhosts 10000]
                [--reps 5] [--keep DIR] [--no-stock]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MODULES = "/usr/lib/apache2/modules"
TIME = "/usr/bin/time"
LOCATIONS = ("/app/", "/static/", "/api/", "/admin/", "/health")


def generate(root: Path, vhosts: int) -> Path:
    """Writes root/bench.conf and returns its path. Every vhost gets distinct backend ports so that
    no two balancers share a worker (sharing would make Apache skip work)."""
    (root / "run").mkdir(parents=True, exist_ok=True)
    conf = root / "bench.conf"
    head = [
        f"ServerRoot {root}",
        f"LoadModule mpm_event_module {MODULES}/mod_mpm_event.so",
        f"LoadModule authz_core_module {MODULES}/mod_authz_core.so",
        f"LoadModule authz_host_module {MODULES}/mod_authz_host.so",
        f"LoadModule headers_module {MODULES}/mod_headers.so",
        f"LoadModule proxy_module {MODULES}/mod_proxy.so",
        f"LoadModule proxy_http_module {MODULES}/mod_proxy_http.so",
        f"LoadModule slotmem_shm_module {MODULES}/mod_slotmem_shm.so",
        f"LoadModule proxy_balancer_module {MODULES}/mod_proxy_balancer.so",
        f"LoadModule lbmethod_byrequests_module {MODULES}/mod_lbmethod_byrequests.so",
        f"PidFile {root}/run/httpd.pid",
        f"ErrorLog {root}/run/error.log",
        f"DefaultRuntimeDir {root}/run",
        "ServerName bench.example",
        "Listen 127.0.0.1:28080",
        "ProxyRequests Off",
        "",
    ]
    with conf.open("w") as f:
        f.write("\n".join(head))
        for i in range(vhosts):
            name = f"v{i:05d}"
            base = 10000 + (i * 4) % 50000
            f.write(f"<VirtualHost *:28080>\n"
                    f"    ServerName {name}.bench.example\n"
                    f"    ServerAlias www.{name}.bench.example\n"
                    f"    <Proxy \"balancer://{name}\">\n")
            for m in range(4):
                h = 1 + (i * 4 + m) // 50000  # 127.0.0.h keeps every (host, port) distinct
                f.write(f"        BalancerMember \"http://127.0.0.{h}:{base + m}\" route=m{m} "
                        f"loadfactor={m + 1} retry=30\n")
            f.write("        ProxySet lbmethod=byrequests stickysession=ROUTEID\n"
                    "    </Proxy>\n"
                    f"    ProxyPass \"/app/\" \"balancer://{name}/\"\n"
                    f"    ProxyPassReverse \"/app/\" \"balancer://{name}/\"\n")
            for loc in LOCATIONS:
                f.write(f"    <Location \"{loc}\">\n"
                        f"        Require all granted\n"
                        f"        Header always set X-Vhost {name}\n"
                        f"    </Location>\n")
            f.write("</VirtualHost>\n")
    return conf


TIME_WALL = re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)")
TIME_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
TIME_USER = re.compile(r"User time \(seconds\): ([\d.]+)")
TIME_SYS = re.compile(r"System time \(seconds\): ([\d.]+)")


def timed(argv: list[str], env: dict[str, str],
          shell_prefix: str = "") -> tuple[int, float, float, int, str]:
    """Runs argv under /usr/bin/time -v; returns (exit code, wall seconds, CPU seconds (user + system),
    peak RSS KiB, stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        cmd = [TIME, "-v", "-o", tf.name] + argv
        if shell_prefix:
            cmd = ["/bin/sh", "-c", shell_prefix + " exec " + " ".join(shlex.quote(a) for a in cmd)]
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=3600)
        report = Path(tf.name).read_text()
    m, r = TIME_WALL.search(report), TIME_RSS.search(report)
    u, k = TIME_USER.search(report), TIME_SYS.search(report)
    if not m or not r or not u or not k:
        raise RuntimeError(f"could not parse /usr/bin/time output:\n{report}")
    wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    cpu = float(u.group(1)) + float(k.group(1))
    return p.returncode, wall, cpu, int(r.group(1)), p.stderr.decode("utf-8", "replace")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", required=True)
    ap.add_argument("--baseline", help="an earlier balancerd build, measured in the same run (\"base\")")
    ap.add_argument("--apache", default="/usr/sbin/apache2")
    ap.add_argument("--vhosts", type=int, default=10000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--tree", default="/etc/apache2", help="stock tree (default %(default)s)")
    ap.add_argument("--no-stock", action="store_true", help="skip the stock tree")
    ap.add_argument("--keep", help="write the generated config here and keep it")
    args = ap.parse_args(argv)
    if not os.access(TIME, os.X_OK):
        print(f"{TIME} is needed (Debian package 'time')", file=sys.stderr)
        return 2
    for prog in (args.apache, args.balancerd) + ((args.baseline,) if args.baseline else ()):
        if not os.access(prog, os.X_OK):
            print(f"not executable: {prog}", file=sys.stderr)
            return 2

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-configtest-"))
    try:
        conf = generate(root, args.vhosts)
        size_mib = conf.stat().st_size / 2**20
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}
        progs = [("apache2", args.apache), ("balancerd", os.path.abspath(args.balancerd))]
        if args.baseline:
            progs.append(("base", os.path.abspath(args.baseline)))
        configs = [(f"{args.vhosts} vhosts ({size_mib:.1f} MiB)", lambda p: ([p, "-t", "-f", str(conf)], ""))]
        if not args.no_stock and (Path(args.tree) / "apache2.conf").is_file():
            rundir = root / "stock-run"
            rundir.mkdir(exist_ok=True)
            tree = args.tree
            # Like apache2ctl: envvars sourced with APACHE_CONFDIR; run dirs kept out of /var.
            prefix = (f"APACHE_CONFDIR={shlex.quote(tree)}; export APACHE_CONFDIR; "
                      f". {shlex.quote(tree)}/envvars; "
                      f"export APACHE_RUN_DIR={rundir} APACHE_LOCK_DIR={rundir} "
                      f"APACHE_PID_FILE={rundir}/apache2.pid;")
            configs.append((f"stock {tree}",
                            lambda p, pre=prefix: ([p, "-t", "-d", tree, "-f", f"{tree}/apache2.conf"], pre)))

        samples: dict[tuple[str, str], list[tuple[int, float, float, int]]] = {}
        notes: dict[tuple[str, str], str] = {}
        for rep in range(args.reps):
            for cname, make in configs:
                for pname, prog in progs:  # interleaved, so drift hits both programs alike
                    argv_, shell_prefix = make(prog)
                    code, wall, cpu, rss, err = timed(argv_, env, shell_prefix)
                    samples.setdefault((cname, pname), []).append((code, wall, cpu, rss))
                    if code != 0:
                        notes[(cname, pname)] = err.strip().splitlines()[-1] if err.strip() else ""
            print(f"rep {rep + 1}/{args.reps} done", file=sys.stderr, flush=True)

        print()
        print(f"configtest (-t) benchmark, {args.reps} repetitions each, medians "
              f"(wall clock, CPU = user + system, and peak RSS from /usr/bin/time -v)")
        header = f"{'config':<30} {'program':<10} {'exit':>4} {'wall median':>12} {'wall min':>9} " \
                 f"{'CPU median':>11} {'peak RSS median':>16}"
        print(header)
        print("-" * len(header))
        for cname, _ in configs:
            for pname, _ in progs:
                s = samples[(cname, pname)]
                codes = sorted({c for c, _, _, _ in s})
                wall_med = statistics.median(w for _, w, _, _ in s)
                wall_min = min(w for _, w, _, _ in s)
                cpu_med = statistics.median(c for _, _, c, _ in s)
                rss_med = statistics.median(r for _, _, _, r in s) / 1024
                print(f"{cname:<30} {pname:<10} {','.join(map(str, codes)):>4} {wall_med:>11.3f}s "
                      f"{wall_min:>8.3f}s {cpu_med:>10.2f}s {rss_med:>13.1f} MiB")
        for (cname, pname), note in notes.items():
            print(f"note: {pname} on {cname} exited non-zero: {note}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
