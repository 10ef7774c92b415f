"""Scenario files: one readable text file per scenario (see compat-tests/README.md for the format).

    # free comment lines
    scenario: one-line title
    normalise: etag last-modified
    --- config
    @BASE@
    ...
    --- file htdocs/a.txt
    --- backend b1
    --- request r1 conn=c1
    --- action                 (between requests: stop b1 / start b1 / sleep 0.5)
    --- expect

A line `--- KIND [NAME] [key=value | flag]...` opens a section; the section runs until the next such line.
A section line that must start with `---` is written `\\---`.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "backends"))
import fakebackend  # noqa: E402

SECTION_KINDS = {"config", "file", "backend", "request", "action", "expect"}
# word -> the numbers of arguments it takes
ACTIONS = {"stop": (1,), "start": (1,), "sleep": (1,), "wait": (0,), "graceful": (0,), "restart": (0,),
           "until": (2, 3), "until-not": (2, 3)}
KNOWN_KEYS = {"scenario", "normalise", "normalise-body", "normalise-header", "keep", "timeout", "skip",
              "grep-log", "env", "server-root", "config-file", "source", "ignore-requests", "cpus"}


class ScenarioError(Exception):
    pass


class Section:
    def __init__(self, kind, name, options, lines, lineno):
        self.kind, self.name, self.options, self.lines, self.lineno = kind, name, options, lines, lineno

    def text(self):
        return "\n".join(self.lines)


class Request:
    """One request (or one pipelined batch) sent on a connection."""

    def __init__(self, section):
        self.name = section.name
        o = section.options
        self.conn = o.get("conn")  # None: a fresh connection of its own
        self.delay = float(o.get("delay", 0))
        self.pause = float(o.get("pause", 0))  # between sending the head and the body (a slow client)
        self.raw = "raw" in o
        self.expect100 = "expect100" in o
        self.shutdown = "shutdown" in o
        self.background = "async" in o  # sent from a thread; the next steps do not wait for its answer
        self.responses = int(o.get("responses", 1))
        self.timeout = float(o["timeout"]) if "timeout" in o else None
        self.methods = o["methods"].split(",") if "methods" in o else None
        self.port = o.get("port", "PORT")  # which listen port: PORT, PORT2, ...
        self.tls = "tls" in o or "sni" in o
        self.sni = o.get("sni")
        self.lines = section.lines
        self.lineno = section.lineno


class Normaliser:
    """A declared normalisation: regex over bodies or over one header's values."""

    def __init__(self, pattern, replacement, header=None):
        self.regex = re.compile(pattern, re.M)
        self.replacement, self.header = replacement, header


