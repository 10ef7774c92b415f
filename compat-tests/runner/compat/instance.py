"""One side of a comparison: a server program (Apache or balancerd) started on private loopback ports with its own
temp dir (ServerRoot, PidFile, ErrorLog, DefaultRuntimeDir, logs) and its own fake backends."""

import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "backends"))
import fakebackend  # noqa: E402

MODULE_DIR = "/usr/lib/apache2/modules"
DEFAULT_MODULES = [
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("authz_host_module", "mod_authz_host.so"),
    ("alias_module", "mod_alias.so"),
    ("dir_module", "mod_dir.so"),
    ("mime_module", "mod_mime.so"),
    ("headers_module", "mod_headers.so"),
    ("status_module", "mod_status.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
    ("slotmem_shm_module", "mod_slotmem_shm.so"),
    ("proxy_balancer_module", "mod_proxy_balancer.so"),
    ("lbmethod_byrequests_module", "mod_lbmethod_byrequests.so"),
]

# Server housekeeping every side needs; paths and ports differ per side, so they come from substitutions.
BASE = """\
ServerRoot "@T@"
PidFile "@T@/run/httpd.pid"
DefaultRuntimeDir "@T@/run"
ErrorLog "@T@/logs/error.log"
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog "@T@/logs/access.log" common
@USER@
Listen 127.0.0.1:@PORT@
ServerName localhost
StartServers 1
MinSpareThreads 10
MaxSpareThreads 50
ThreadsPerChild 25
TypesConfig /etc/mime.types
DocumentRoot "@T@/htdocs"
"""

FIXED_MTIME = 1704164645  # 2024-01-02 03:04:05 UTC: files get the same mtime on both sides (ETag, Last-Modified)


class StartError(Exception):
    pass


_handed_out = set()
_handed_lock = threading.Lock()


def free_port():
    """A free 5-digit loopback port (fixed width keeps lengths equal after port normalisation), never handed out
    twice by this process."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with _handed_lock:
            if 10000 <= port <= 65535 and port not in _handed_out:
                _handed_out.add(port)
                return port
    raise StartError("no free 5-digit port")


def hold_port(port):
    """Keeps a stopped backend's port from being taken by anything else (another suite's server or backend
    binding an ephemeral port while the scenario expects this one to refuse): a socket bound to it that does not
    listen, so a connect is still refused (RST), while a bind by anyone without SO_REUSEADDR fails. None if the
    port could not be held."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the port's TIME_WAIT connections must not stop it
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    return s


