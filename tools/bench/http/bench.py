#!/usr/bin/env python3
"""Side-by-side HTTP benchmark: balancerd, Apache (event MPM), nginx and HAProxy doing the same job in
one run, on loopback.

Jobs:
  static  every server serves one small static file (HAProxy has no file server: skipped)
  proxy   every server balances round-robin over 4 nginx backends that return a 1 KB body

For each server and connection count: wrk's req/s, p50 and p99 latency, the CPU seconds the server's
processes used during the run (from /proc), requests per server-CPU-second, and RSS. Then 2,000 idle
keep-alive client connections are opened and the RSS growth per connection is reported.

The server under test is pinned to CPU 0; wrk and the backends to CPU 1, so each server gets the same
single core. Every run is bounded in time; every process started here is stopped by its PID.

On a shared machine, use --repeat N (rounds of interleaved runs, medians printed at the end) and
compare servers within a round; --baseline PATH measures a second balancerd build in the same rounds.
"""
import argparse
import os
import statistics
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
MODULES = "/usr/lib/apache2/modules"
FRONT_PORT = 28400
BACKEND_PORTS = [28411, 28412, 28413, 28414]
BODY_1K = ("x" * 1023) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def wait_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def proxy_job_dir(prefix, front):
    """A fresh directory with the proxy job's documents and the configurations of the servers in
    front (apache.conf for Apache and balancerd, nginx.conf, haproxy.cfg) listening on `front`."""
    t = tempfile.mkdtemp(prefix=prefix)
    os.chmod(t, 0o755)  # nginx and Apache workers drop privileges and must read the documents
    os.makedirs(f"{t}/run")
    write(f"{t}/htdocs/small.html", BODY_1K)
    write(f"{t}/apache.conf", apache_conf(t, "proxy"))
    write(f"{t}/nginx.conf", nginx_conf(t, "proxy", front))
    write(f"{t}/haproxy.cfg", haproxy_conf(t))
    return t


def proxy_servers(t, balancerd, baseline, only, front):
    """balancerd (and a baseline binary), HAProxy and nginx in front of the proxy job's backends,
    configured from proxy_job_dir(t); `only` is a comma list of names to keep (empty: all)."""
    servers = [Server("balancerd", [balancerd, "-f", f"{t}/apache.conf", "-DFOREGROUND"], front)]
    if baseline:
        servers.append(Server("baseline", [baseline, "-f", f"{t}/apache.conf", "-DFOREGROUND"], front))
    servers += [Server("haproxy", ["haproxy", "-f", f"{t}/haproxy.cfg"], front),
                Server("nginx", ["nginx", "-c", f"{t}/nginx.conf"], front)]
    if only:
        keep = set(only.split(","))
        servers = [s for s in servers if s.name in keep]
    return servers


def stop_backends(backends):
    for b in backends:
        b.send_signal(signal.SIGTERM)
        b.wait(timeout=10)


def start_backends(t, ports):
    """The proxy job's nginx backends (static 1 KB documents from t/htdocs) on CPU 1, each serving
    once its port answers. Returns their Popen objects, for stop_all()."""
    backends = []
    for p in ports:
        write(f"{t}/nginx-b{p}.conf", nginx_conf(t, "static", p))
        backends.append(subprocess.Popen(["taskset", "-c", "1", "nginx", "-c", f"{t}/nginx-b{p}.conf"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True))
        wait_port(p)
    return backends


def tree_pids(pid):
    """pid and all its descendants."""
    pids, frontier = [pid], [pid]
    while frontier:
        p = frontier.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        pids += kids
        frontier += kids
    return pids


def cpu_split(pid):
    """(user, system) CPU seconds of the server's processes. The two are kept apart because a proxy's
    kernel time (loopback TCP for four socket calls per request) is nearly the same for every server;
    the difference between servers is mostly in user time."""
    user = system = 0
    tick = os.sysconf("SC_CLK_TCK")
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11])
            system += int(fields[12])
        except OSError:
            pass
    return user / tick, system / tick


def cpu_seconds(pid):
    return sum(cpu_split(pid))


def preempted(pid):
    """Involuntary context switches of the server's threads: another process took its core."""
    total = 0
    for p in tree_pids(pid):
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/status") as f:
                    m = re.search(r"nonvoluntary_ctxt_switches:\s+(\d+)", f.read())
                    total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


