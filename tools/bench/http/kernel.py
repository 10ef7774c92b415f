#!/usr/bin/env python3
"""Where a proxy's system time goes besides its own system calls, side by side: balancerd (and a
--baseline build), HAProxy and nginx doing bench.py's proxy job (4 nginx backends, 1 KB bodies,
keep-alive) under the same wrk load.

On loopback a sender's system time includes the receiver's TCP receive path and, when the receiver
sleeps in epoll_wait, waking it (try_to_wake_up, and an IPI when its CPU is idle; in a VM that IPI is
an exit on both sides). So two proxies making the same system calls can differ in system time by how
often their sends find a peer asleep. Per proxied request, for each server and connection count:

  user/sys     CPU microseconds of the server's processes (from /proc)
  wakes        tasks the server woke (sched:sched_waking), split by the woken task: backends (nginx)
               and wrk; ipi: inter-processor interrupts the server sent (ipi:ipi_send_cpu)
  peer cs      voluntary context switches of the backends and of wrk (how often they went to sleep)
  epoll        epoll_wait calls per request and the mean events each returned (Asio takes at most
               128 per call, nginx 512, HAProxy 200), and how many returned the most they could
  segs         TCP segments sent per request and delayed ACKs fired (system-wide counters: other
               loopback traffic on the machine adds to them)
  be-conns     established connections to the backends halfway through the run (ss)

Needs perf with tracepoint access (root). The server is pinned to CPU 0 and wrk plus the backends to
CPU 1, as in bench.py; ports differ from bench.py's and syscalls.py's. Figures are per request, but
how often peers sleep depends on how busy CPU 1 is: compare servers within one run (--repeat
interleaves them), not across runs on a loaded machine.

--profile adds `perf record -g` of the server over the run and prints, per request, the microseconds
spent in (children included) the kernel paths that differ between proxies: all system calls, the send
path and within it the receiver's TCP input and the wake-up of a sleeping peer (sock_def_readable), the
receive path and its copy, epoll_wait, and fdget/fput (a multi-threaded process takes a reference on
the file at every call on a descriptor; a single-threaded one does not).
"""
import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the configs and helpers)

FRONT = 28750
BACKENDS = [28761, 28762, 28763, 28764]
PROFILE_SYMBOLS = ["entry_SYSCALL_64_after_hwframe", "tcp_sendmsg", "tcp_v4_rcv", "sock_def_readable",
                   "tcp_recvmsg", "skb_copy_datagram_iter", "do_epoll_wait", "fdget", "fput"]
STAT_EVENTS = ["sched:sched_waking", "ipi:ipi_send_cpu", "syscalls:sys_enter_epoll_wait", "raw_syscalls:sys_enter"]


def cpu_ticks(pid):
    """(user, system) clock ticks of every thread of pid and its descendants."""
    u = s = 0
    for p in bench.tree_pids(pid):
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                u += int(fields[11])
                s += int(fields[12])
        except OSError:
            pass
    return u, s


def voluntary_switches(pids):
    total = 0
    for p in pids:
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/status") as f:
                    m = re.search(r"^voluntary_ctxt_switches:\s+(\d+)", f.read(), re.M)
                total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


def tcp_counters():
    out = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        with open(path) as f:
            lines = f.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            keys, vals = names.split(), values.split()
            for k, v in zip(keys[1:], vals[1:]):
                if v.lstrip("-").isdigit():
                    out[keys[0] + k] = int(v)
    return out


def backend_connections():
    out = subprocess.run(["ss", "-tnH", "state", "established"], capture_output=True, text=True).stdout
    n = 0
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 4 and any(cols[3].endswith(f":{p}") for p in BACKENDS):
            n += 1
    return n


def kernel_profile(data, requests):
    """Microseconds per request in each of PROFILE_SYMBOLS (children included) from a perf.data of
    cpu-clock samples (whose event count is in nanoseconds)."""
    out = subprocess.run(["perf", "report", "-i", data, "--children", "--sort", "sym", "-g", "none", "--stdio"],
                         capture_output=True, text=True).stdout
    m = re.search(r"Event count \(approx\.\): (\d+)", out)
    total_us = int(m.group(1)) / 1000 if m else 0.0
    found = {}
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 4 and cols[0].endswith("%") and cols[2] == "[k]" and cols[3] in PROFILE_SYMBOLS:
            found[cols[3]] = float(cols[0][:-1]) / 100 * total_us / max(requests, 1)
    return {"cpu": total_us / max(requests, 1), **{k: found.get(k, 0.0) for k in PROFILE_SYMBOLS}}


