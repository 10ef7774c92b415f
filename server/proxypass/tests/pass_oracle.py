#!/usr/bin/env python3
"""Records what apache2 sends to a backend for many request targets under a few ProxyPass configs.

Writes data/pass_cases.txt, which pass_cases_test.cpp replays against match_proxy_pass, and
data/reverse_cases.txt (Location and Set-Cookie values the backend answered with, and what the
client got), which reverse_cases_test.cpp replays against reverse_url / reverse_cookie. Needs the
Debian apache2 package and free loopback ports 18740-18742; run it by hand when the configs or the
target generator change:  python3 server/proxypass/tests/pass_oracle.py
Each case line is "TARGET<TAB>RESULT": RESULT is the request-URI the backend received, or "!NNN"
when apache2 answered NNN itself without contacting the backend.
"""
import http.server, os, random, socket, socketserver, subprocess, sys, tempfile, threading, time

FRONT, BACK = 18740, 18741
MODULES = ["mpm_event", "authz_core", "proxy", "proxy_http", "slotmem_shm", "proxy_balancer",
           "lbmethod_byrequests", "setenvif"]

CONFIGS = [
    # prefix rules, exclusions, nocanon, servlet mapping
    """ProxyPass /app http://127.0.0.1:18741/x
ProxyPass /s/ http://127.0.0.1:18741/s/
ProxyPass /nc/ http://127.0.0.1:18741/nc/ nocanon
ProxyPass /ex/sub !
ProxyPass /ex/ http://127.0.0.1:18741/ex/
ProxyPass /sv/app http://127.0.0.1:18741/sv mapping=servlet
ProxyPass /sv2/ http://127.0.0.1:18741/sv2/ mapping=servlet
ProxyPass / http://127.0.0.1:18741/root/""",
    # regex rules
    """ProxyPassMatch ^/r/(.*)$ http://127.0.0.1:18741/r/$1
ProxyPassMatch ^/rn/(.*)$ http://127.0.0.1:18741/rn/$1 nocanon
ProxyPassMatch \\.gif$ http://127.0.0.1:18741
ProxyPassMatch ^/(a|b)(/.*)?$ http://127.0.0.1:18741/$1x$2
ProxyPassMatch ^/q/([^/]*)/?(.*)$ http://127.0.0.1:18741/q?p=$1&r=$2""",
    # mapping=encoded next to plain rules
    """ProxyPass /enc/ http://127.0.0.1:18741/enc/ mapping=encoded
ProxyPass /p/ http://127.0.0.1:18741/p/
ProxyPass /pn/ http://127.0.0.1:18741/pn/ nocanon""",
    # AllowEncodedSlashes NoDecode: %2F stays encoded in r->uri
    """AllowEncodedSlashes NoDecode
ProxyPass /s/ http://127.0.0.1:18741/s/
ProxyPass /enc/ http://127.0.0.1:18741/enc/ mapping=encoded
ProxyPass /nc/ http://127.0.0.1:18741/nc/ nocanon""",
    # AllowEncodedSlashes On: %2F decoded like the rest
    """AllowEncodedSlashes On
ProxyPass /s/ http://127.0.0.1:18741/s/
ProxyPass /nc/ http://127.0.0.1:18741/nc/ nocanon""",
    # balancer targets (one member, so the member is known) and a regex exclusion
    """<Proxy balancer://one>
BalancerMember http://127.0.0.1:18741/m1
</Proxy>
ProxyPassMatch ^/x/(.*)\\.no$ !
ProxyPassMatch ^/x/(.*)$ balancer://one/X/$1
ProxyPass /b/ balancer://one/
ProxyPass /nc/ balancer://one/nc/ nocanon
ProxyPass /p balancer://one""",
    # servlet normalisation around path parameters and dot segments
    """ProxyPass /sv/app http://127.0.0.1:18741/sv mapping=servlet
ProxyPass /sv2/a/ http://127.0.0.1:18741/sv2/ mapping=servlet
ProxyPass /svn/ http://127.0.0.1:18741/svn/ mapping=servlet nocanon""",
]