def rss_kb(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                m = re.search(r"VmRSS:\s+(\d+)", f.read())
                total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


class Server:
    def __init__(self, name, argv, port, cwd=None):
        self.name, self.argv, self.port, self.cwd = name, argv, port, cwd
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["taskset", "-c", "0"] + self.argv, cwd=self.cwd,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        if not wait_port(self.port):
            self.stop()
            err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
            raise RuntimeError(f"{self.name} did not start: {err}")
        time.sleep(0.3)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def check_once(url):
    """The job must work before it is timed: one request, expect 200 and the 1 KB body."""
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        body = r.read().decode()
        if r.status != 200 or body != BODY_1K:
            raise RuntimeError(f"{url}: status {r.status}, {len(body)} bytes")


def wrk(url, conns, seconds):
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency",
                          "-H", "Connection: keep-alive", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def lat(pct):
        m = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock_err = re.search(r"Socket errors: (.*)", out)
    return {"requests": reqs, "rps": rps, "p50": lat(50), "p99": lat(99),
            "non2xx": int(errors.group(1)) if errors else 0,
            "sockerr": sock_err.group(1) if sock_err else ""}


def idle_connections(server, count):
    """RSS growth per idle keep-alive connection after one request on each."""
    before = rss_kb(server.proc.pid)
    socks = []
    request = f"GET /small.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(request)
            socks.append(s)
        for s in socks:
            s.recv(65536)
        time.sleep(1.0)
        after = rss_kb(server.proc.pid)
        return (after - before) * 1024 / count, after
    finally:
        for s in socks:
            s.close()


# --- configs ------------------------------------------------------------------------------------

def apache_conf(t, job):
    mods = ["mpm_event", "authz_core", "mime", "dir"]
    if job == "proxy":
        mods += ["proxy", "proxy_http", "slotmem_shm", "proxy_balancer", "lbmethod_byrequests"]
    loads = "\n".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in mods)
    body = f"""ServerRoot {t}
ServerName bench.local
{loads}
PidFile {t}/run/httpd.pid
ErrorLog {t}/run/error.log
DefaultRuntimeDir {t}/run
LogLevel error
Listen 127.0.0.1:{FRONT_PORT}
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
TypesConfig /etc/mime.types
ServerLimit 1
StartServers 1
ThreadsPerChild 64
ThreadLimit 64
MaxRequestWorkers 64
AsyncRequestWorkerFactor 64
DocumentRoot {t}/htdocs
<Directory {t}/htdocs>
  Require all granted
</Directory>
"""
    if job == "proxy":
        members = "\n".join(f"  BalancerMember http://127.0.0.1:{p}" for p in BACKEND_PORTS)
        body += f"""<Proxy balancer://bench>
{members}
  ProxySet lbmethod=byrequests
</Proxy>
ProxyPass / balancer://bench/
"""
    return body


def nginx_conf(t, job, port, root=None):
    if job == "proxy":
        ups = "\n".join(f"    server 127.0.0.1:{p};" for p in BACKEND_PORTS)
        location = f"""upstream bench {{
{ups}
    keepalive 1024;  # at least --conns: fewer would close and reopen backend connections at 512
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://bench; proxy_http_version 1.1; proxy_set_header Connection ""; }}
  }}"""
    else:
        location = f"""server {{
    listen 127.0.0.1:{port};
    root {root or t + '/htdocs'};
  }}"""
    return f"""daemon off;
worker_processes 1;
pid {t}/run/nginx-{port}.pid;
error_log {t}/run/nginx-{port}.err error;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  {location}
}}
"""


