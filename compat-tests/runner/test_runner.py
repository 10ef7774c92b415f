#!/usr/bin/env python3
"""Self-tests of the differential runner and the fake backends. They need real Apache (/usr/sbin/apache2) but
not balancerd: the "balancerd" side is played by Apache (or by a program that cannot serve), which is how the
runner proves both that agreement passes and that every kind of difference is reported."""

import http.server
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(HERE, "runner.py")
FIX = os.path.join(HERE, "selftest")
APACHE = "/usr/sbin/apache2"
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "backends"))
import fakebackend  # noqa: E402
from compat import scenario as scenario_mod  # noqa: E402
from compat.client import Connection  # noqa: E402


def run(*args, timeout=120, extra_env=None):
    p = subprocess.run([sys.executable, RUNNER, *args], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **(extra_env or {})))
    return p.returncode, p.stdout + p.stderr


def fix(name):
    return os.path.join(FIX, name)


def our_servers(tag):
    """Server processes still running that a runner started with `tag` in its environment.

    The tag matters because ctest runs the compat suites beside this test: their servers are alive and
    legitimate, and only the ones this test's own runner started must be gone."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    left = []
    for line in out.splitlines():
        if "/compat-" not in line or "server.conf" not in line:
            continue
        try:
            with open(f"/proc/{line.split()[0]}/environ", "rb") as f:
                if f"BD_SELFTEST_TAG={tag}".encode() in f.read().split(b"\0"):
                    left.append(line)
        except OSError:  # exited meanwhile
            pass
    return left


class RunnerEndToEnd(unittest.TestCase):
    def test_apache_vs_apache_passes(self):
        rc, out = run("--apache-only", fix("static.scn"), fix("proxied.scn"))
        self.assertEqual(rc, 0, out)
        self.assertTrue(out.rstrip().endswith("2 passed, 0 failed"), out)

    def test_tls_and_sni(self):
        rc, out = run("--apache-only", fix("tls.scn"))
        self.assertEqual(rc, 0, out)
        rc, out = run("--apache-only", fix("tls.scn"), "--mutate-b", r'X-Vhost "tls.example"=>X-Vhost "other"')
        self.assertEqual(rc, 1, out)
        self.assertIn("+header x-vhost: other", out)

    def test_config_difference_fails_with_readable_diff(self):
        rc, out = run("--apache-only", fix("static.scn"), "--mutate-b", r"^@BASE@$=>@BASE@\nHeader set X-Only-B yes")
        self.assertEqual(rc, 1, out)
        self.assertIn("FAIL      static", out)
        self.assertIn("+++ apache (B)", out)
        self.assertIn("+header x-only-b: yes", out)
        self.assertTrue(out.rstrip().endswith("0 passed, 1 failed"), out)

    def test_backend_receipt_difference_is_reported(self):
        rc, out = run("--apache-only", fix("proxied.scn"), "--mutate-b",
                      r'^ProxyPass "/app/" "balancer://p/"=>ProxyPass "/app/" "balancer://p/x/"')
        self.assertEqual(rc, 1, out)
        self.assertIn("-b1 #1: GET /one HTTP/1.1", out)
        self.assertIn("+b1 #1: GET /x/one HTTP/1.1", out)

    def test_chosen_backend_difference_is_reported(self):
        rc, out = run("--apache-only", fix("proxied.scn"), "--mutate-b",
                      r'^(    BalancerMember "http://@BACKEND_1@")$=>\1 status=+H')
        self.assertEqual(rc, 1, out)
        self.assertIn("-chosen: b1 b2", out)
        self.assertIn("+chosen: b2 b2", out)

    def test_balancerd_that_cannot_serve_fails_honestly(self):
        rc, out = run("--balancerd", "/bin/false", fix("static.scn"))
        self.assertEqual(rc, 1, out)
        self.assertIn("balancerd (B) exited with status 1 before serving", out)
        self.assertTrue(out.rstrip().endswith("0 passed, 1 failed"), out)

    def test_balancerd_flag_runs_the_given_program(self):
        with tempfile.TemporaryDirectory() as d:
            wrapper = os.path.join(d, "fake-balancerd")
            with open(wrapper, "w") as f:
                f.write(f"#!/bin/sh\nexec {APACHE} \"$@\"\n")
            os.chmod(wrapper, 0o755)
            rc, out = run("--balancerd", wrapper, fix("static.scn"), fix("proxied.scn"))
        self.assertEqual(rc, 0, out)
        self.assertIn("B = balancerd", out)

    def test_server_dying_mid_scenario_is_reported(self):
        with tempfile.TemporaryDirectory() as d:
            wrapper = os.path.join(d, "dying-balancerd")
            with open(wrapper, "w") as f:  # serves briefly, then goes away while requests are still due
                f.write(f"#!/bin/sh\n{APACHE} \"$@\" & pid=$!\nrun=$(dirname \"$2\")/run\n"
                        "for i in $(seq 200); do [ -s $run/httpd.pid ] && break; sleep 0.05; done\n"
                        "sleep 0.3\nkill $pid\nwait $pid\nexit 3\n")
            os.chmod(wrapper, 0o755)
            scn = os.path.join(d, "late.scn")
            with open(scn, "w") as f:
                f.write("--- config\n@MODULES@\n@BASE@\n--- request r1 delay=2\nGET / HTTP/1.1\nHost: x\n")
            rc, out = run("--balancerd", wrapper, scn)
        self.assertEqual(rc, 1, out)
        self.assertIn("+event: connect-failed (ConnectionRefusedError)", out)
        self.assertIn("+== the server exited during the scenario (status 3)", out)

    def test_sequence_features(self):
        rc, out = run("--apache-only", fix("sequence.scn"), "--show")
        self.assertEqual(rc, 0, out)
        self.assertIn("chosen: slow slow slow slow sock down", out)  # the async one arrives first
        self.assertIn("AH00957: http: attempt to connect to 127.0.0.1:@BPORT_down@ ", out)
        self.assertNotIn("GET /ignored", out.split("== backends")[1])
        rc, out = run("--apache-only", fix("sequence.scn"), "--mutate-b", r'^(ProxyPass "/slow/" .*)$=>\1 retry=0',
                      "--mutate-b", r'^ProxyPass "/down/" .*$=>ProxyPass "/down/" "http://@BACKEND_slow@/"')
        self.assertEqual(rc, 1, out)
        self.assertIn("-  AH00957", out)  # the log line is compared: B connects to a live backend instead

    def test_graceful_and_nonce_normalisation(self):
        with tempfile.TemporaryDirectory() as d:
            scn = os.path.join(d, "mgr.scn")
            with open(scn, "w") as f:
                f.write(textwrap.dedent("""\
                    normalise: nonce
                    normalise-body: Server (Built|Version): [^<\\n]* => Server <x>
                    --- config
                    @MODULES@
                    @BASE@
                    <Proxy "balancer://p">
                        BalancerMember "http://127.0.0.1:9"
                    </Proxy>
                    <Location "/bm">
                        SetHandler balancer-manager
                    </Location>
                    --- request r1
                    GET /bm HTTP/1.1
                    Host: localhost

                    --- action
                    graceful
                    --- request r2
                    GET /bm HTTP/1.1
                    Host: localhost

                    --- expect
                    r2 status 200
                    r2 body ~ nonce=[0-9a-f-]{36}"
                    """))
            rc, out = run("--apache-only", scn, "--show")
        self.assertEqual(rc, 0, out)
        self.assertIn("[p<id>_p]", out)
        self.assertIn("nonce=<nonce>-----------------------------", out)

    def test_false_expectation_is_broken(self):
        rc, out = run("--apache-only", fix("broken-expectation.scn"))
        self.assertEqual(rc, 1, out)
        self.assertIn("BROKEN", out)
        self.assertIn("expected `r1 status 200`, got: '404'", out)

    def test_deviations_listed_and_stale(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("static.scn", "proxied.scn"):
                with open(fix(name)) as src, open(os.path.join(d, name), "w") as dst:
                    dst.write(src.read())
            with open(os.path.join(d, "deviations.txt"), "w") as f:
                f.write("# test\nstatic: B adds a header on purpose\nproxied: listed but agrees\n")
            wrapper = os.path.join(d, "fake-balancerd")
            with open(wrapper, "w") as f:
                f.write(f"#!/bin/sh\nexec {APACHE} \"$@\"\n")
            os.chmod(wrapper, 0o755)
            rc, out = run("--balancerd", wrapper, d, "--mutate-b",
                          r"^@BASE@$=>@BASE@\n<Location /a.txt>\nHeader set X-Only-B yes\n</Location>")
        self.assertIn("DEVIATION static", out)
        self.assertIn("reason: B adds a header on purpose", out)
        self.assertIn("XPASS     proxied", out)
        self.assertEqual(rc, 1, out)
        self.assertTrue(out.rstrip().endswith("1 passed, 1 failed"), out)

    def test_own_config_with_fixed_listen_port(self):
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            for sub in ("htdocs", "logs", "run"):
                os.mkdir(os.path.join(d, sub))
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            conf = os.path.join(d, "my.conf")
            user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
            with open(conf, "w") as f:
                f.write(textwrap.dedent(f"""\
                    ServerRoot "{d}"
                    PidFile "{d}/run/pid"
                    DefaultRuntimeDir "{d}/run"
                    ErrorLog "{d}/logs/error.log"
                    LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
                    LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
                    Listen 127.0.0.1:{port}
                    ServerName localhost
                    DocumentRoot "{d}/htdocs"
                    """) + user)
            rc, out = run("--apache-only", "--config", conf, "--requests", fix("user-requests.scn"))
        self.assertEqual(rc, 0, out)
        self.assertIn("PASS      user-requests", out)

    def test_own_config_template(self):
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "tmpl.conf")
            with open(conf, "w") as f:
                f.write("@MODULES@\n@BASE@\nRedirect /x /y\n")
            rc, out = run("--apache-only", "--config", conf, "--requests", fix("user-requests.scn"))
        self.assertEqual(rc, 0, out)

    def test_no_server_left_running(self):
        tag = f"{os.getpid()}-{time.monotonic_ns()}"
        run("--apache-only", fix("static.scn"), fix("broken-expectation.scn"), "--mutate-b", "^@BASE@$=>NoSuch x",
            extra_env={"BD_SELFTEST_TAG": tag})
        time.sleep(0.3)
        self.assertEqual(our_servers(tag), [])


class ScenarioFormat(unittest.TestCase):
    def parse(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".scn", delete=False) as f:
            f.write(text)
        try:
            return scenario_mod.Scenario(f.name)
        finally:
            os.unlink(f.name)

    def test_sections_and_options(self):
        sc = self.parse("scenario: t\nnormalise: etag\n--- config\nListen x\n--- file htdocs/a nonl\nab\n"
                        "--- request r1 conn=c delay=0.5 raw\nGET / HTTP/1.1\\r\\n\\r\\n\n--- expect\nr1 status 200\n")
        self.assertEqual(sc.title, "t")
        self.assertEqual(sc.normalise, {"etag"})
        self.assertEqual(sc.files, [("htdocs/a", b"ab", 0o644)])
        r = sc.requests[0]
        self.assertEqual((r.name, r.conn, r.delay, r.raw), ("r1", "c", 0.5, True))
        self.assertEqual(sc.expects, [(10, "r1 status 200")])

    def test_cpus_key(self):
        self.assertEqual(self.parse("scenario: t\ncpus: 1\n--- config\nListen x\n").cpus, 1)
        self.assertEqual(self.parse("scenario: t\n--- config\nListen x\n").cpus, 0)
        with self.assertRaisesRegex(scenario_mod.ScenarioError, r":2: cpus: N"):
            self.parse("scenario: t\ncpus: 0\n--- config\n")

    def test_errors_name_the_line(self):
        with self.assertRaisesRegex(scenario_mod.ScenarioError, r":2: unknown section"):
            self.parse("scenario: t\n--- bogus\n")
        with self.assertRaisesRegex(scenario_mod.ScenarioError, "no '--- config'"):
            self.parse("scenario: t\n")

    def test_actions_in_order_and_checked(self):
        sc = self.parse("--- config\n--- backend b1\n--- request r1\nGET / HTTP/1.1\n--- action\nstop b1\n"
                        "sleep 0.1\n--- request r2\nGET / HTTP/1.1\n")
        self.assertEqual([k for k, _ in sc.steps], ["request", "action", "request"])
        self.assertEqual(sc.steps[1][1], [("stop", "b1"), ("sleep", "0.1")])
        with self.assertRaisesRegex(scenario_mod.ScenarioError, ":3: no backend 'b9'"):
            self.parse("--- config\n--- action\nstop b9\n")

    def test_until_actions(self):
        sc = self.parse("--- config\n--- request r1\nGET / HTTP/1.1\n--- action\nuntil /bm?xml=1 HcFl\n"
                        "until-not /bm Busy.1 2.5\n")
        self.assertEqual(sc.steps[1][1], [("until", ("/bm?xml=1", "HcFl", None)),
                                          ("until-not", ("/bm", "Busy.1", 2.5))])
        with self.assertRaisesRegex(scenario_mod.ScenarioError, ":3: until: bad regex"):
            self.parse("--- config\n--- action\nuntil /x (\n")
        with self.assertRaisesRegex(scenario_mod.ScenarioError, ":3: until-not: SECONDS must be a number"):
            self.parse("--- config\n--- action\nuntil-not /x y soon\n")
        with self.assertRaisesRegex(scenario_mod.ScenarioError, ":3: action must be one of"):
            self.parse("--- config\n--- action\nuntil /x\n")

    def test_until_polls_until_the_body_says_so(self):
        from compat.exchange import _poll
        served = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                served.append(self.path)
                body = b"HcFl" if len(served) >= 3 else b"Ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) as srv:
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            side = type("FakeSide", (), {"ports": {"PORT": srv.server_address[1]}})()
            try:
                self.assertTrue(_poll(side, "/bm", "HcFl", True, 5.0))
                self.assertEqual(served, ["/bm"] * 3)  # the third answer says it: no fourth poll
                self.assertTrue(_poll(side, "/bm", "Ok", False, 5.0))  # already not there: one poll
                self.assertEqual(len(served), 4)
                t0 = time.monotonic()
                self.assertFalse(_poll(side, "/bm", "never", True, 0.3))  # gives up after its limit
                self.assertGreaterEqual(time.monotonic() - t0, 0.3)
            finally:
                srv.shutdown()

    def test_settled_waits_for_enough_and_stable(self):
        from compat.suite import _settled
        reads = iter(["", "", "", "a\n", "a\n", "a\nb\n"] + ["a\nb\n"] * 100)
        # Empty and unchanged for three reads is not enough: it waits for two lines, then for them to stay.
        self.assertEqual(_settled(lambda: next(reads), 5.0, lambda t: t.count("\n") >= 2), "a\nb\n")
        t0 = time.monotonic()
        self.assertEqual(_settled(lambda: "x", 0.3, lambda t: False), "x")  # never enough: gives up at its limit
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)

    def test_ports_are_not_normalised_inside_nonces_or_longer_numbers(self):
        from compat.transcript import Normalise
        sc = self.parse("normalise: nonce\n--- config\n")
        forms = [("41533", "@BPORT_b2@")]
        body = b'nonce=ab9ba5c0-69e0-4797-aa71-fadd41533bea" 127.0.0.1:41533 [p41533a_bg] 141533 415330'
        text, _ = Normalise(sc, forms).body(body)
        self.assertEqual(text.decode(), 'nonce=<nonce>-----------------------------" 127.0.0.1:@BPORT_b2@ '
                                        '[p<id>_bg] 141533 415330')
        self.assertEqual(Normalise(sc, forms).header_value(
            "Location", "http://h:41533/bm?nonce=ab9ba5c0-69e0-4797-aa71-fadd41533bea"),
            "http://h:@BPORT_b2@/bm?nonce=<nonce>-----------------------------")

    def test_request_bytes(self):
        from compat.exchange import build_bytes
        sc = self.parse("--- config\n--- request r1\nPOST /x HTTP/1.1\nHost: @HOST@\nContent-Length: @BODYLEN@\n\n"
                        "a=1\n--- request r2 raw\nGET / HTTP/1.1\\r\\n\n\\r\\n\n")
        head, body = build_bytes(sc.requests[0], {"@HOST@": "h:1"}, {})
        self.assertEqual(head, b"POST /x HTTP/1.1\r\nHost: h:1\r\nContent-Length: 3\r\n\r\n")
        self.assertEqual(body, b"a=1")
        self.assertEqual(build_bytes(sc.requests[1], {}, {})[0], b"GET / HTTP/1.1\r\n\r\n")


class Backends(unittest.TestCase):
    def exchange(self, script, request, method="GET"):
        journal = fakebackend.Journal()
        b = fakebackend.Backend("bx", script, journal).start()
        try:
            c = Connection(b.port, 5)
            c.send(request)
            r = c.read_response(method, 5)
            c.close()
            return r, journal.snapshot()
        finally:
            b.stop()

    def test_echo_records_headers_in_order_and_body(self):
        r, rec = self.exchange("", b"POST /e HTTP/1.1\r\nB: 2\r\nA: 1\r\nContent-Length: 2\r\n\r\nhi")
        self.assertEqual(r.code, 200)
        self.assertEqual(r.body, b"backend=bx\nPOST /e HTTP/1.1\nA: 1\nB: 2\nContent-Length: 2\n\nhi")
        self.assertEqual(rec[0].headers, [("B", "2"), ("A", "1"), ("Content-Length", "2")])

    def test_chunked_interim_and_rules(self):
        script = "status 404 Nope\nwhen /c*\ninterim 103 Early Hints\nchunked 3\nbody abcdefg"
        r, _ = self.exchange(script, b"GET /chunky HTTP/1.1\r\n\r\n")
        self.assertEqual((r.code, r.framing, r.body), (200, "chunked", b"abcdefg"))
        self.assertEqual([s for s, _ in r.interims], ["HTTP/1.1 103 Early Hints"])
        r, _ = self.exchange(script, b"GET /other HTTP/1.1\r\n\r\n")
        self.assertEqual((r.code, r.reason), (404, "Nope"))

    def test_times_limits_a_rule(self):
        journal = fakebackend.Journal()
        b = fakebackend.Backend("bt", "body ok\nwhen /*\ntimes 2\nstatus 503 Busy", journal).start()
        try:
            codes = []
            for _ in range(3):
                c = Connection(b.port, 5)
                c.send(b"GET /x HTTP/1.1\r\n\r\n")
                codes.append(c.read_response("GET", 5).code)
                c.close()
        finally:
            b.stop()
        self.assertEqual(codes, [503, 503, 200])

    def test_close_after_and_reset(self):
        r, _ = self.exchange("close-after 3\nbody 0123456789", b"GET / HTTP/1.1\r\n\r\n")
        self.assertEqual((r.code, r.error, r.body), (200, "truncated", b""))
        r, _ = self.exchange("reset", b"GET / HTTP/1.1\r\n\r\n")
        self.assertIn(r.error, ("reset", "closed"))

    def test_a_stopped_backends_port_refuses_and_stays_held(self):
        from compat.instance import hold_port
        b = fakebackend.Backend("h", "body x", fakebackend.Journal()).start()
        port = b.port
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # leaves a connection behind on the port, as a scenario's traffic does
        b.stop()
        held = hold_port(port)
        self.assertIsNotNone(held)
        try:
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=2)
            with socket.socket() as other, self.assertRaises(OSError):
                other.bind(("127.0.0.1", port))  # nobody else can take it meanwhile
        finally:
            held.close()
        b2 = fakebackend.Backend("h", "body x", fakebackend.Journal(), port).start()  # back on the same port
        b2.stop()

    def test_big_body_version_and_self(self):
        r, _ = self.exchange("version HTTP/1.0\nbig-body 100\nheader X-Me: @SELF@", b"GET / HTTP/1.1\r\n\r\n")
        self.assertEqual((r.version, len(r.body)), ("HTTP/1.0", 100))
        self.assertTrue(r.body.startswith(b"line aaaaa of the big body"), r.body)
        self.assertRegex(r.header("X-Me"), r"^127\.0\.0\.1:\d+$")

    def test_unix_socket_backend(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "b.sock")
            b = fakebackend.Backend("bu", "body over uds", fakebackend.Journal(), unix_path=path).start()
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                s.close()
            finally:
                b.stop()
            self.assertTrue(data.endswith(b"\r\n\r\nover uds"), data)
            self.assertFalse(os.path.exists(path))

    def test_repeat_and_async_parse(self):
        sc = ScenarioFormat.parse(self, "--- config\n--- request r repeat=3 async\nGET / HTTP/1.1\n--- action\nwait\n")
        self.assertEqual([r.name for r in sc.requests], ["r-1", "r-2", "r-3"])
        self.assertTrue(all(r.background for r in sc.requests))
        self.assertEqual(sc.steps[-1], ("action", [("wait", None)]))

    def test_script_errors_name_the_line(self):
        with self.assertRaisesRegex(ValueError, "line 2"):
            fakebackend.parse_script("echo\nfrobnicate 3\n")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or not result.wasSuccessful() else 0)