SERVLET_PIECES = ["sv", "sv;x=1", "app", "app;jsessionid=1", "appx", "a", "a;p", "sv2", "sv2;q", "..", ".",
                  "", "b", "b;c=d", "svn", "%3B", "x;y", ";", "svn;z"]

PIECES = ["a", "app", "sub", "x", "s", "nc", "ex", "sv", "sv2", "r", "rn", "q", "enc", "p", "pn", "b", "y.no",
          "y.gif", ".", "..", "", "%2e", "%2E%2e", "%20", "%25", "%2f", "%3f", "%3B", "%7e", "~", "%41",
          ";v=1", ";jsessionid=9", "a;b", "%C3%A9", "!$&'()*+,", ":@=", "%5B", "{x}", "|", "\"", "%00",
          "%zz", "a%2", "-_."]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("RL=" + self.requestline + "\n").encode("latin-1")
        self.send_response(200)
        for name in ("Location", "Set-Cookie"):
            value = self.headers.get("X-Resp-" + name)
            if value is not None:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def servlet_targets(rng, n):
    out = ["/sv/app", "/sv;a/app;b", "/sv/app/", "/sv/app;x/y", "/sv2/a", "/sv2/a/", "/sv2;k/a;l/m",
           "/sv/x/../app/z", "/sv/app/../app/w", "/svn/a%20b", "/sv2/b/../a/c"]
    while len(out) < n:
        first = rng.choice(["sv", "sv;x=1", "sv2", "sv2;q", "svn", "svn;z"])
        parts = [first] + [rng.choice(SERVLET_PIECES) for _ in range(rng.randint(1, 4))]
        t = "/" + "/".join(parts)
        if rng.random() < 0.2:
            t += "?q=1"
        out.append(t)
    return out


def rule_prefixes(conf):
    """The plain ProxyPass paths of a config, so most random targets start inside a rule."""
    out = []
    for line in conf.split("\n"):
        words = line.split()
        if len(words) >= 3 and words[0] == "ProxyPass" and words[1].startswith("/"):
            out.append(words[1].strip("/"))
    return out or [""]


def targets(rng, n, prefixes):
    out = ["/", "/app", "/app/", "/apple", "/s", "/s/", "/ex/sub", "/ex/subx", "/sv/app", "/sv/appx",
           "/sv2", "/a", "/b/", "/x.gif", "/q/", "/enc/", "/p/?", "/s/x?a%20b&c"]
    while len(out) < n:
        parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 5))]
        if rng.random() < 0.6:
            parts[0] = rng.choice(prefixes)
        t = "/" + "/".join(parts)
        if rng.random() < 0.15:
            t = "/" + t
        if rng.random() < 0.25:
            t += "?" + rng.choice(["", "q=1", "a=%20&b", "x?y", "%zz"])
        out.append(t)
    return out


REVERSE_CONFIG = """ProxyPass /d/ http://127.0.0.1:18741/
ProxyPassReverse /d/ http://127.0.0.1:18741/app/
ProxyPassReverse /root/ /back/
ProxyPassReverse / http://other.example/
ProxyPassReverse /e http://127.0.0.1:18742
<Proxy balancer://bl>
BalancerMember http://127.0.0.1:18743/m1/
BalancerMember http://127.0.0.3:18743
</Proxy>
ProxyPassReverse /bal/ balancer://bl/sub/
ProxyPassReverse /bal2/ balancer://BL
ProxyPassReverseCookiePath /app/ /d/
ProxyPassReverseCookiePath /x /y
ProxyPassReverseCookieDomain backend.example public.example
ProxyPassReverseCookieDomain .int.example .pub.example"""

LOC_PREFIXES = ["http://127.0.0.1:18741", "HTTP://127.0.0.1:18741", "https://127.0.0.1:18741",
                "http://other.example", "http://OTHER.example:80", "http://127.0.0.1:18742",
                "http://127.0.0.1:18743", "http://127.0.0.3:18743", "http://zz.example", "", "ftp://x"]
LOC_PATHS = ["/app/", "/APP/", "/app", "/back/", "/back", "/m1/", "/m1/sub/", "/sub/", "/", "", "/x",
             "rel/", "?q=1", "/app/?a=/back/", "#f", "//"]