def haproxy_conf(t):
    servers = "\n".join(f"  server b{i} 127.0.0.1:{p}" for i, p in enumerate(BACKEND_PORTS))
    return f"""global
  nbthread 1
  maxconn 4000
  pidfile {t}/run/haproxy.pid
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:{FRONT_PORT}
  default_backend be
backend be
  balance roundrobin
{servers}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", default=os.path.join(ROOT, "build", "server", "balancerd"))
    ap.add_argument("--job", choices=["static", "proxy"], default="proxy")
    ap.add_argument("--conns", default="64,512")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--idle", type=int, default=2000)
    ap.add_argument("--only", default="", help="comma list of servers to run (balancerd,apache,nginx,haproxy)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds; each round runs every server in turn (interleaved, so load from other "
                         "processes on the machine hits them alike); medians are printed after the runs")
    ap.add_argument("--baseline", default="",
                    help="another balancerd binary, measured in the same rounds as 'baseline'")
    args = ap.parse_args()
    for tool in ("wrk", "taskset", "nginx", "haproxy", "/usr/sbin/apache2"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing; run tools/bench/setup.sh")

    t = tempfile.mkdtemp(prefix="bd-bench-")
    os.chmod(t, 0o755)  # nginx and Apache workers drop privileges and must read the documents
    os.makedirs(f"{t}/run")
    write(f"{t}/htdocs/small.html", BODY_1K)
    write(f"{t}/htdocs/index.html", BODY_1K)
    write(f"{t}/apache.conf", apache_conf(t, args.job))
    write(f"{t}/nginx.conf", nginx_conf(t, args.job, FRONT_PORT))
    write(f"{t}/haproxy.cfg", haproxy_conf(t))

    backends = []
    if args.job == "proxy":
        backends = start_backends(t, BACKEND_PORTS)

    servers = [
        Server("balancerd", [args.balancerd, "-f", f"{t}/apache.conf", "-DFOREGROUND"], FRONT_PORT),
        Server("apache", ["/usr/sbin/apache2", "-f", f"{t}/apache.conf", "-DFOREGROUND"], FRONT_PORT),
        Server("nginx", ["nginx", "-c", f"{t}/nginx.conf"], FRONT_PORT),
    ]
    if args.baseline:
        servers.insert(1, Server("baseline", [args.baseline, "-f", f"{t}/apache.conf", "-DFOREGROUND"],
                                 FRONT_PORT))
    if args.job == "proxy":
        servers.append(Server("haproxy", ["haproxy", "-f", f"{t}/haproxy.cfg"], FRONT_PORT))
    if args.only:
        keep = set(args.only.split(",")) | ({"baseline"} if args.baseline else set())
        servers = [s for s in servers if s.name in keep]

    rows = []
    samples = {}  # (server, conns) -> list of (req/CPU-s, p99)
    try:
        for rnd in range(args.repeat):
            for s in servers:
                try:
                    s.start()
                except RuntimeError as e:
                    print(f"# {e}", file=sys.stderr)
                    rows.append((s.name, "-", "did not start", "", "", "", "", "", "", ""))
                    continue
                try:
                    check_once(f"http://127.0.0.1:{s.port}/small.html")
                    wrk(f"http://127.0.0.1:{s.port}/small.html", 16, 2)  # warm-up
                    for c in [int(x) for x in args.conns.split(",")]:
                        (u0, s0), pre0 = cpu_split(s.proc.pid), preempted(s.proc.pid)
                        r = wrk(f"http://127.0.0.1:{s.port}/small.html", c, args.seconds)
                        u1, s1 = cpu_split(s.proc.pid)
                        cpu = (u1 - u0) + (s1 - s0)
                        per_cpu = r["requests"] / cpu if cpu > 0 else float("nan")
                        n = max(r["requests"], 1)
                        user_us, sys_us = (u1 - u0) * 1e6 / n, (s1 - s0) * 1e6 / n
                        samples.setdefault((s.name, c), []).append((per_cpu, r["p99"], user_us, sys_us))
                        pre = preempted(s.proc.pid) - pre0
                        rows.append((s.name, c, f"{r['rps']:.0f}", f"{r['p50']:.2f}", f"{r['p99']:.2f}",
                                     f"{per_cpu:.0f}", f"{user_us:.2f}", f"{sys_us:.2f}",
                                     f"{rss_kb(s.proc.pid) / 1024:.1f}",
                                     f"{r['non2xx']} {r['sockerr']} preempted {pre}".strip()))
                    if args.idle and rnd == 0:
                        per_conn, total = idle_connections(s, args.idle)
                        rows.append((s.name, f"idle {args.idle}", "", "", "", "", "", "", f"{total / 1024:.1f}",
                                     f"{per_conn:.0f} B/conn"))
                finally:
                    s.stop()
    finally:
        stop_backends(backends)
        shutil.rmtree(t, ignore_errors=True)

    head = ("server", "conns", "req/s", "p50 ms", "p99 ms", "req/CPU-s", "user us/req", "sys us/req", "RSS MB",
            "errors/notes")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print(f"job: {args.job}, {args.seconds}s per run, server pinned to CPU 0, wrk and backends to CPU 1")
    for r in [head] + rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
    if args.repeat > 1:
        print(f"medians of {args.repeat} rounds:")
        for (name, c), v in samples.items():
            print(f"  {name:10} {c:>5}  req/CPU-s {statistics.median(x[0] for x in v):8.0f}  "
                  f"p99 ms {statistics.median(x[1] for x in v):8.2f}  "
                  f"user/sys us per request {statistics.median(x[2] for x in v):5.2f} / "
                  f"{statistics.median(x[3] for x in v):5.2f}   "
                  f"(req/CPU-s runs: {' '.join(f'{x[0]:.0f}' for x in v)})")


if __name__ == "__main__":
    main()
