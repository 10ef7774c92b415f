#!/usr/bin/env python3
"""Fault-injection soak: balancerd balancing over backends that die, reset, stall, send garbage, cut bodies
short and send oversized headers, while clients abort mid-response. Run for a bounded time (default 600 s),
sampling balancerd's RSS, open file descriptors and threads. At the end it checks that balancerd is alive,
still answers a healthy request, did not grow after warm-up, and holds no more descriptors than its
listeners plus pooled backend connections.

    python3 tools/bench/faults/soak.py --balancerd build/server/balancerd --seconds 600

It is a benchmark-style tool (run by hand, figures go in the closing note); `--seconds 20` is a quick check.
Everything listens on 127.0.0.1; every process started here is stopped by its PID.
"""
import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "compat-tests", "backends"))
import fakebackend  # noqa: E402

MODULES = "/usr/lib/apache2/modules"

# Every member runs the same script, so a fault path misbehaves whichever member the balancer picks.
BACKEND_SCRIPT = """
body ok\\n
when /fault/reset*
reset
when /fault/close*
close
when /fault/garbage*
garbage \\x00\\x01not http at all\\r\\n\\r\\n
when /fault/slow*
delay-headers 2
body late\\n
when /fault/cut*
close-after 1000
big-body 200000
when /fault/bighdr*
big-header X-Huge 20000
body big header\\n
when /fault/badstatus*
garbage HTTP/1.1 2x0 Odd\\r\\nContent-Length: 2\\r\\n\\r\\nok
when /big*
big-body 300000
when /post*
echo
"""

# (path, weight, accepted statuses). 0 means the connection closed without a (complete) answer: after a
# body cut short, and when a reused backend connection fails before any byte, where Apache closes the client
# connection so that the client may retry. The exact status of each fault is the compat suites' business
# (compat-tests/proxy); here any answer Apache itself gives is accepted, and the point is what must never
# happen: a crash, a hang, a leak, or an answer outside these sets.
TRAFFIC = [
    ("/ok", 50, {200}),
    ("/post", 10, {200}),
    ("/fault/reset", 4, {502, 0}),
    ("/fault/close", 4, {502, 0}),
    ("/fault/garbage", 4, {200, 502, 0}),  # Apache reads a status line without "HTTP/" as HTTP/0.9
    ("/fault/slow", 3, {502, 504}),
    ("/fault/cut", 4, {200, 0}),
    ("/fault/bighdr", 4, {502}),
    ("/fault/badstatus", 3, {200, 502}),
    ("/big", 5, {200, 0}),  # clients abort most of these mid-body
]


class DroppingJournal(fakebackend.Journal):
    """Counts receipts instead of keeping them: a soak must not grow the harness itself."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def record(self, receipt):
        self.count += 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(tmp, port, members, dead_port):
    mods = ["mpm_event", "authz_core", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer",
            "lbmethod_byrequests"]
    loads = "\n".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in mods)
    lines = "\n".join(f"  BalancerMember http://127.0.0.1:{p} timeout=1 retry=1" for p in members)
    return f"""ServerRoot {tmp}
ServerName soak.local
{loads}
PidFile {tmp}/balancerd.pid
ErrorLog {tmp}/error.log
DefaultRuntimeDir {tmp}
LogLevel warn
Listen 127.0.0.1:{port}
KeepAlive On
KeepAliveTimeout 5
Timeout 10
LimitRequestBody 1048576
<Proxy balancer://soak>
{lines}
  BalancerMember http://127.0.0.1:{dead_port} retry=1
  ProxySet lbmethod=byrequests maxattempts=1
</Proxy>
ProxyPass / balancer://soak/
"""


def read_response(sock, abort_after=None):
    """Reads one response; returns (status, keep_alive). abort_after: close after that many body bytes."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return (0, False)
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip().lower()
    keep = fields.get(b"connection") != b"close"
    if b"content-length" in fields:
        want = int(fields[b"content-length"])
        got = len(rest)
        while got < want:
            if abort_after is not None and got >= abort_after:
                return (status, False)
            chunk = sock.recv(65536)
            if not chunk:
                return (0, False)  # cut short
            got += len(chunk)
        return (status, keep)
    if fields.get(b"transfer-encoding") == b"chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            if abort_after is not None and len(rest) >= abort_after:
                return (status, False)
            chunk = sock.recv(65536)
            if not chunk:
                return (0, False)  # cut short
            rest += chunk
        return (status, keep)
    while True:  # close-delimited
        chunk = sock.recv(65536)
        if not chunk:
            return (status, False)


