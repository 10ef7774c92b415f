#!/usr/bin/env python3
"""10,000 concurrent keep-alive connections against balancerd (see run.sh for what and why).

Steps, each bounded in time: start balancerd (-DFOREGROUND) on a private temp config; open N connections
(connects run with bounded concurrency, but every connection stays open until the end, so all N are open at
once); send one GET on each and check the answer (200, the file's exact body, keep-alive); hold them idle and
read balancerd's VmRSS from /proc/PID/status (before and after, giving KB per idle connection); then send a
second GET on a sample of the idle connections (keep-alive must have survived). balancerd is stopped by its PID
(SIGTERM, then SIGKILL after 5 s), always.
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

BODY = b"connection test file\n"

CONFIG = """\
ServerRoot "{t}"
PidFile "{t}/run/httpd.pid"
DefaultRuntimeDir "{t}/run"
ErrorLog "{t}/logs/error.log"
LogLevel warn
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
Listen 127.0.0.1:{port}
ListenBacklog 4096
ServerName localhost
TypesConfig /etc/mime.types
DocumentRoot "{t}/htdocs"
StartServers 1
ServerLimit 1
ThreadsPerChild 64
MaxRequestWorkers 64
AsyncRequestWorkerFactor 200
KeepAlive On
KeepAliveTimeout 60
MaxKeepAliveRequests 0
Timeout 60
{user}
"""


def free_port():
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 10000:
            return port
    raise RuntimeError("no free 5-digit port")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def wait_listening(port, proc, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


REQUEST = b"GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"


async def exchange(reader, writer, timeout):
    """One GET on an open connection; returns None if the answer is right, else what was wrong."""
    writer.write(REQUEST)
    await asyncio.wait_for(writer.drain(), timeout)
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 200 "):
        return f"status line {lines[0]!r}"
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if headers.get("connection", "").lower() == "close":
        return "Connection: close on a keep-alive request"
    length = int(headers.get("content-length", "-1"))
    if length != len(BODY):
        return f"Content-Length {length}"
    body = await asyncio.wait_for(reader.readexactly(length), timeout)
    if body != BODY:
        return "wrong body"
    return None


async def run_clients(port, n, timeout, proc, hold, sample):
    conns = [None] * n
    errors = {}
    sem = asyncio.Semaphore(500)  # bounded connect concurrency: stay under the listen backlog

    def fail(what):
        errors[what] = errors.get(what, 0) + 1

    async def one(i):
        async with sem:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
            except (OSError, asyncio.TimeoutError) as e:
                fail(f"connect: {type(e).__name__}")
                return False
        try:
            why = await exchange(reader, writer, timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as e:
            why = f"read/write: {type(e).__name__}"
        if why:
            fail(why)
            writer.close()
            return False
        conns[i] = (reader, writer)
        return True

    t0 = time.monotonic()
    results = await asyncio.gather(*(one(i) for i in range(n)))
    ok = sum(results)
    print(f"{ok}/{n} connections answered 200 with the right body in {time.monotonic() - t0:.1f}s", flush=True)
    for what, count in sorted(errors.items()):
        print(f"  {count} x {what}", flush=True)

    open_now = sum(1 for c in conns if c is not None)
    rss_busy = rss_kb(proc.pid)
    await asyncio.sleep(hold)
    alive = proc.poll() is None
    rss_idle = rss_kb(proc.pid) if alive else -1
    print(f"held {open_now} connections idle for {hold}s; balancerd VmRSS {rss_idle} KB "
          f"(right after the answers: {rss_busy} KB)", flush=True)

    # Keep-alive must survive the idle time: a second GET on a sample spread over all the connections.
    idx = [i for i in range(0, n, max(1, n // sample)) if conns[i] is not None][:sample]
    again_errors = {}

    async def again(i):
        reader, writer = conns[i]
        try:
            why = await exchange(reader, writer, timeout)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
            why = f"read/write: {type(e).__name__}"
        if why:
            again_errors[why] = again_errors.get(why, 0) + 1
        return why is None

    again_ok = sum(await asyncio.gather(*(again(i) for i in idx))) if alive else 0
    print(f"{again_ok}/{len(idx)} idle connections answered a second GET", flush=True)
    for what, count in sorted(again_errors.items()):
        print(f"  {count} x {what}", flush=True)

    for c in conns:
        if c is not None:
            c[1].close()
    return ok, open_now, rss_idle, alive, again_ok, len(idx)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--balancerd", required=True)
    ap.add_argument("--nofile", type=int, required=True, help="the open-files limit run.sh could set")
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--timeout", type=float, default=20.0, help="per connect / per answer, seconds")
    ap.add_argument("--hold", type=float, default=2.0)
    ap.add_argument("--sample", type=int, default=200)
    args = ap.parse_args()
    n = args.connections

    if args.nofile < n + 200:
        print(f"SKIP: {n} connections need an open-files limit of at least {n + 200} in each process; "
              f"`ulimit -n` could only be raised to {args.nofile} here. Nothing was tested.")
        print("0 passed, 0 failed")
        return 0

    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="bd-connections-") as t:
        os.chmod(t, 0o755)  # the server may run as www-data (User/Group when we are root)
        for d in ("htdocs", "logs", "run"):
            os.mkdir(os.path.join(t, d))
        with open(os.path.join(t, "htdocs", "f.txt"), "wb") as f:
            f.write(BODY)
        port = free_port()
        user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
        conf = os.path.join(t, "server.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.format(t=t, port=port, user=user))
        stdout = open(os.path.join(t, "logs", "stdout.txt"), "wb")
        proc = subprocess.Popen([args.balancerd, "-f", conf, "-DFOREGROUND"], stdout=stdout,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            if not wait_listening(port, proc, time.monotonic() + 15):
                print(f"FAIL: balancerd did not accept on 127.0.0.1:{port} (exit status {proc.poll()})")
                stdout.flush()
                for name in ("logs/stdout.txt", "logs/error.log"):
                    p = os.path.join(t, name)
                    if os.path.exists(p):
                        print(f"--- {name}:\n" + open(p, errors="replace").read()[-2000:])
                print("0 passed, 1 failed")
                return 1
            rss_start = rss_kb(proc.pid)
            print(f"balancerd pid {proc.pid} on 127.0.0.1:{port}; VmRSS at start {rss_start} KB; "
                  f"open-files limit {args.nofile}", flush=True)
            ok, open_now, rss_idle, alive, again_ok, sampled = asyncio.run(
                run_clients(port, n, args.timeout, proc, args.hold, args.sample))
            passed += ok
            failed += n - ok
            if alive and open_now:
                per = (rss_idle - rss_start) / open_now
                print(f"RSS per idle connection: {per:.1f} KB ({rss_idle - rss_start} KB over {open_now} connections)")
            if alive:
                passed += 1
            else:
                failed += 1
                print(f"FAIL: balancerd exited during the test (status {proc.poll()})")
            passed += again_ok
            failed += sampled - again_ok
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
            stdout.close()
            if failed:
                p = os.path.join(t, "logs", "error.log")
                if os.path.exists(p):
                    print("--- error.log (last lines):\n" + open(p, errors="replace").read()[-2000:])
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