def measure(server, conns, seconds, backend_pids, tmp, profile=False):
    spids = bench.tree_pids(server.proc.pid)
    pid_list = ",".join(str(p) for p in spids)
    stat_out, rec_out = os.path.join(tmp, "stat.txt"), os.path.join(tmp, "rec.data")
    stat = subprocess.Popen(["perf", "stat", "-x", ",", "-o", stat_out, "-p", pid_list, "-e", ",".join(STAT_EVENTS)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rec = subprocess.Popen(["perf", "record", "-q", "-o", rec_out, "-p", pid_list, "-e", "sched:sched_waking",
                            "-e", "syscalls:sys_exit_epoll_wait"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    prof = None
    if profile:
        prof = subprocess.Popen(["perf", "record", "-q", "-g", "-e", "cpu-clock", "-o", os.path.join(tmp, "prof.data"),
                                 "-p", pid_list], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches
    ticks0, net0, be0 = cpu_ticks(server.proc.pid), tcp_counters(), voluntary_switches(backend_pids)
    result, wrk_cs, be_conns = {}, [0], [0]

    def run_wrk():
        result.update(bench.wrk(f"http://127.0.0.1:{server.port}/small.html", conns, seconds))

    th = threading.Thread(target=run_wrk)
    th.start()
    time.sleep(0.3)
    found = subprocess.run(["pgrep", "-x", "-P", str(os.getpid()), "wrk"], capture_output=True, text=True)
    wrk_pids = [int(x) for x in found.stdout.split()]  # ours only: others may run wrk too
    wrk0, wrk_t0 = voluntary_switches(wrk_pids), time.monotonic()
    time.sleep(seconds / 2)
    be_conns[0] = backend_connections()
    time.sleep(max(0.0, seconds / 2 - 0.8))
    # wrk's threads exit with it: read before the end, and scale to the whole run
    wrk_cs[0] = (voluntary_switches(wrk_pids) - wrk0) * seconds / max(0.1, time.monotonic() - wrk_t0)
    th.join()
    ticks1, net1, be1 = cpu_ticks(server.proc.pid), tcp_counters(), voluntary_switches(backend_pids)
    for p in (stat, rec, prof):
        if p is None:
            continue
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)
    n = max(result["requests"], 1)
    hz = os.sysconf("SC_CLK_TCK")
    counts = {}
    with open(stat_out) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) > 3 and parts[0].isdigit():
                counts[parts[2]] = int(parts[0])
    script = subprocess.run(["perf", "script", "-i", rec_out, "-F", "event,trace"], capture_output=True,
                            text=True).stdout
    woken = collections.Counter()
    rets = []
    for line in script.splitlines():
        m = re.search(r"sched_waking:\s+comm=(\S+)", line)
        if m:
            woken["backends" if m.group(1).startswith("nginx") else
                  "wrk" if m.group(1).startswith("wrk") else "other"] += 1
            continue
        m = re.search(r"epoll_wait:?\s.*?(0x[0-9a-f]+|-?\d+)\s*$", line)
        if m:
            rets.append(int(m.group(1), 16) if m.group(1).startswith("0x") else int(m.group(1)))
    rets = [r for r in rets if r >= 0]
    full = max(rets) if rets else 0
    return {
        "profile": kernel_profile(os.path.join(tmp, "prof.data"), n) if profile else None,
        "rps": result["requests"] / seconds, "p99": result["p99"],
        "user": (ticks1[0] - ticks0[0]) / hz * 1e6 / n, "sys": (ticks1[1] - ticks0[1]) / hz * 1e6 / n,
        "wakes": counts.get("sched:sched_waking", 0) / n,
        "wake_be": woken["backends"] / n, "wake_wrk": woken["wrk"] / n,
        "ipi": counts.get("ipi:ipi_send_cpu", 0) / n,
        "be_cs": (be1 - be0) / n, "wrk_cs": wrk_cs[0] / n,  # wrk's: over most of the run
        "syscalls": counts.get("raw_syscalls:sys_enter", 0) / n,
        "epoll": counts.get("syscalls:sys_enter_epoll_wait", 0) / n,
        "events": sum(rets) / len(rets) if rets else 0.0,
        "full": f"{sum(1 for r in rets if r == full)}/{len(rets)} at {full}" if rets else "-",
        "segs": (net1.get("Tcp:OutSegs", 0) - net0.get("Tcp:OutSegs", 0)) / n,
        "delack": (net1.get("TcpExt:DelayedACKs", 0) - net0.get("TcpExt:DelayedACKs", 0)) / n,
        "be_conns": be_conns[0],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", default=os.path.join(bench.ROOT, "build", "server", "balancerd"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--conns", default="64,512")
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=1, help="rounds, servers interleaved within each")
    ap.add_argument("--only", default="", help="comma list of servers (balancerd,baseline,haproxy,nginx)")
    ap.add_argument("--profile", action="store_true", help="per-request kernel paths from perf record -g")
    args = ap.parse_args()
    for tool in ("perf", "wrk", "taskset", "nginx", "haproxy", "ss"):
        if not shutil.which(tool):
            sys.exit(f"kernel: {tool} is missing")
    bench.FRONT_PORT, bench.BACKEND_PORTS = FRONT, BACKENDS
    t = bench.proxy_job_dir("bd-kernel-", FRONT)
    servers = bench.proxy_servers(t, args.balancerd, args.baseline, args.only, FRONT)
    backends, rows = [], []
    try:
        backends += bench.start_backends(t, BACKENDS)
        backend_pids = [q for b in backends for q in bench.tree_pids(b.pid)]
        for _ in range(args.repeat):
            for s in servers:
                s.start()
                try:
                    bench.check_once(f"http://127.0.0.1:{s.port}/small.html")
                    bench.wrk(f"http://127.0.0.1:{s.port}/small.html", 16, 1)  # warm-up
                    for c in [int(x) for x in args.conns.split(",")]:
                        rows.append((s.name, c, measure(s, c, args.seconds, backend_pids, t, args.profile)))
                finally:
                    s.stop()
    finally:
        bench.stop_backends(backends)
        shutil.rmtree(t, ignore_errors=True)
    print("per proxied request; server on CPU 0, wrk and backends on CPU 1")
    print(f"{'server':10} {'conns':>5} {'req/s':>7} {'p99ms':>6} {'user':>5} {'sys':>5} {'wakes':>5} "
          f"{'->be':>5} {'->wrk':>5} {'ipi':>5} {'be-cs':>5} {'wrk-cs':>6} {'calls':>5} {'epoll':>5} "
          f"{'ev/wait':>7} {'segs':>5} {'delack':>6} {'be-conns':>8}  full waits")
    for name, c, m in rows:
        print(f"{name:10} {c:5} {m['rps']:7.0f} {m['p99']:6.2f} {m['user']:5.2f} {m['sys']:5.2f} "
              f"{m['wakes']:5.3f} {m['wake_be']:5.3f} {m['wake_wrk']:5.3f} {m['ipi']:5.3f} {m['be_cs']:5.3f} "
              f"{m['wrk_cs']:6.3f} {m['syscalls']:5.2f} {m['epoll']:5.3f} {m['events']:7.1f} {m['segs']:5.2f} "
              f"{m['delack']:6.3f} {m['be_conns']:8}  {m['full']}")
    if args.profile:
        # samples include the time perf's own tracepoints add to each system call, alike for all servers
        names = {"entry_SYSCALL_64_after_hwframe": "syscalls", "tcp_sendmsg": "send", "tcp_v4_rcv": "rcv-input",
                 "sock_def_readable": "wake-peer", "tcp_recvmsg": "recv", "skb_copy_datagram_iter": "recv-copy",
                 "do_epoll_wait": "epoll", "fdget": "fdget", "fput": "fput"}
        print("kernel paths, microseconds per request (perf record -g, children included):")
        print(f"{'server':10} {'conns':>5} {'cpu':>6} " + " ".join(f"{names[k]:>9}" for k in PROFILE_SYMBOLS))
        for name, c, m in rows:
            p = m["profile"]
            print(f"{name:10} {c:5} {p['cpu']:6.2f} " + " ".join(f"{p[k]:9.2f}" for k in PROFILE_SYMBOLS))


if __name__ == "__main__":
    main()

