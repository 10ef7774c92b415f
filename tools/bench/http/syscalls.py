#!/usr/bin/env python3
"""System calls per proxied request, side by side: balancerd (and a --baseline build), HAProxy and
nginx doing bench.py's proxy job (4 nginx backends, 1 KB bodies, keep-alive) under the same wrk load.

For each server and connection count it counts, with `perf stat` on the server's process, every
system call the server makes during a fixed-length wrk run and prints them per request, with the
failed (EAGAIN) reads split out (perf's syscalls:sys_exit_* tracepoints give the return value only to
a filter, so a second counter with `ret == -11` counts those). Needs perf and tracepoint access.

The server is pinned to CPU 0 and wrk plus the backends to CPU 1, as in bench.py; ports differ from
bench.py's, so both can run at once on one machine (not that they should: the numbers are per
request, not per second, so they do not depend much on load).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the configs and helpers)

FRONT = 28500
BACKENDS = [28511, 28512, 28513, 28514]
CALLS = ["recvfrom", "read", "readv", "recvmsg", "sendto", "write", "writev", "sendmsg", "epoll_wait",
         "epoll_ctl", "accept4", "close", "setsockopt", "getsockopt", "connect", "socket", "timerfd_settime",
         "futex", "clock_gettime", "getsockname", "getpeername", "ioctl", "shutdown", "splice"]
FAILED = ["recvfrom", "read", "readv", "recvmsg"]


def perf_events():
    ev = [f"syscalls:sys_enter_{c}" for c in CALLS]
    ev += ["raw_syscalls:sys_enter"]
    filters = []
    for c in FAILED:
        filters += ["-e", f"syscalls:sys_exit_{c}", "--filter", "ret == -11"]
    return ev, filters


def measure(server, conns, seconds):
    ev, filters = perf_events()
    out = os.path.join(tempfile.gettempdir(), f"bd-syscalls-{os.getpid()}.txt")
    pids = ",".join(str(p) for p in bench.tree_pids(server.proc.pid))  # nginx: master and worker
    perf = subprocess.Popen(["perf", "stat", "-x", ",", "-o", out, "-p", pids,
                             "-e", ",".join(ev)] + filters, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        r = bench.wrk(f"http://127.0.0.1:{server.port}/small.html", conns, seconds)
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=20)
    counts = {}
    with open(out) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) < 3 or not parts[0].replace(".", "").isdigit():
                continue
            name = parts[2]
            m = re.match(r"syscalls:sys_(enter|exit)_(\w+)", name)
            key = "total" if name == "raw_syscalls:sys_enter" else (
                m.group(2) if m.group(1) == "enter" else m.group(2) + " EAGAIN")
            counts[key] = counts.get(key, 0) + float(parts[0])
    os.unlink(out)
    return r["requests"], counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", default=os.path.join(bench.ROOT, "build", "server", "balancerd"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--conns", default="64,512")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--only", default="", help="comma list of servers (balancerd,baseline,haproxy,nginx)")
    args = ap.parse_args()
    for tool in ("wrk", "taskset", "nginx", "haproxy", "perf"):
        if not shutil.which(tool):
            sys.exit(f"syscalls: {tool} is missing")
    bench.FRONT_PORT, bench.BACKEND_PORTS = FRONT, BACKENDS

    t = bench.proxy_job_dir("bd-syscalls-", FRONT)
    backends = []
    servers = bench.proxy_servers(t, args.balancerd, args.baseline, args.only, FRONT)
    results = []
    try:
        backends += bench.start_backends(t, BACKENDS)
        for s in servers:
            s.start()
            try:
                bench.check_once(f"http://127.0.0.1:{s.port}/small.html")
                bench.wrk(f"http://127.0.0.1:{s.port}/small.html", 16, 1)  # warm-up: pools filled
                for c in [int(x) for x in args.conns.split(",")]:
                    n, counts = measure(s, c, args.seconds)
                    results.append((s.name, c, n, counts))
            finally:
                s.stop()
    finally:
        bench.stop_backends(backends)
        shutil.rmtree(t, ignore_errors=True)

    keys = ["total"] + [k for k in CALLS + [f + " EAGAIN" for f in FAILED]
                        if any(r[3].get(k, 0) for r in results)]
    print("system calls per request (perf stat on the server process during wrk)")
    print(f"{'':22}" + "".join(f"{r[0][:10]:>11}" for r in results))
    print(f"{'conns':22}" + "".join(f"{r[1]:>11}" for r in results))
    print(f"{'requests':22}" + "".join(f"{r[2]:>11}" for r in results))
    for k in keys:
        print(f"{k:22}" + "".join(f"{r[3].get(k, 0) / max(r[2], 1):>11.3f}" for r in results))


if __name__ == "__main__":
    main()