class Scenario:
    def __init__(self, path, text=None):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.title = ""
        self.normalise = set()
        self.normalisers = []
        self.keep = set()
        self.timeout = 5.0
        self.skip = None
        self.config = None
        self.files = []  # [(relpath, bytes, mode)]
        self.backends = []  # [(id, script)]
        self.requests = []
        self.steps = []  # requests and actions in file order: ("request", Request) | ("action", [(word, arg)])
        self.expects = []  # [(lineno, text)]
        self.grep_log = []  # regexes: error-log matches compared between sides
        self.ignore_requests = []  # globs on a receipt's target: not compared (health checks, timing-dependent)
        self.env = []  # [(name, value)] for the server's environment (substitutions applied)
        self.server_root = None  # run a config tree as is: -d ROOT -f CONFIG_FILE (after sourcing SOURCE)
        self.config_file = "apache2.conf"
        self.source = None
        self.cpus = 0  # run both servers on this many CPUs (0: as the runner runs)
        self.backend_opts = {}  # id -> {"unix": True, "down": True}
        self._parse(text)

    def _fail(self, lineno, msg):
        raise ScenarioError(f"{self.path}:{lineno}: {msg}")

    def _parse(self, text):
        if text is None:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        lines = text.split("\n")
        sections, current = [], None
        for i, line in enumerate(lines, 1):
            if line.startswith("--- "):
                words = line[4:].split()
                if not words or words[0] not in SECTION_KINDS:
                    self._fail(i, f"unknown section {line!r} (kinds: {', '.join(sorted(SECTION_KINDS))})")
                kind, name, options = words[0], None, {}
                for w in words[1:]:
                    if "=" in w:
                        k, _, v = w.partition("=")
                        options[k] = v
                    elif name is None and kind != "config" and kind != "expect":
                        name = w
                    else:
                        options[w] = True
                current = Section(kind, name, options, [], i)
                sections.append(current)
                continue
            if line.startswith("\\---"):
                line = line[1:]
            if current is None:
                self._header_line(i, line)
            else:
                current.lines.append(line)
        for s in sections:
            while s.lines and not s.lines[-1].strip():
                s.lines.pop()
            self._section(s)
        if self.config is None and self.server_root is None:
            self._fail(1, "no '--- config' section (or server-root: key)")
        if self.config is None:
            self.config = ""
        names = [r.name for r in self.requests]
        if len(set(names)) != len(names) or None in names:
            self._fail(1, "every request needs a unique name (--- request r1)")

    def _header_line(self, lineno, line):
        if not line.strip() or line.lstrip().startswith("#"):
            return
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in KNOWN_KEYS:
            self._fail(lineno, f"expected 'key: value' with key in {sorted(KNOWN_KEYS)}, got {line!r}")
        if key == "scenario":
            self.title = value
        elif key == "normalise":
            self.normalise.update(value.lower().split())
        elif key == "normalise-body":
            pattern, arrow, repl = value.partition(" =>")
            if not arrow:
                self._fail(lineno, "normalise-body: REGEX => REPLACEMENT")
            self.normalisers.append(Normaliser(pattern, repl[1:] if repl.startswith(" ") else repl))
        elif key == "normalise-header":
            header, _, rest = value.partition(" ")
            pattern, arrow, repl = rest.partition(" =>")
            if not arrow:
                self._fail(lineno, "normalise-header: NAME REGEX => REPLACEMENT")
            self.normalisers.append(Normaliser(pattern, repl[1:] if repl.startswith(" ") else repl, header.lower()))
        elif key == "keep":
            self.keep.update(value.lower().split())
        elif key == "timeout":
            self.timeout = float(value)
        elif key == "skip":
            self.skip = value or "skipped"
        elif key == "ignore-requests":
            self.ignore_requests += value.split()
        elif key == "grep-log":
            self.grep_log.append(re.compile(value))
        elif key == "env":
            name, eq, val = value.partition("=")
            if not eq:
                self._fail(lineno, "env: NAME=VALUE")
            self.env.append((name.strip(), val.strip()))
        elif key == "server-root":
            here = os.path.dirname(os.path.abspath(self.path))
            self.server_root = os.path.normpath(os.path.join(here, value))
        elif key == "config-file":
            self.config_file = value
        elif key == "source":
            self.source = value
        elif key == "cpus":
            if not value.isdigit() or int(value) < 1:
                self._fail(lineno, "cpus: N (a positive number)")
            self.cpus = int(value)

    def _section(self, s):
        if s.kind == "config":
            if self.config is not None:
                self._fail(s.lineno, "more than one config section")
            self.config = s.text() + "\n"
        elif s.kind == "file":
            if not s.name:
                self._fail(s.lineno, "--- file needs a path relative to @T@")
            content = s.text()
            if "nonl" not in s.options and content:
                content += "\n"
            data = content.encode("utf-8") * int(s.options.get("repeat", 1))
            self.files.append((s.name, data, int(str(s.options.get("mode", "644")), 8)))
        elif s.kind == "backend":
            if not s.name:
                self._fail(s.lineno, "--- backend needs an id (b1, b2, ...)")
            try:
                fakebackend.parse_script(s.text())
            except ValueError as e:
                self._fail(s.lineno, f"backend {s.name}: {e}")
            self.backends.append((s.name, s.text()))
            self.backend_opts[s.name] = {k: v for k, v in s.options.items() if k in ("unix", "down")}
        elif s.kind == "request":
            repeat = int(s.options.get("repeat", 1))
            for k in range(1, repeat + 1):
                req = Request(s)
                if repeat > 1:  # r1 repeat=3 is r1-1, r1-2, r1-3: the same request sent three times in turn
                    req.name = f"{s.name}-{k}"
                self.requests.append(req)
                self.steps.append(("request", req))
        elif s.kind == "action":
            actions = []
            for k, line in enumerate(s.lines):
                words = line.split()
                if not words or words[0].startswith("#"):
                    continue
                if words[0] not in ACTIONS or len(words) - 1 not in ACTIONS[words[0]]:
                    self._fail(s.lineno + 1 + k, "action must be one of: stop ID, start ID, sleep SECONDS, wait, "
                               "graceful, restart, until PATH REGEX [SECONDS], until-not PATH REGEX [SECONDS]; "
                               f"got {line!r}")
                if words[0] in ("until", "until-not"):
                    try:
                        re.compile(words[2])
                    except re.error as e:
                        self._fail(s.lineno + 1 + k, f"{words[0]}: bad regex {words[2]!r}: {e}")
                    try:
                        limit = float(words[3]) if len(words) > 3 else None
                    except ValueError:
                        self._fail(s.lineno + 1 + k, f"{words[0]}: SECONDS must be a number, got {words[3]!r}")
                    actions.append((words[0], (words[1], words[2], limit)))
                    continue
                if words[0] in ("stop", "start") and words[1] not in {b for b, _ in self.backends}:
                    self._fail(s.lineno + 1 + k, f"no backend {words[1]!r} declared above this action")
                actions.append((words[0], words[1] if len(words) > 1 else None))
            self.steps.append(("action", actions))
        elif s.kind == "expect":
            for k, line in enumerate(s.lines):
                if line.strip() and not line.lstrip().startswith("#"):
                    self.expects.append((s.lineno + 1 + k, line.strip()))


def load_requests_only(path):
    """A requests file for `runner.py --config FILE --requests FILE`: a scenario whose config comes from outside."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not re.search(r"(?m)^--- config", text):
        text = text.rstrip("\n") + "\n--- config\n"
    return Scenario(path, text)
