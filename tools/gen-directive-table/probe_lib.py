"""Probing machinery shared by generate.py and check.py (Python 3 stdlib only).

Everything here is derived from running the real apache2 binary; the spec tables in
/work/shared/spec are only used for the module list (which .so files exist, their identifiers and
LoadModule dependencies) and for the cross-check reported in README.md.
"""
import concurrent.futures
import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

APACHE = os.environ.get("TABLEGEN_APACHE", "/usr/sbin/apache2")
MODDIR = Path(os.environ.get("TABLEGEN_MODDIR", "/usr/lib/apache2/modules"))
# The spec folder sits beside the repository (../shared/spec), in a developer's tree and in CI's clone.
SPEC = Path(os.environ.get("TABLEGEN_SPEC", Path(__file__).resolve().parents[3] / "shared" / "spec"))
SCRATCH = Path(os.environ.get("TABLEGEN_SCRATCH", "/tmp/tablegen"))
MPMS = ["event", "prefork", "worker"]
MPM_SOURCES = {"event": "event.c", "prefork": "prefork.c", "worker": "worker.c"}
DEFAULT_MPM = "event"

# Apache's generic argument-count messages (appended to the directive name; most add ", HELP").
GENERIC = [
    ("takes no arguments", "NoArgs"),
    ("takes one argument", "Take1"),
    ("takes two arguments", "Take2"),
    ("takes 1-2 arguments", "Take12"),
    ("takes three arguments", "Take3"),
    ("takes two or three arguments", "Take23"),
    ("takes one, two or three arguments", "Take123"),
    ("takes one or three arguments", "Take13"),
    ("requires at least one argument", "Iterate"),
    ("requires at least two arguments", "Iterate2"),
    ("must be On or Off", "Flag"),
]
SHAPE_OF_PHRASE = dict(GENERIC)

# Argument lists tried for every directive.  "On" is used as the filler word so that FLAG
# directives accept a single argument; "dummyword" checks the FLAG value test.
PROBES = {
    "a0": [],
    "a1": ["On"],
    "a2": ["On", "On"],
    "a3": ["On", "On", "On"],
    "a4": ["On", "On", "On", "On"],
    "x1": ["dummyword"],
    "a70": ["w%d" % i for i in range(70)],
}

# Which shapes make the dispatcher reject N words (FLAG: also a first word other than On/Off).
SHAPE_COUNTS = {
    "NoArgs": {0},
    "Take1": {1},
    "Take2": {2},
    "Take12": {1, 2},
    "Take3": {3},
    "Take23": {2, 3},
    "Take123": {1, 2, 3},
    "Take13": {1, 3},
}


def expected_generic(shape, n, first_word):
    """Would Apache's dispatcher give its generic message for N words starting with FIRST_WORD?"""
    if shape in SHAPE_COUNTS:
        return n not in SHAPE_COUNTS[shape]
    if shape == "Iterate":
        return n < 1
    if shape == "Iterate2":
        return n < 2
    if shape == "Flag":
        return n < 1 or first_word.lower() not in ("on", "off")
    return False  # RawArgs / TakeArgv: the handler decides


def probe_words(name, key):
    """The words Apache's dispatcher sees for probe KEY: a section's arguments end with its '>',
    so `<X>` is one word (">") and `<X a>` is one word ("a>")."""
    words = list(PROBES[key])
    if name.startswith("<"):
        if not words:
            return [">"]
        words[-1] += ">"
    return words


# Generic phrases to which the dispatcher appends ", HELP" when the directive has a help string.
PHRASES_WITH_HELP = {p for p, s in GENERIC if s not in ("NoArgs", "Flag")}

# Directives the brief/spec say are executed while reading (EXEC_ON_READ); the probes verify it.
EXPECTED_EXEC_ON_READ = {
    "Include", "IncludeOptional", "Define", "UnDefine", "LoadModule", "LoadFile", "ServerRoot",
    "DefaultRuntimeDir", "<IfModule", "<IfDefine", "<IfFile", "<IfDirective", "<IfSection",
    "<IfVersion", "<Macro", "Use", "UndefMacro",
}

OVERRIDE_ORDER = ["RSRC_CONF", "ACCESS_CONF", "OR_LIMIT", "OR_OPTIONS", "OR_FILEINFO", "OR_AUTHCFG",
                  "OR_INDEXES", "EXEC_ON_READ"]
CATEGORY_BIT = {"Limit": "OR_LIMIT", "Options": "OR_OPTIONS", "FileInfo": "OR_FILEINFO",
                "AuthConfig": "OR_AUTHCFG", "Indexes": "OR_INDEXES"}
ALL_OR = {"OR_LIMIT", "OR_OPTIONS", "OR_FILEINFO", "OR_AUTHCFG", "OR_INDEXES"}
SERVER_OR = {"OR_OPTIONS", "OR_FILEINFO", "OR_INDEXES"}  # OR_* bits also allowed outside sections


@dataclass
class Module:
    id: str
    source: str
    so: str  # "" for compiled-in modules
    builtin: bool
    depends: list = field(default_factory=list)
    id_verified: bool = False
    source_verified: bool = False


