#!/usr/bin/env python3
"""User-space instructions per proxied request, counted by callgrind: a deterministic measure for
small changes on a machine whose CPU time is too noisy to show them (a shared or loaded host).

bench.py's proxy job (a round-robin balancer over nginx backends, 1 KB bodies, keep-alive), but the
server runs under `valgrind --tool=callgrind` twice, once with N (--requests) and once with 3N
requests, sent over --conns keep-alive connections in lock step (one request on every connection,
then every answer read, so each io-loop pass sees --conns events). The difference of the two totals
over 2N is printed per server (start-up, configuration reading and shutdown cancel out); the dumps
stay in --out for callgrind_annotate (callgrind_control needs vgdb, which cannot wake a process
sleeping in epoll_wait in a container, hence two runs).

    python3 tools/bench/http/instructions.py --balancerd build/server/balancerd --baseline /tmp/old
    python3 tools/bench/http/instructions.py --cache-sim --conns 512 --requests 5120 ...  (misses too)
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the configs and helpers)

FRONT = 28550
BACKENDS = [28561, 28562, 28563, 28564]
REQUEST = b"GET /small.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"


def read_response(sock, pending):
    """One response (Content-Length framed) from sock; returns the bytes that follow it."""
    buf = pending
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            head = buf[:end].decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip() == "content-length":
                    length = int(value)
            total = end + 4 + length
            if len(buf) >= total:
                if not head.startswith("http/1.1 200"):
                    raise RuntimeError(f"unexpected answer: {head.splitlines()[0]}")
                return buf[total:]
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed by the server")
        buf += chunk


def run_requests(port, conns, count):
    socks = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(conns)]
    rest = [b""] * conns
    try:
        sent = 0
        while sent < count:
            batch = min(conns, count - sent)
            for s in socks[:batch]:
                s.sendall(REQUEST)
            for i in range(batch):
                rest[i] = read_response(socks[i], rest[i])
            sent += batch
    finally:
        for s in socks:
            s.close()


def totals(dump):
    """The dump's event totals by name (Ir; with --cache-sim also D1mr, D1mw, DLmr, DLmw, ...)."""
    events = []
    with open(dump) as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            if line.startswith("summary:") or line.startswith("totals:"):
                return dict(zip(events, (int(x) for x in line.split()[1:])))
    raise RuntimeError(f"{dump}: no totals")


def run_server(name, argv, conns, requests, out_dir, cache_sim=False):
    """Event totals of the server process over its whole life with `requests` requests sent."""
    out = os.path.join(out_dir, f"callgrind.{name}.{requests}")
    vg = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", "--dump-instr=no",
          "--separate-threads=no", "--vgdb=no"]
    if cache_sim:
        # The last level simulated is a 1 MiB L2 (this host's per-core L2, AMD EPYC), not the shared
        # L3 valgrind would take: L2 misses are what grows with the number of connections.
        vg += ["--cache-sim=yes", "--LL=1048576,8,64"]
    # Not Server.start(): valgrind needs longer than its wait, and no CPU pinning is wanted (the
    # count does not depend on it). Server.stop() still ends it by its PID.
    s = bench.Server(name, vg + argv, FRONT)
    s.proc = subprocess.Popen(vg + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        if not bench.wait_port(FRONT, 120):
            raise RuntimeError(f"{name} did not start under valgrind")
        # Started as root, the server drops privileges: callgrind's file, created at start-up,
        # must stay writable for the dump at exit.
        for f in os.listdir(out_dir):
            if f.startswith(os.path.basename(out) + "."):
                os.chmod(os.path.join(out_dir, f), 0o666)
        run_requests(FRONT, conns, 4 * conns)  # warm-up: pools filled, caches grown
        run_requests(FRONT, conns, requests)
    finally:
        s.stop()
    dump = f"{out}.{s.proc.pid}"  # the server's own process, not a helper it forked
    if not os.path.exists(dump):
        raise RuntimeError(f"{name}: callgrind wrote no {dump}")
    return totals(dump), dump


def measure(name, argv, conns, requests, out_dir, cache_sim=False):
    """Events per request (Ir, and the cache misses with cache_sim): the difference between a run
    with 3N and one with N requests, so start-up, configuration reading and shutdown cancel out."""
    few, _ = run_server(name, argv, conns, requests, out_dir, cache_sim)
    many, dump = run_server(name, argv, conns, 3 * requests, out_dir, cache_sim)
    return {k: (many[k] - few.get(k, 0)) / (2 * requests) for k in many}, dump


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", default=os.path.join(bench.ROOT, "build", "server", "balancerd"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--haproxy", action="store_true", help="count HAProxy's too")
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--cache-sim", action="store_true",
                    help="simulate the caches too: D1 and L2 (1 MiB) data misses per request")
    ap.add_argument("--out", default="", help="directory for the callgrind dumps (default: a temp dir)")
    args = ap.parse_args()
    for tool in ("valgrind", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"instructions: {tool} is missing")
    bench.FRONT_PORT, bench.BACKEND_PORTS = FRONT, BACKENDS
    t = bench.proxy_job_dir("bd-instr-", FRONT)
    out_dir = args.out or t
    os.makedirs(out_dir, exist_ok=True)
    os.chmod(out_dir, 0o777)
    runs = [("balancerd", [args.balancerd, "-f", f"{t}/apache.conf", "-DFOREGROUND"])]
    if args.baseline:
        runs.append(("baseline", [args.baseline, "-f", f"{t}/apache.conf", "-DFOREGROUND"]))
    if args.haproxy:
        runs.append(("haproxy", ["haproxy", "-f", f"{t}/haproxy.cfg"]))
    backends = []
    results = []
    try:
        backends += bench.start_backends(t, BACKENDS)
        for name, argv in runs:
            per_request, dump = measure(name, argv, args.conns, args.requests, out_dir, args.cache_sim)
            results.append((name, per_request, dump))
    finally:
        bench.stop_backends(backends)
        if not args.out:
            for _, _, dump in results:
                keep = os.path.join(tempfile.gettempdir(), os.path.basename(dump))
                shutil.copy(dump, keep)
            shutil.rmtree(t, ignore_errors=True)
    print(f"user-space instructions per proxied request ({args.requests} requests, {args.conns} connections)")
    for name, per_request, dump in results:
        where = dump if args.out else os.path.join(tempfile.gettempdir(), os.path.basename(dump))
        misses = ""
        if args.cache_sim:
            d1 = per_request.get("D1mr", 0) + per_request.get("D1mw", 0)
            ll = per_request.get("DLmr", 0) + per_request.get("DLmw", 0)
            misses = f"   D1 misses {d1:7.1f}  L2 misses {ll:7.1f}"
        print(f"  {name:10} {per_request['Ir']:10.0f}{misses}   {where}")


if __name__ == "__main__":
    main()