COOKIE_ATTRS = ["Path=/app/", "path=/app/x", "PATH=/x", "path=/xyz", "Path=/other", "path=",
                "Domain=backend.example", "domain=BACKEND.EXAMPLE", "domain=www.backend.example",
                "domain=.int.example", "Domain=x.int.example", "domain=backend.example.org", "Secure",
                "HttpOnly", "Max-Age=5", " path=/app/", "Path =/app/"]


def reverse_values(rng, n):
    locs, cookies = [], []
    while len(locs) < n:
        v = rng.choice(LOC_PREFIXES) + rng.choice(LOC_PATHS) + rng.choice(["", "x", "y/z", "a%20b"])
        if v:
            locs.append(v)
    while len(cookies) < n:
        attrs = [rng.choice(COOKIE_ATTRS) for _ in range(rng.randint(1, 3))]
        cookies.append("; ".join(["a=b"] + attrs) if rng.random() < 0.8 else ";".join(attrs + ["a=b"]))
    return locs, cookies


def send(target, extra=""):
    s = socket.create_connection(("127.0.0.1", FRONT), timeout=5)
    s.sendall(f"GET {target} HTTP/1.1\r\nHost: front.example\r\n{extra}Connection: close\r\n\r\n".encode("latin-1"))
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if extra:
        name = extra.split(":")[0][len("X-Resp-"):].lower() + ":"
        for line in head.decode("latin-1").split("\r\n")[1:]:
            if line.lower().startswith(name):
                return line[len(name):].strip()
        return "<none>"
    status = head.split(b" ")[1].decode()
    for line in body.decode("latin-1").split("\n"):
        if line.startswith("RL=GET ") and status == "200":
            return line[len("RL=GET "):-len(" HTTP/1.1")]
    return "!" + status


def run(conf, cases, tmp, reverse=None):
    text = f"""ServerRoot {tmp}
PidFile {tmp}/httpd.pid
ErrorLog {tmp}/error.log
Listen 127.0.0.1:{FRONT}
ServerName front.example
DocumentRoot {tmp}/docroot
"""
    for m in MODULES:
        so = "mod_mpm_event.so" if m == "mpm_event" else f"mod_{m}.so"
        text += f"LoadModule {m}_module /usr/lib/apache2/modules/{so}\n"
    path = os.path.join(tmp, "x.conf")
    with open(path, "w") as f:
        f.write(text + conf + "\n")
    for attempt in range(10):  # the previous instance may still hold the port for a moment
        if subprocess.run(["apache2", "-f", path, "-k", "start"]).returncode == 0:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError("apache2 did not start")
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", FRONT), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        if reverse:
            locs, cookies = reverse
            return ([("L", v, send("/d/x", f"X-Resp-Location: {v}\r\n")) for v in locs] +
                    [("C", v, send("/d/x", f"X-Resp-Set-Cookie: {v}\r\n")) for v in cookies])
        return [(t, send(t)) for t in cases]
    finally:
        subprocess.run(["apache2", "-f", path, "-k", "stop"])
        for _ in range(50):
            if not os.path.exists(os.path.join(tmp, "httpd.pid")):
                break
            time.sleep(0.1)


def main():
    backend = Server(("127.0.0.1", BACK), Handler)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    rng = random.Random(20261124)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "docroot"))
        for conf in CONFIGS:
            cases = servlet_targets(rng, 120) if "servlet" in conf.split("\n")[0] else targets(rng, 150, rule_prefixes(conf))
            results = run(conf, cases, tmp)
            out.append("#config\n" + conf + "\n#cases\n")
            out.extend(f"{t}\t{r}\n" for t, r in results)
        rev = run(REVERSE_CONFIG, [], tmp, reverse_values(rng, 150))
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    with open(os.path.join(here, "pass_cases.txt"), "w") as f:
        f.write("".join(out))
    with open(os.path.join(here, "reverse_cases.txt"), "w") as f:
        f.write("#config\n" + REVERSE_CONFIG + "\n#cases\n")
        f.write("".join(f"{k}\t{v}\t{r}\n" for k, v, r in rev))
    print("wrote", here)


if __name__ == "__main__":
    sys.exit(main())