@dataclass
class Directive:
    source: str
    name: str
    help: object  # str or None (no help string at all)
    where: str  # outside / inside / anywhere (from -L)
    htaccess: str  # "" / "isn't None" / "includes A or B"
    no_per_dir: bool = False
    bits: set = field(default_factory=set)
    shape: str = ""
    shape_note: str = ""
    argv_evidence: str = ""  # how TAKE_ARGV vs RAW_ARGS was (or could not be) decided
    context_checked: bool = False
    exec_note: str = ""  # how EXEC_ON_READ was decided when no probe error showed the pass
    exec_on_read: object = None  # True/False/None(undetermined)
    probes: dict = field(default_factory=dict)
    mpms: list = field(default_factory=list)


@dataclass
class Table:
    modules: list
    directives: list
    notes: list
    tsv_diffs: list


# ----------------------------------------------------------------------------- running apache2

_counter = 0
_counter_lock = threading.Lock()


def _scratch_file(text):
    global _counter
    with _counter_lock:
        _counter += 1
        n = _counter
    d = SCRATCH / "probes"
    d.mkdir(parents=True, exist_ok=True)
    p = d / ("p%d-%d.conf" % (os.getpid(), n))
    p.write_text(text)
    return p


def run_apache(args, conf_text=None, timeout=60):
    """Runs apache2 with ARGS (and -f a scratch file holding CONF_TEXT); returns (rc, output, path)."""
    cmd = [APACHE] + list(args)
    path = None
    if conf_text is not None:
        path = _scratch_file(conf_text)
        cmd += ["-f", str(path)]
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"}
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                       cwd=str(SCRATCH), env=env)
    out = r.stdout.decode("utf-8", "replace")
    if path is not None:
        try:
            path.unlink()
        except OSError:
            pass
    return r.returncode, out, path


def base_config(mpm):
    sr = SCRATCH / "sr"
    run = SCRATCH / "run"
    sr.mkdir(parents=True, exist_ok=True)
    run.mkdir(parents=True, exist_ok=True)
    return "\n".join([
        "ServerRoot %s" % sr,
        "DefaultRuntimeDir %s" % run,
        "PidFile %s/pid" % run,
        "ErrorLog %s/error.log" % SCRATCH,
        "Listen 127.0.0.1:28099",
        "ServerName localhost",
        "LoadModule mpm_%s_module %s/mod_mpm_%s.so" % (mpm, MODDIR, mpm),
    ]) + "\n"


# ----------------------------------------------------------------------------- module list