class Client(threading.Thread):
    def __init__(self, port, deadline, seed, stats, lock):
        super().__init__(daemon=True)
        self.port, self.deadline, self.rng = port, deadline, random.Random(seed)
        self.stats, self.lock = stats, lock
        self.paths = [p for p, w, _ in TRAFFIC for _ in range(w)]
        self.expect = {p: e for p, _, e in TRAFFIC}

    def note(self, key):
        with self.lock:
            self.stats[key] = self.stats.get(key, 0) + 1

    def run(self):
        sock = None
        n = 0
        while time.time() < self.deadline:
            path = self.rng.choice(self.paths)
            n += 1
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=15)
                if path == "/post":
                    body = b"x" * self.rng.randint(0, 4096)
                    req = (f"POST /post/{n} HTTP/1.1\r\nHost: soak\r\nContent-Length: {len(body)}\r\n\r\n"
                           .encode() + body)
                else:
                    req = f"GET {path}/{n} HTTP/1.1\r\nHost: soak\r\n\r\n".encode()
                sock.sendall(req)
                abort = 5000 if path == "/big" and self.rng.random() < 0.7 else None
                status, keep = read_response(sock, abort)
                if status not in self.expect[path]:
                    self.note(f"unexpected {path} -> {status}")
                self.note(f"{path} {status}")
                if not keep or abort is not None:
                    sock.close()
                    sock = None
            except (OSError, ValueError, IndexError) as e:
                self.note(f"client error {path}: {type(e).__name__}")
                if sock is not None:
                    sock.close()
                sock = None
        if sock is not None:
            sock.close()


def sample(pid):
    rss = fds = threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, fds, threads


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", default=os.path.join(ROOT, "build", "server", "balancerd"))
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--interval", type=int, default=10, help="seconds between samples")
    args = ap.parse_args()
    seconds = max(5, min(args.seconds, 3600))

    tmp = tempfile.mkdtemp(prefix="bd-soak-")
    backends = [fakebackend.Backend(f"m{i}", BACKEND_SCRIPT, DroppingJournal()).start() for i in range(4)]
    # A member whose connections are refused: its port stays bound, never listening, for the whole run,
    # so no other process on the machine can take it meanwhile (one run got 404s from whatever had).
    dead_holder = socket.socket()
    dead_holder.bind(("127.0.0.1", 0))
    dead_port = dead_holder.getsockname()[1]
    port = free_port()
    conf = os.path.join(tmp, "soak.conf")
    with open(conf, "w") as f:
        f.write(config(tmp, port, [b.port for b in backends], dead_port))
    proc = subprocess.Popen([args.balancerd, "-f", conf, "-DFOREGROUND"], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(tmp, "stderr.txt"), "w"))
    ok = False
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.05)
        base = sample(proc.pid)
        stats, lock = {}, threading.Lock()
        end = time.time() + seconds
        clients = [Client(port, end, i, stats, lock) for i in range(args.clients)]
        for c in clients:
            c.start()
        samples = []
        print(f"{'t(s)':>6} {'RSS KB':>8} {'fds':>5} {'threads':>7} {'requests':>9}")
        start = time.time()
        while time.time() < end:
            time.sleep(min(args.interval, max(0.1, end - time.time())))
            if proc.poll() is not None:
                print(f"balancerd exited with {proc.returncode}")
                break
            s = sample(proc.pid)
            with lock:
                total = sum(v for k, v in stats.items() if not k.startswith(("unexpected", "client error")))
            samples.append(s)
            print(f"{time.time() - start:6.0f} {s[0]:8d} {s[1]:5d} {s[2]:7d} {total:9d}", flush=True)
        for c in clients:
            c.join(timeout=20)
        alive = proc.poll() is None
        time.sleep(6)  # client keep-alive connections time out (KeepAliveTimeout 5)
        idle = sample(proc.pid) if alive else (0, 0, 0)
        final = None
        if alive:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"GET /ok HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
                final = read_response(s)[0]
        print("\nresults:")
        for k in sorted(stats):
            print(f"  {k:40s} {stats[k]}")
        warm = samples[max(0, len(samples) // 5 - 1)][0] if samples else base[0]
        peak = max((s[0] for s in samples), default=base[0])
        last = samples[-1][0] if samples else base[0]
        # Pooled backend connections may stay open: at most one per client and member per io thread.
        fd_budget = base[1] + args.clients * 5 * os.cpu_count()
        print(f"\nRSS KB: start {base[0]}, after warm-up {warm}, peak {peak}, end {last}, idle {idle[0]}")
        print(f"fds: start {base[1]}, idle after load {idle[1]} (budget {fd_budget}); threads {idle[2]}")
        problems = []
        if not alive:
            problems.append("balancerd died")
        if final != 200:
            problems.append(f"final /ok answered {final}")
        if last > warm * 1.10 + 2048:
            problems.append(f"RSS grew after warm-up ({warm} -> {last} KB)")
        if alive and idle[1] > fd_budget:
            problems.append(f"descriptors leak ({idle[1]} open)")
        unexpected = {k: v for k, v in stats.items() if k.startswith("unexpected")}
        if unexpected:
            problems.append(f"unexpected answers: {unexpected}")
        ok = not problems
        print("PASS" if ok else "FAIL: " + "; ".join(problems))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for b in backends:
            b.stop()
        dead_holder.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