class Side:
    """label: 'A' or 'B'; command: argv template with {conf} (e.g. ['/usr/sbin/apache2', '-f', '{conf}', ...])."""

    def __init__(self, label, command, kind, config_text, scenario, mutate=None, keep_dir=False, config_file=None):
        self.label, self.command, self.kind = label, command, kind
        self.config_file = config_file  # the operator's own config, used in place (no substitutions)
        self.scenario = scenario
        self.keep_dir = keep_dir
        self.proc = None
        self.backends = []
        self.held = {}  # backend id -> hold_port() socket while that backend is stopped
        self.journal = fakebackend.Journal()
        self.ports = {}
        scan = config_text + "".join("\n".join(r.lines) for r in scenario.requests) + str(scenario.env)
        wanted = re.findall(r"@(PORT\d*)@", scan)
        for name in sorted(set(wanted) | {"PORT"} | {r.port.strip("@") for r in scenario.requests}):
            self.ports[name] = free_port()
        self.config_text = config_text
        self.mutate = mutate or []
        self.start_timeout = 10.0
        # Last, so nothing above can fail and leave the directory behind (stop() removes it).
        self.dir = tempfile.mkdtemp(prefix=f"compat-{scenario.name[:20]}-{label}-")
        os.chmod(self.dir, 0o755)  # Apache's children run as www-data when we are root
        for sub in ("htdocs", "logs", "run"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)

    # --- substitutions -------------------------------------------------------------------------------------------
    def substitutions(self):
        subs = {"@T@": self.dir, "@MODDIR@": MODULE_DIR}
        for name, port in self.ports.items():
            subs[f"@{name}@"] = str(port)
        subs["@HOST@"] = f"127.0.0.1:{self.ports['PORT']}"
        for i, b in enumerate(self.backends, 1):
            subs[f"@BACKEND_{i}@"] = b.self_addr
            subs[f"@BACKEND_{b.id}@"] = b.self_addr
            subs[f"@SOCK_{b.id}@"] = self.sock_path(b.id)
        return subs

    def sock_path(self, ident):
        return os.path.join(self.dir, "run", f"{ident}.sock")

    def normal_forms(self):
        """What must differ between sides, mapped to a symbolic form: ports and the temp dir."""
        forms = [(self.dir, "@T@")]
        for name, port in self.ports.items():
            forms.append((str(port), f"@{name}@"))
        for b in self.backends:
            if b.port:  # a unix-socket backend has no port
                forms.append((str(b.port), f"@BPORT_{b.id}@"))
        return forms

    def render_config(self):
        text = self.config_text
        for pattern, repl in self.mutate:  # on the template, so a mutation may use @BACKEND_1@ and friends
            text = re.sub(pattern, repl, text, flags=re.M)
        text = text.replace("@BASE@", BASE)
        text = text.replace(
            "@MODULES@", "\n".join(f"LoadModule {n} {MODULE_DIR}/{f}" for n, f in DEFAULT_MODULES)
        )
        text = text.replace("@USER@", "User www-data\nGroup www-data" if os.geteuid() == 0 else "")
        for k, v in self.substitutions().items():
            text = text.replace(k, v)
        return text

    # --- lifecycle -----------------------------------------------------------------------------------------------
    def start(self, start_timeout=None):
        start_timeout = start_timeout or self.start_timeout
        for ident, script in self.scenario.backends:
            self.backends.append(self._new_backend(ident, script))
        subs = self.substitutions()
        for b in self.backends:
            b.subs = subs
        for b in self.backends:
            if self.scenario.backend_opts.get(b.id, {}).get("down"):
                self.stop_backend(b.id)  # declared down: its port refuses connections until an action starts it
        for rel, data, mode in self.scenario.files:
            path = os.path.join(self.dir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, mode)
            os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        for root, dirs, _ in os.walk(os.path.join(self.dir, "htdocs")):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        env = None
        if self.scenario.env:
            env = dict(os.environ)
            for name, value in self.scenario.env:
                for k, v in subs.items():
                    value = value.replace(k, v)
                env[name] = value
        if self.scenario.server_root:  # a config tree run as it is, from its own ServerRoot
            self.conf_path = os.path.join(self.scenario.server_root, self.scenario.config_file)
        elif self.config_file:
            self.conf_path = self.config_file
        else:
            self.conf_path = os.path.join(self.dir, "server.conf")
            with open(self.conf_path, "w") as f:
                f.write(self.render_config())
        argv = [a.replace("{conf}", self.conf_path).replace("{dir}", self.dir) for a in self.command]
        if self.scenario.server_root:
            argv = argv[:1] + ["-d", self.scenario.server_root] + argv[1:]
            if self.scenario.source:  # as apache2ctl does: the server's environment comes from envvars
                argv = ["sh", "-c", '. "$0" && exec "$@"', os.path.join(self.scenario.server_root,
                                                                        self.scenario.source)] + argv
        if shutil.which("setpriv"):
            # If the runner dies without cleaning up (SIGKILL from a test timeout), the server gets SIGTERM
            # instead of living on in its own session. Same PID: setpriv execs the server.
            argv = ["setpriv", "--pdeathsig", "TERM", "--"] + argv
        self.output_path = os.path.join(self.dir, "logs", "stdout.txt")
        pin = None
        if self.scenario.cpus:
            # Per-process limits (a worker's max=) apply per apache2 child and per balancerd io thread;
            # balancerd runs one io thread per CPU it may use, so a scenario that counts connections runs
            # both servers on the same few CPUs (the runner's apache2 has one child).
            allowed = sorted(os.sched_getaffinity(0))[: self.scenario.cpus]
            pin = lambda: os.sched_setaffinity(0, allowed)  # noqa: E731
        with open(self.output_path, "wb") as out:
            self.proc = subprocess.Popen(
                argv, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, env=env, preexec_fn=pin,
            )
        deadline = time.monotonic() + start_timeout
        port = self.ports["PORT"]
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"{self.kind} ({self.label}) exited with status {self.proc.returncode} "
                                 f"before serving:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise StartError(f"{self.kind} ({self.label}) did not accept on port {port} within {start_timeout}s:\n"
                         f"{self.log_tail()}")

    def _new_backend(self, ident, script, port=0):
        unix = self.scenario.backend_opts.get(ident, {}).get("unix")
        if port or unix:
            b = fakebackend.Backend(ident, script, self.journal, port, self.sock_path(ident) if unix else None)
            return b.start()
        # A port from free_port(), never an ephemeral bind: the kernel may hand a backend the very port just
        # chosen for a server that has not bound it yet (the server then fails to start and the client talks to
        # the backend). Another process may still take it in between: try another.
        for _ in range(20):
            try:
                return fakebackend.Backend(ident, script, self.journal, free_port(), None).start()
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
        raise StartError(f"backend {ident}: no free port")

    def signal_server(self, word):
        """graceful (SIGUSR1) or restart (SIGHUP), as apache2ctl sends them; returns once the server says it is
        serving again (a new 'resuming normal operations' line in its error log) or after 3 s."""
        before = self.error_log().count("resuming normal operations")
        os.kill(self.proc.pid, signal.SIGUSR1 if word == "graceful" else signal.SIGHUP)
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            if self.error_log().count("resuming normal operations") > before:
                break
            time.sleep(0.05)
        time.sleep(0.2)  # the new generation's children start accepting a moment after the parent logs it

    def _backend(self, ident):
        for i, b in enumerate(self.backends):
            if b.id == ident:
                return i, b
        raise KeyError(ident)

    def stop_backend(self, ident):
        """Takes a backend down mid-scenario (its port then refuses connections, and stays ours)."""
        b = self._backend(ident)[1]
        b.stop()
        if b.port:
            self.held[ident] = hold_port(b.port)

    def start_backend(self, ident):
        """Brings a stopped backend back on the same port, with the same script and journal."""
        i, old = self._backend(ident)
        script = dict(self.scenario.backends)[ident]
        held = self.held.pop(ident, None)
        if held is not None:
            held.close()
        self.backends[i] = self._new_backend(ident, script, old.port)
        self.backends[i].subs = old.subs

    def log_tail(self, lines=15):
        out = []
        for p in (getattr(self, "output_path", None), os.path.join(self.dir, "logs", "error.log")):
            if p and os.path.exists(p):
                with open(p, errors="replace") as f:
                    tail = f.read().splitlines()[-lines:]
                out += [f"  {os.path.basename(p)}: {line}" for line in tail]
        return "\n".join(out) or "  (no output)"

    def access_log(self):
        p = os.path.join(self.dir, "logs", "access.log")
        if not os.path.exists(p):
            return ""
        with open(p, errors="replace") as f:
            return f.read()

    def error_log(self):
        """logs/error.log, then any other logs/*error*.log (a config tree's per-vhost ErrorLog)."""
        logs = os.path.join(self.dir, "logs")
        names = sorted(n for n in os.listdir(logs) if "error" in n and n.endswith(".log") and n != "error.log")
        text = ""
        for n in ["error.log"] + names:
            p = os.path.join(logs, n)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    text += f.read()
        return text

    def stop(self):
        """Stops the server we started (by its PID, then its process group if anything is left) and backends."""
        try:
            if self.proc is not None and self.proc.poll() is None:
                try:
                    os.kill(self.proc.pid, signal.SIGTERM)
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            if self.proc is not None:
                self._reap_group()
        finally:
            for b in self.backends:
                b.stop()
            for held in self.held.values():
                if held is not None:
                    held.close()
            self.held.clear()
            if not self.keep_dir:
                shutil.rmtree(self.dir, ignore_errors=True)

    def _reap_group(self):
        pgid = self.proc.pid  # start_new_session made the server its own group leader
        for _ in range(20):
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                break
            time.sleep(0.05)
        else:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=5)