def read_modules_tsv():
    rows = []
    header = None
    for line in (SPEC / "modules.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            continue
        rows.append(dict(zip(header, cols + [""] * (len(header) - len(cols)))))
    return rows


def builtin_sources():
    rc, out, _ = run_apache(["-l"])
    return [l.strip() for l in out.splitlines() if l.startswith("  ") and l.strip().endswith(".c")]


def builtin_id_candidates(source):
    stem = source[:-2]
    if stem == "http_core":
        return ["http_module", "http_core_module"]
    if stem.startswith("mod_"):
        stem = stem[4:]
    return [stem + "_module"]


# Load-order dependencies that the .load files do not declare but the shared objects need
# (found by probing: mod_dav_lock.so alone fails with "undefined symbol: dav_push_error").
EXTRA_DEPENDS = {"dav_lock": ["dav"]}


def load_lines(modules_by_short, mods):
    """LoadModule lines for MODS (short names like 'proxy') and their Depends:, dependencies first."""
    order, seen = [], set()

    def add(short):
        if short in seen:
            return
        seen.add(short)
        m = modules_by_short[short]
        for d in m.depends + EXTRA_DEPENDS.get(short, []):
            add(d)
        order.append(m)

    for s in mods:
        add(s)
    return "".join("LoadModule %s %s/%s\n" % (m.id, MODDIR, m.so) for m in order)


def short_name(so):
    return so[len("mod_"):-len(".so")]


# ----------------------------------------------------------------------------- -L parsing

_L_HEAD = re.compile(r"^(\S+) \(([^)]+)\)$")


def parse_L(text):
    entries = []
    cur = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = _L_HEAD.match(line)
        if cur is not None and cur["allowed"] is None and cur["help"] is not None and not line.startswith("\t"):
            # A help string with embedded newlines: -L prints it raw, so the continuation lines
            # start at column 0 (e.g. AuthLDAPURL).
            cur["help"] += "\n" + line
            continue
        if m and not line.startswith("\t"):
            cur = {"name": m.group(1), "source": m.group(2), "help": None, "allowed": None, "when": ""}
            entries.append(cur)
            continue
        if cur is None or not line.startswith("\t"):
            continue
        body = line[1:]
        if body.startswith("Allowed in *.conf "):
            cur["allowed"] = body
        elif body.startswith("when AllowOverride "):
            cur["when"] = body[len("when AllowOverride "):]
        elif cur["allowed"] is None and cur["help"] is None:
            cur["help"] = body
        else:
            raise RuntimeError("unexpected -L line for %s: %r" % (cur["name"], line))
    return entries


def override_bits(allowed, when):
    """Reconstructs req_override from -L's wording (minimal set of bits with that wording)."""
    rest = allowed[len("Allowed in *.conf "):]
    no_per_dir = "[no per-dir config]" in rest
    cats = set()
    if when == "isn't None":
        cats = set(ALL_OR)
    elif when:
        assert when.startswith("includes "), when
        for c in when[len("includes "):].split(" or "):
            cats.add(CATEGORY_BIT[c])
    if rest.startswith("anywhere"):
        where = "anywhere"
        bits = set(cats)
        if not (cats & SERVER_OR):
            bits.add("RSRC_CONF")
            if not cats:
                bits.add("ACCESS_CONF")
    elif rest.startswith("only outside"):
        where = "outside"
        bits = {"RSRC_CONF"} | cats
    elif rest.startswith("only inside"):
        where = "inside"
        bits = set(cats) if cats else {"ACCESS_CONF"}
    else:
        raise RuntimeError("unknown -L context wording: %r" % allowed)
    return where, bits, no_per_dir


def override_expr(bits):
    b = set(bits)
    parts = []
    for name in OVERRIDE_ORDER:
        if name == "OR_LIMIT" and ALL_OR <= b:
            parts.append("OR_ALL")
            b -= ALL_OR
            continue
        if name in b:
            parts.append(name)
            b.discard(name)
    assert not b, b
    return " | ".join(parts) if parts else "OR_NONE"


# ----------------------------------------------------------------------------- probing

def directive_lines(name, words):
    a = " ".join(words)
    if name.startswith("<"):
        opener = name + (" " + a if a else "") + ">"
        return [opener, "</%s>" % name[1:]]
    return [name + (" " + a if a else "")]


def probe_config(base, loads, name, words, inside):
    lines = directive_lines(name, words)
    if inside:
        lines = ["<Directory %s/sr>" % SCRATCH] + lines + ["</Directory>"]
    head = base + loads
    first_line = head.count("\n") + 1 + (1 if inside else 0)
    return head + "\n".join(lines) + "\n", first_line


_GENERIC_RE = None


def classify_output(name, out, first_line):
    """Returns dict(kind=phrase|None, help=str|None, build_pass=bool|None, error=str|None)."""
    global _GENERIC_RE
    lines = out.splitlines()
    err = None
    build_pass = None
    line_no = None
    for i, l in enumerate(lines):
        m = re.match(r"^apache2: Syntax error on line (\d+) of [^:]+: (.*)$", l)
        if m:
            err = m.group(2)
            build_pass = True
            line_no = int(m.group(1))
            break
        m = re.match(r"^AH00526: Syntax error on line (\d+) of [^:]+:$", l)
        if m:
            err = lines[i + 1] if i + 1 < len(lines) else ""
            build_pass = False
            line_no = int(m.group(1))
            break
    if err is not None and line_no < first_line:
        # Not the probed directive (e.g. a LoadModule failing): keep it visible as a probe failure.
        res = {"kind": None, "help": None, "build_pass": None, "error": None, "setup_error": err,
               "rc_output": out}
        return res
    res = {"kind": None, "help": None, "build_pass": build_pass, "error": err, "rc_output": out}
    if err is None:
        return res
    prefix = name + " "
    if err.startswith(prefix):
        tail = err[len(prefix):]
        for phrase, _shape in GENERIC:
            if tail == phrase:
                res["kind"] = phrase
                break
            if tail.startswith(phrase + ", "):
                res["kind"] = phrase
                # Apache's log escapes control characters: a newline in a help string is printed
                # as backslash-n (AuthLDAPURL); undo that to compare with -L's raw help.
                res["help"] = tail[len(phrase) + 2:].replace("\\n", "\n")
                break
    return res


def classify_shape(d):
    """Picks the ArgShape from the generic messages seen across the probes, then checks that the
    shape predicts every probe (which probes must and must not give the generic message)."""
    seen = {v["kind"] for v in d.probes.values() if v["kind"]}
    notes = []
    # A "generic" message without the help string that -L shows was written by the handler itself
    # (e.g. a TAKE_ARGV handler counting its own arguments): the dispatcher must not produce it.
    if d.help:
        handler_made = {v["kind"] for v in d.probes.values()
                        if v["kind"] in PHRASES_WITH_HELP and v["help"] is None}
        if handler_made:
            notes.append("message %s comes without the -L help, so the handler emits it; shape left to the handler"
                         % sorted("'%s %s'" % (d.name, k) for k in handler_made))
            seen -= handler_made
    if not seen:
        shape = "RawArgs"
    else:
        shapes = {SHAPE_OF_PHRASE[s] for s in seen}
        if len(shapes) != 1:
            return "RawArgs", "mixed generic messages %s" % sorted(seen)
        shape = shapes.pop()
    bad = []
    for key, r in d.probes.items():
        words = probe_words(d.name, key)
        want = expected_generic(shape, len(words), words[0] if words else "")
        got = r["kind"] is not None and SHAPE_OF_PHRASE.get(r["kind"]) == shape and not (
            d.help and r["kind"] in PHRASES_WITH_HELP and r["help"] is None)
        if want != got:
            bad.append("%s(%d words): expected %s" % (key, len(words), "generic" if want else "no generic"))
    if bad:
        notes.append("%s does not predict: %s" % (shape, ", ".join(bad)))
    return shape, "; ".join(notes)


def probe_setup(d, modules):
    """(base config, LoadModule lines, inside-a-<Directory>?) for probing directive D: its own MPM for
    MPM directives, else the default MPM; only its module and that module's dependencies loaded (so
    a name defined twice, like ScriptLog in mod_cgi and mod_cgid, reaches the right module)."""
    mpm = DEFAULT_MPM
    for k, v in MPM_SOURCES.items():
        if d.source == v:
            mpm = k
    by_source = {m.source: m for m in modules}
    by_short = {short_name(m.so): m for m in modules if m.so}
    mod = by_source.get(d.source)
    loads = ""
    if mod is not None and not mod.builtin and mod.so and not mod.so.startswith("mod_mpm_"):
        loads = load_lines(by_short, [short_name(mod.so)])
    inside = "RSRC_CONF" not in d.bits and not (d.bits & SERVER_OR)
    return base_config(mpm), loads, inside


def probe_once(d, modules, words):
    base, loads, inside = probe_setup(d, modules)
    text, first = probe_config(base, loads, d.name, words, inside)
    rc, out, _ = run_apache(["-t"], text)
    r = classify_output(d.name, out, first)
    r["rc"] = rc
    return r


# Words tried to find one a RAW-looking directive accepts twice, and one it rejects after it.
GOOD_WORDS = ["On", "a", "1", "GET", "*", "all", "none", "/tmp", "text/html", "http://127.0.0.1/",
              "127.0.0.1", "example.org", "FancyIndexing", "key=value", "h2", "http-01"]
BAD_WORDS = ["%%tablegen%%", "-1", "!", "bogus://x", "=", '""']
MAX_ARGC = 64  # words a TAKE_ARGV dispatcher passes on; the rest of the line is dropped


def refine_take_argv(directives, modules, jobs, log):
    """Tells TAKE_ARGV from RAW_ARGS where the handler validates its words: Apache's TAKE_ARGV
    dispatcher splits at most 64 words and silently drops the rest, so a bad word in 64th place
    is rejected but the same word in 65th place is not. RAW handlers see the whole line."""
    cands = [d for d in directives if d.shape == "RawArgs" and not d.name.startswith("<")]

    def work(d):
        good = None
        for g in GOOD_WORDS:
            if probe_once(d, modules, [g, g])["error"] is None:
                good = g
                break
        if good is None:
            return d, None, "no word accepted twice"
        bad = None
        for b in BAD_WORDS:
            if probe_once(d, modules, [good, b])["error"] is not None:
                bad = b
                break
        if bad is None:
            return d, None, "no word rejected after %r" % good
        at64 = probe_once(d, modules, [good] * (MAX_ARGC - 1) + [bad])
        at65 = probe_once(d, modules, [good] * MAX_ARGC + [bad])
        if at64["error"] is not None and at65["error"] is None:
            return d, "TakeArgv", "%r rejected as word 64, ignored as word 65" % bad
        if at64["error"] is not None and at65["error"] is not None:
            return d, "RawArgs", "%r rejected as word 64 and 65" % bad
        return d, None, "word-64 probe not rejected"

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for d, shape, why in ex.map(work, cands):
            d.argv_evidence = why
            if shape:
                d.shape = shape


SERVER_OVERRIDE = {"RSRC_CONF"} | SERVER_OR  # what Apache grants at top level / in <VirtualHost>
DIRECTORY_OVERRIDE = {"ACCESS_CONF"} | ALL_OR  # ... and inside <Directory> and friends


def verify_contexts(directives, modules, jobs, notes):
    """Checks the reconstructed bits against Apache's own context test: each directive at top level
    and inside <Directory>; Apache's `NAME not allowed here` / `NAME not allowed in <X> context`
    must appear exactly where the bits say so."""
    tasks = []
    for d in directives:
        base, loads, _ = probe_setup(d, modules)
        for inside in (False, True):
            text, first = probe_config(base, loads, d.name, PROBES["a1"], inside)
            tasks.append((d, inside, text))

    def work(t):
        d, inside, text = t
        rc, out, _ = run_apache(["-t"], text)
        denied = re.search(r"^%s not allowed (here|in <[^>]*> context)$" % re.escape(d.name), out, re.M)
        return d, inside, denied is not None

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        results = list(ex.map(work, tasks))
    for d, inside, denied in results:
        if inside and d.exec_on_read is None:
            # No probe error told the read pass from the walk pass; the nested context test can:
            # an EXEC_ON_READ directive inside <Directory> gets the top-level grant.
            plain = not ((d.bits - {"EXEC_ON_READ"}) & DIRECTORY_OVERRIDE)
            on_read = not ((d.bits - {"EXEC_ON_READ"}) & SERVER_OVERRIDE)
            if plain != on_read:
                d.exec_on_read = denied == on_read
                d.bits.discard("EXEC_ON_READ")
                if d.exec_on_read:
                    d.bits.add("EXEC_ON_READ")
                d.exec_note = "EXEC_ON_READ %s: decided by the context test inside <Directory>" % (
                    "yes" if d.exec_on_read else "no")
    for d, inside, denied in results:
        grant = DIRECTORY_OVERRIDE if inside else SERVER_OVERRIDE
        if "EXEC_ON_READ" in d.bits:
            # Run while reading, before sections exist: checked against the top-level grant
            # wherever they are nested (LoadModule inside <Directory> loads the module).
            grant = SERVER_OVERRIDE
        predicted = not (d.bits & grant)
        d.context_checked = True
        if denied != predicted:
            notes.append("%s (%s): %s is %s by Apache but the bits %s predict otherwise"
                         % (d.name, d.source, "<Directory>" if inside else "top level",
                            "refused" if denied else "accepted", override_expr(d.bits)))
    for d in directives:
        if d.exec_note:
            notes.append("%s (%s): %s" % (d.name, d.source, d.exec_note))


def run_probes(directives, modules, jobs, log):
    tasks = []
    for d in directives:
        base, loads, inside = probe_setup(d, modules)
        for key, words in PROBES.items():
            text, first = probe_config(base, loads, d.name, words, inside)
            tasks.append((d, key, text, first))

    def work(t):
        d, key, text, first = t
        rc, out, _ = run_apache(["-t"], text)
        r = classify_output(d.name, out, first)
        r["rc"] = rc
        return d, key, r

    log("running %d probes with %d jobs" % (len(tasks), jobs))
    done = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for d, key, r in ex.map(work, tasks):
            d.probes[key] = r
            done += 1
            if done % 500 == 0:
                log("  %d/%d" % (done, len(tasks)))


def verify_module_names(modules, jobs, log):
    """<IfModule id> and <IfModule source> must both see the module once it is loaded."""
    by_short = {short_name(m.so): m for m in modules if m.so}
    tasks = []
    for m in modules:
        mpm = DEFAULT_MPM
        loads = ""
        if m.so.startswith("mod_mpm_"):
            mpm = m.so[len("mod_mpm_"):-3]
        elif m.so:
            loads = load_lines(by_short, [short_name(m.so)])
        for what in ("id", "source"):
            name = getattr(m, what)
            text = base_config(mpm) + loads + "<IfModule %s>\nTablegenNoSuchDirective\n</IfModule>\n" % name
            tasks.append((m, what, text))
    # Negative control: an unknown identifier must not match.
    control = base_config(DEFAULT_MPM) + "<IfModule tablegen_nothing_module>\nTablegenNoSuchDirective\n</IfModule>\n"

    def work(t):
        m, what, text = t
        rc, out, _ = run_apache(["-t"], text)
        return m, what, "TablegenNoSuchDirective" in out

    rc, out, _ = run_apache(["-t"], control)
    if "TablegenNoSuchDirective" in out:
        raise RuntimeError("negative <IfModule> control matched; probe technique broken")
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for m, what, ok in ex.map(work, tasks):
            setattr(m, what + "_verified", ok)


def find_builtin_ids(modules, log):
    for m in modules:
        if not m.builtin:
            continue
        for cand in builtin_id_candidates(m.source):
            text = base_config(DEFAULT_MPM) + "<IfModule %s>\nTablegenNoSuchDirective\n</IfModule>\n" % cand
            rc, out, _ = run_apache(["-t"], text)
            if "TablegenNoSuchDirective" in out:
                m.id = cand
                break
        else:
            raise RuntimeError("no identifier found for compiled-in %s" % m.source)


# ----------------------------------------------------------------------------- table building

def collect_modules():
    rows = read_modules_tsv()
    mods = []
    for src in builtin_sources():
        mods.append(Module(id="", source=src, so="", builtin=True))
    present = {p.name for p in MODDIR.glob("*.so")}
    for r in rows:
        if r["so"] not in present:
            continue
        mods.append(Module(id=r["module_id"], source=r["source"], so=r["so"], builtin=False,
                           depends=r["depends"].split()))
    return mods


def collect_directives(modules, log):
    by_short = {short_name(m.so): m for m in modules if m.so}
    non_mpm = [short_name(m.so) for m in modules if m.so and not m.so.startswith("mod_mpm_")]
    loads = load_lines(by_short, non_mpm)
    per_mpm = {}
    for mpm in MPMS:
        rc, out, _ = run_apache(["-L"], base_config(mpm) + loads)
        if rc != 0:
            raise RuntimeError("apache2 -L failed for %s:\n%s" % (mpm, out))
        per_mpm[mpm] = parse_L(out)
        log("%s: %d directives in -L" % (mpm, len(per_mpm[mpm])))
    # Union: shared modules' directives must be identical in every MPM; MPM ones kept per MPM.
    table = {}
    order = []
    for mpm in MPMS:
        for e in per_mpm[mpm]:
            key = (e["source"], e["name"])
            if key in table:
                prev = table[key]
                if (prev.help, prev._allowed, prev.htaccess) != (e["help"], e["allowed"], e["when"]):
                    raise RuntimeError("%s differs between MPMs" % (key,))
                prev.mpms.append(mpm)
                continue
            where, bits, npd = override_bits(e["allowed"], e["when"])
            d = Directive(source=e["source"], name=e["name"], help=e["help"], where=where,
                          htaccess=e["when"], no_per_dir=npd, bits=bits, mpms=[mpm])
            d._allowed = e["allowed"]
            table[key] = d
            order.append(key)
    # Output order: module order of modules.inc, then -L order inside a module.
    rank = {m.source: i for i, m in enumerate(modules)}
    missing = {d.source for d in table.values()} - set(rank)
    if missing:
        raise RuntimeError("-L names modules missing from the module list: %s" % sorted(missing))
    pos = {k: i for i, k in enumerate(order)}
    return sorted(table.values(), key=lambda d: (rank[d.source], pos[(d.source, d.name)]))


def finish_directives(directives, notes):
    for d in directives:
        d.shape, d.shape_note = classify_shape(d)
        if d.shape_note:
            notes.append("%s (%s): %s" % (d.name, d.source, d.shape_note))
        bp = {v["build_pass"] for v in d.probes.values() if v["error"] is not None}
        d.exec_on_read = None if not bp else (True in bp)
        expected = d.name in EXPECTED_EXEC_ON_READ
        if d.exec_on_read is None:
            if expected:
                d.bits.add("EXEC_ON_READ")
            d.exec_note = ("no probe produced an error; EXEC_ON_READ %s taken from the expected list"
                           % ("yes" if expected else "no"))
        elif d.exec_on_read:
            d.bits.add("EXEC_ON_READ")
            if not expected:
                notes.append("%s (%s): errors come from the read pass (EXEC_ON_READ), not in the expected list"
                             % (d.name, d.source))
        elif expected:
            notes.append("%s (%s): expected EXEC_ON_READ but its errors come from the walk pass"
                         % (d.name, d.source))
        # The help string printed in the generic message must equal -L's.
        for k, v in d.probes.items():
            if v["kind"] in PHRASES_WITH_HELP and v["help"] is not None and v["help"] != d.help:
                notes.append("%s (%s): help in message %r differs from -L %r" % (d.name, d.source, v["help"], d.help))
                break
        for k, v in d.probes.items():
            if v.get("setup_error"):
                notes.append("%s (%s): probe %s failed before reaching the directive: %s"
                             % (d.name, d.source, k, v["setup_error"]))
                break


def _ht_words(htaccess):
    if not htaccess:
        return ""
    if htaccess == "isn't None":
        return "any"
    return htaccess[len("includes "):].replace(" or ", "|")


def cross_check_tsv(directives):
    """Compares with /work/shared/spec/directives.tsv, which has one row per directive name (the
    first -L source, MPM list in its own column)."""
    diffs = []
    rows = {}
    junk = []
    header = None
    for n, line in enumerate((SPEC / "directives.tsv").read_text().splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            continue
        r = dict(zip(header, cols + [""] * (len(header) - len(cols))))
        if len(cols) < 5 or r["conf_context"] not in ("outside", "inside", "anywhere"):
            junk.append(n)
            continue
        if r["name"] in rows:
            diffs.append("directives.tsv lists %s twice" % r["name"])
        rows[r["name"]] = r
    if junk:
        diffs.append("directives.tsv lines %s are not table rows (wrapped manual text of SSLProxy* entries); ignored"
                     % ", ".join(map(str, junk)))
    ours = {}
    for d in directives:
        ours.setdefault(d.name, []).append(d)
    for name in sorted(set(rows) - set(ours)):
        diffs.append("in directives.tsv but not in apache2 -L: %s (%s)" % (name, rows[name]["source"]))
    for name in sorted(set(ours) - set(rows)):
        diffs.append("in apache2 -L but not in directives.tsv: %s (%s)"
                     % (name, ", ".join(d.source for d in ours[name])))
    mpm_family = set(MPM_SOURCES.values())
    for name in sorted(set(ours) & set(rows)):
        r, ds = rows[name], ours[name]
        sources = [d.source for d in ds]
        if r["source"] not in sources:
            diffs.append("%s: tsv source %s, apache2 -L %s" % (name, r["source"], ", ".join(sources)))
        extra = [s for s in sources if s != r["source"] and not (s in mpm_family and r["source"] in mpm_family)]
        if extra:
            diffs.append("%s: also defined by %s (tsv lists only %s; balancerd's table keeps every module's entry)"
                         % (name, ", ".join(extra), r["source"]))
        mpms = sorted({m for d in ds if d.source in mpm_family or len(ds) == 1 for m in d.mpms}) or sorted(
            {m for d in ds for m in d.mpms})
        tsv_mpms = sorted(MPMS) if r["mpm"] == "all" else sorted(r["mpm"].split(","))
        if mpms != tsv_mpms:
            diffs.append("%s: tsv MPMs %s, apache2 -L %s" % (name, r["mpm"], ",".join(mpms)))
        for d in ds:
            if d.source != r["source"] and d.source not in mpm_family:
                continue
            if r["conf_context"] != d.where:
                diffs.append("%s (%s): tsv context %r, apache2 -L %r" % (name, d.source, r["conf_context"], d.where))
            if r.get("htaccess", "") != _ht_words(d.htaccess):
                diffs.append("%s (%s): tsv .htaccess %r, apache2 -L %r"
                             % (name, d.source, r.get("htaccess", ""), _ht_words(d.htaccess)))
    n_mpm_dups = sum(1 for name, ds in ours.items() if len(ds) > 1 and {d.source for d in ds} <= mpm_family)
    diffs.append("note: %d directives are registered by each MPM module separately (source event.c, prefork.c or "
                 "worker.c, e.g. Listen); the tsv names only the first (event.c) and lists the MPMs in its mpm column"
                 % n_mpm_dups)
    return diffs


def build_table(jobs=2, log=print):
    SCRATCH.mkdir(parents=True, exist_ok=True)
    notes = []
    modules = collect_modules()
    find_builtin_ids(modules, log)
    verify_module_names(modules, jobs, log)
    for m in modules:
        if not m.id_verified:
            notes.append("module %s: <IfModule %s> did not match after loading it" % (m.source, m.id))
        if not m.source_verified:
            notes.append("module %s: <IfModule %s> did not match after loading it" % (m.id, m.source))
    directives = collect_directives(modules, log)
    run_probes(directives, modules, jobs, log)
    finish_directives(directives, notes)
    log("checking contexts")
    verify_contexts(directives, modules, jobs, notes)
    log("telling TAKE_ARGV from RAW_ARGS")
    refine_take_argv(directives, modules, jobs, log)
    diffs = cross_check_tsv(directives)
    return Table(modules=modules, directives=directives, notes=notes, tsv_diffs=diffs)


# ----------------------------------------------------------------------------- rendering

def c_string(s):
    if s is None:
        return '""'
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append("\\%03o" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


GENERATED_BANNER = ("// GENERATED by tools/gen-directive-table/generate.py from probing apache2 (Apache/2.4.71 Debian).\n"
                    "// Do not edit: re-run `python3 tools/gen-directive-table/generate.py --out directives/generated`.\n")


def render_modules(t):
    lines = [GENERATED_BANNER,
             "// BD_MODULE(id, source, so, builtin): compiled-in modules in `apache2 -l` order, then the shared\n"
             "// objects of modules.tsv in its order (all three MPMs included).\n"]
    for m in t.modules:
        lines.append("BD_MODULE(%s, %s, %s, %s)\n" % (c_string(m.id), c_string(m.source), c_string(m.so),
                                                     "true" if m.builtin else "false"))
    return "".join(lines)


def render_directives(t):
    lines = [GENERATED_BANNER,
             "// BD_DIRECTIVE(module source, name, req_override, ArgShape, help): every directive of `apache2 -L`\n"
             "// (run once per MPM), in module order, then -L order within a module.\n"]
    for d in t.directives:
        lines.append("BD_DIRECTIVE(%s, %s, %s, %s, %s)\n" % (c_string(d.source), c_string(d.name),
                                                            override_expr(d.bits), d.shape, c_string(d.help)))
    return "".join(lines)


def render_readme(t):
    from collections import Counter
    shapes = Counter(d.shape for d in t.directives)
    eor = sorted(d.name for d in t.directives if "EXEC_ON_READ" in d.bits)
    s = []
    s.append("# directives/generated — balancerd's directive table (GENERATED)\n\n")
    s.append("Produced by `python3 tools/gen-directive-table/generate.py --out directives/generated` by probing\n"
             "the installed Apache/2.4.71 (Debian) as a black box (configtest and `-l`/`-L` only). Do not edit by\n"
             "hand. See tools/gen-directive-table/README.md for the method.\n\n")
    s.append("* `modules.inc`: %d modules (`BD_MODULE(id, source, so, builtin)`).\n" % len(t.modules))
    s.append("* `directives.inc`: %d directives (`BD_DIRECTIVE(source, name, req_override, shape, help)`).\n" % len(t.directives))
    s.append("  Shapes: %s.\n" % ", ".join("%s %d" % kv for kv in sorted(shapes.items())))
    s.append("* EXEC_ON_READ (errors reported by the read pass in one-line format): %s.\n\n" % ", ".join(eor))
    s.append("## How the fields were derived\n\n")
    s.append("* names, module source, help: `apache2 -L` with every module loaded, once per MPM. A directive with\n"
             "  no help line in `-L` gets `\"\"` (Apache then appends nothing to count errors).\n"
             "* req_override: reconstructed from `-L`'s two wording lines. Several bit sets print the same words\n"
             "  and behave identically (server config grants OR_OPTIONS|OR_FILEINFO|OR_INDEXES, sections grant\n"
             "  all OR_* bits), so the minimal set is emitted: `anywhere` + only AuthConfig/Limit categories ->\n"
             "  `RSRC_CONF | OR_AUTHCFG`; `anywhere` + FileInfo -> `OR_FILEINFO`; `anywhere` alone ->\n"
             "  `RSRC_CONF | ACCESS_CONF`; `only inside` alone -> `ACCESS_CONF`; `isn't None` -> `OR_ALL`.\n"
             "  EXEC_ON_READ is added when the directive's errors come from the read pass (one-line\n"
             "  `apache2: Syntax error on line N of F: ...`).\n"
             "* shape: each directive is run with 0..4 arguments, one non-On/Off word and 70 words, in a context\n"
             "  where it is allowed; Apache's generic count message identifies the shape, which must then\n"
             "  predict all seven probes. Directives that never give a generic message are `RawArgs`, or\n"
             "  `TakeArgv` where a bad word is rejected as the 64th word but ignored as the 65th (see below).\n"
             "* req_override is verified for every directive against Apache's own context test (top level and\n"
             "  inside `<Directory>`): no mismatch unless listed under Probe notes.\n\n")
    s.append("## Observed dispatcher facts the registry relies on\n\n")
    s.append("* Count errors are `NAME PHRASE, HELP` (`, HELP` only when the directive has a help string), except\n"
             "  `NAME must be On or Off` (FLAG), which never carries the help. FLAG accepts on/off in any case and\n"
             "  ignores words after the first (`KeepAlive On On` is accepted).\n"
             "* A section's arguments end with its `>`: `<IfVersion>` is one word (`>`), `<IfVersion a b c>` three\n"
             "  words; so a TAKE1 section never gets the 0-argument count error (its handler reports instead).\n"
             "* `takes no arguments` never appears: every directive that looks NO_ARGS (e.g. SSLRequireSSL,\n"
             "  MacroIgnoreEmptyArgs, AuthnCacheEnable) accepts extra words silently in this build, so they are\n"
             "  listed as `RawArgs` (the handler ignores its argument string).\n"
             "* An empty quoted word `\"\"` ends the counted words: `ServerAdmin \"\" x` -> `takes one argument`,\n"
             "  `LogLevel \"\" warn` -> `requires at least one argument`, `LogFormat a \"\"` is accepted as one word.\n"
             "* A help string containing newlines (AuthLDAPURL) is stored with real `\\n`; in the error message Apache\n"
             "  prints each newline as the two characters backslash-n (error-log escaping).\n"
             "* EXEC_ON_READ directives run while the file is read, before any section exists: their context\n"
             "  test always uses the top-level grant, so `LoadModule`, `ServerRoot` or `Define` inside\n"
             "  `<Directory>`/`<Location>` pass it (and LoadModule there really loads the module).\n"
             "* Context grants (verified for every directive at top level and inside `<Directory>`): top level\n"
             "  and `<VirtualHost>` grant RSRC_CONF|OR_OPTIONS|OR_FILEINFO|OR_INDEXES, directory-type sections\n"
             "  grant ACCESS_CONF|OR_ALL; refusal text `NAME not allowed here` at top level, inside any\n"
             "  section `NAME not allowed in <SECTION> context` naming the enclosing section as written\n"
             "  (`<Directory>`, `<Location>`, `<VirtualHost>`...).\n"
             "* Several names are registered by more than one module (ScriptLog* by mod_cgi and mod_cgid,\n"
             "  HeartbeatStorage by mod_heartmonitor and mod_lbmethod_heartbeat, MPM directives by each MPM); the\n"
             "  table keeps one entry per module.\n\n")
    raws = [d for d in t.directives if d.shape in ("RawArgs", "TakeArgv")]
    s.append("## RawArgs / TakeArgv evidence\n\n")
    s.append("Neither shape has a dispatcher count error. TAKE_ARGV was recognised where the handler rejects a\n"
             "word in 64th place but not in 65th (the dispatcher drops words after 64); otherwise `RawArgs`.\n\n")
    for d in raws:
        ev = d.argv_evidence or ("section, not tried (its last word carries the '>')" if d.name.startswith("<")
                                 else "not tried")
        s.append("* %s (%s): %s — %s\n" % (d.name, d.source, d.shape, ev))
    s.append("\n## Probe notes (anomalies)\n\n")
    if t.notes:
        for n in t.notes:
            s.append("* %s\n" % n)
    else:
        s.append("None.\n")
    s.append("\n## Differences from /work/shared/spec/directives.tsv (Apache wins)\n\n")
    if t.tsv_diffs:
        for n in t.tsv_diffs:
            s.append("* %s\n" % n)
    else:
        s.append("None.\n")
    return "".join(s)


def dump_probes(t, path):
    data = []
    for d in t.directives:
        data.append({"source": d.source, "name": d.name, "shape": d.shape, "bits": sorted(d.bits),
                     "probes": {k: {kk: vv for kk, vv in v.items() if kk != "rc_output"} | {"out": v["rc_output"]}
                                for k, v in d.probes.items()}})
    Path(path).write_text(json.dumps(data, indent=1))
