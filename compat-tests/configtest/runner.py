#!/usr/bin/env python3
"""Differential configtest: real apache2 versus balancerd on the same configs.

Each case under cases/ is run once with each program, in its own fresh temporary copy of the case's
config tree, with the same arguments and the same environment. The two results (exit code, stdout,
stderr) are normalised and must be identical. Only three things are normalised, because they
legitimately differ between two runs of the same program:

  * the program name (argv[0]'s base name) where Apache prints it: at the start of a line
    ("apache2: Syntax error ...") and right after a message id ("AH00534: apache2: ...");
  * the temporary root of the case (replaced by @T@);
  * the timestamp and the pid/tid of "[date] [module:level] [pid N:tid N]" log lines;
  * and one thing apache2 itself does not reproduce from run to run: the order of the "Mutex ..."
    lines printed by -S / -D DUMP_RUN_CFG (hash-table order); that block is sorted.

Case formats (see README.md for the details):
  cases/NAME.case   a bundle: header lines ("# what it checks", "# args: ...", "# env: K=V", ...)
                    then "=== path" sections holding the files of the tree;
  cases/NAME/       a directory holding the tree plus a CASE file with the same header lines.

Run it on your own configuration instead of the cases:
  runner.py --balancerd BIN --config /etc/apache2/apache2.conf [--envvars /etc/apache2/envvars]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_APACHE = "/usr/sbin/apache2"
MODULES_DIR = "/usr/lib/apache2/modules"
COMMON_DIR_NAME = "_common"
PROCESS_TIMEOUT = 15  # seconds; apache2 needs < 1 s per case, so a longer run is a hang

# ---------------------------------------------------------------------------------------------
# Case model and loading


@dataclasses.dataclass
class Entry:
    """One item of a case tree: a file (content), a directory or a symlink. (No fifos: apache2
    blocks opening one named by Include, so such a case could only time out.)"""

    path: str
    kind: str  # "file" | "dir" | "symlink"
    data: bytes = b""
    target: str = ""


@dataclasses.dataclass
class Case:
    name: str
    what: str
    args: list[str]  # arguments after the default "-d @T@ -f @T@/main.conf" (or the whole line, see cmd)
    cmd: list[str] | None  # full argument list, replaces the default one when given
    env: dict[str, str]
    common: bool  # copy cases/_common/* into the tree
    entries: list[Entry]
    source: Path


HEADER_KEYS = ("args", "cmd", "env", "nocommon")


def _parse_header(lines: list[str], source: Path) -> tuple[str, dict]:
    what = ""
    meta: dict = {"args": None, "cmd": None, "env": {}, "common": True}
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            raise ValueError(f"{source}: header line is not a comment: {raw!r}")
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        key = key.strip().lower()
        if sep and key in HEADER_KEYS:
            value = value.strip()
            if key == "args":
                meta["args"] = shlex.split(value)
            elif key == "cmd":
                meta["cmd"] = shlex.split(value)
            elif key == "env":
                for item in shlex.split(value):
                    k, _, v = item.partition("=")
                    meta["env"][k] = v
        elif body.lower() == "nocommon":
            meta["common"] = False
        elif not what:
            what = body
    if not what:
        raise ValueError(f"{source}: missing the one-line description comment")
    return what, meta


SECTION_RE = re.compile(rb"^=== (.+?)[ \t]*\r?\n", re.M)


def load_bundle(path: Path) -> Case:
    data = path.read_bytes()
    sections = list(SECTION_RE.finditer(data))
    if not sections:
        raise ValueError(f"{path}: no '=== file' section")
    header = data[: sections[0].start()].decode("utf-8").splitlines()
    what, meta = _parse_header(header, path)
    entries = []
    for i, m in enumerate(sections):
        end = sections[i + 1].start() if i + 1 < len(sections) else len(data)
        spec = m.group(1).decode("utf-8")
        body = data[m.end() : end]
        if " -> " in spec:
            link, _, target = spec.partition(" -> ")
            entries.append(Entry(link.strip(), "symlink", target=target.strip()))
        elif spec.endswith("/"):
            entries.append(Entry(spec.rstrip("/"), "dir"))
        else:
            entries.append(Entry(spec, "file", data=body))
    return _make_case(path.stem, what, meta, entries, path)


def load_dir_case(path: Path) -> Case:
    header = (path / "CASE").read_text("utf-8").splitlines()
    what, meta = _parse_header(header, path / "CASE")
    entries = []
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path).as_posix()
        if rel == "CASE":
            continue
        if p.is_symlink():
            entries.append(Entry(rel, "symlink", target=os.readlink(p)))
        elif p.is_dir():
            entries.append(Entry(rel, "dir"))
        else:
            entries.append(Entry(rel, "file", data=p.read_bytes()))
    return _make_case(path.name, what, meta, entries, path)


def _make_case(name, what, meta, entries, source) -> Case:
    args = meta["args"] if meta["args"] is not None else ["-t"]
    return Case(name, what, args, meta["cmd"], meta["env"], meta["common"], entries, source)


def load_cases(cases_dir: Path) -> list[Case]:
    cases = []
    for p in sorted(cases_dir.iterdir()):
        if p.name.startswith((".", "_")):
            continue
        if p.is_dir() and (p / "CASE").is_file():
            cases.append(load_dir_case(p))
        elif p.suffix == ".case":
            cases.append(load_bundle(p))
    names = [c.name for c in cases]
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        raise ValueError(f"duplicate case names: {sorted(dups)}")
    return cases


def load_common(cases_dir: Path) -> list[Entry]:
    common = cases_dir / COMMON_DIR_NAME
    if not common.is_dir():
        return []
    return [Entry(p.relative_to(common).as_posix(), "file", data=p.read_bytes())
            for p in sorted(common.rglob("*")) if p.is_file()]


# ---------------------------------------------------------------------------------------------
# Placeholders: what a case writes instead of bytes that are awkward or vary per run

REPEAT_RE = re.compile(rb"@REPEAT:(\d+):([^@]*)@")
FIXED = {
    b"@MODULES@": MODULES_DIR.encode(),
    b"@CR@": b"\r",
    b"@BOM@": b"\xef\xbb\xbf",
    b"@SP@": b" ",
    b"@TAB@": b"\t",
    b"@FF@": b"\f",
    b"@VT@": b"\v",
    b"@AT@": b"@",
}


def expand(data: bytes, root: str) -> bytes:
    data = data.replace(b"@T@", root.encode())
    data = REPEAT_RE.sub(lambda m: m.group(2) * int(m.group(1)), data)
    for k, v in FIXED.items():
        data = data.replace(k, v)
    return data


def expand_str(s: str, root: str) -> str:
    return expand(s.encode(), root).decode("utf-8", "surrogateescape")


def materialise(entries: list[Entry], root: Path) -> None:
    """Writes a case tree below root (which exists). Placeholders are expanded in contents, link
    targets and paths."""
    (root / "run").mkdir(exist_ok=True)
    for e in entries:
        dest = root / expand_str(e.path, str(root))
        dest.parent.mkdir(parents=True, exist_ok=True)
        if e.kind == "dir":
            dest.mkdir(parents=True, exist_ok=True)
        elif e.kind == "symlink":
            os.symlink(expand_str(e.target, str(root)), dest)
        else:
            dest.write_bytes(expand(e.data, str(root)))


# ---------------------------------------------------------------------------------------------
# Running and normalising

LOG_PREFIX_RE = re.compile(
    r"^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4}\] "
    r"(\[[^\]]*\]) \[pid \d+(?::tid \d+)?\] ",
    re.M,
)


@dataclasses.dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    seconds: float


def base_env(extra: dict[str, str]) -> dict[str, str]:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}
    env.update(extra)
    return env


def run_program(argv: list[str], env: dict[str, str], cwd: str) -> Result:
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=PROCESS_TIMEOUT)
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = -999, e.stdout or b"", (e.stderr or b"") + b"\n<<timed out>>\n"
    except OSError as e:
        code, out, err = -998, b"", f"<<could not run {argv[0]}: {e}>>\n".encode()
    dec = lambda b: b.decode("utf-8", "backslashreplace")  # noqa: E731
    return Result(code, dec(out), dec(err), time.monotonic() - t0)


def normalise(text: str, prog_names: list[str], roots: list[str]) -> str:
    for r in sorted(set(roots), key=len, reverse=True):
        if r:
            text = text.replace(r, "@T@")
    names = "|".join(re.escape(n) for n in sorted(set(prog_names), key=len, reverse=True))
    text = re.sub(rf"(?m)^(?:{names}):", "PROG:", text)
    text = re.sub(rf"(AH\d{{5}}: )(?:{names}):", r"\1PROG:", text)
    text = LOG_PREFIX_RE.sub(r"[DATE] \1 [pid N:tid N] ", text)
    return text


def sort_mutex_block(lines: list[str]) -> list[str]:
    """apache2 prints the "Mutex NAME: ..." lines of DUMP_RUN_CFG in hash-table order, which
    differs between two runs of apache2 itself; compare them as a set (sorted in place)."""
    out, block = [], []
    for line in lines + [None]:
        if line is not None and line.startswith("Mutex "):
            block.append(line)
            continue
        out += sorted(block)
        block = []
        if line is not None:
            out.append(line)
    return out


def transcript(r: Result, prog_names: list[str], roots: list[str]) -> list[str]:
    lines = [f"exit code: {r.code}", "--- stdout"]
    lines += sort_mutex_block(normalise(r.stdout, prog_names, roots).splitlines())
    lines += ["--- stderr"]
    lines += normalise(r.stderr, prog_names, roots).splitlines()
    return lines


@dataclasses.dataclass
class Outcome:
    name: str
    what: str
    equal: bool
    diff: list[str]
    apache: list[str]
    seconds: float


def compare(name: str, what: str, ra: Result, rb: Result, prog_names: list[str],
            roots: list[str]) -> Outcome:
    ta = transcript(ra, prog_names, roots)
    tb = transcript(rb, prog_names, roots)
    diff = [] if ta == tb else list(
        difflib.unified_diff(ta, tb, "apache2", "balancerd", lineterm="", n=3))
    return Outcome(name, what, ta == tb, diff, ta, ra.seconds + rb.seconds)


def case_argv(case: Case, prog: str, root: str) -> list[str]:
    if case.cmd is not None:
        args = case.cmd
    else:
        args = ["-d", "@T@", "-f", "@T@/main.conf"] + case.args
    return [prog] + [expand_str(a, root) for a in args]


def run_case(case: Case, common: list[Entry], apache: str, balancerd: str,
             keep: bool = False) -> Outcome:
    # Short temp paths on purpose: apache2 cuts a logged line at 8 KiB *including* its program
    # name, so a deep include-recursion message must stay below that for names of any length.
    work = Path(tempfile.mkdtemp(prefix="ct", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        results, roots = [], []
        for label, prog in (("a", apache), ("b", balancerd)):
            root = work / label
            root.mkdir()
            roots.append(str(root))
            materialise((common if case.common else []) + case.entries, root)
            env = base_env({k: expand_str(v, str(root)) for k, v in case.env.items()})
            results.append(run_program(case_argv(case, prog, str(root)), env, str(root)))
        names = [os.path.basename(apache), os.path.basename(balancerd), "apache2", "httpd"]
        return compare(case.name, case.what, results[0], results[1], names, roots)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Known deviations


def load_deviations(path: Path) -> dict[str, str]:
    devs: dict[str, str] = {}
    if not path.is_file():
        return devs
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"{path}: deviation '{name}' has no reason")
        devs[name] = reason.strip()
    return devs


# ---------------------------------------------------------------------------------------------
# User configuration mode


def run_user_config(args) -> int:
    config = Path(args.config).resolve()
    serverroot = args.serverroot or str(config.parent)
    modes = [m for m in args.modes.split(",") if m]
    mode_args = {"t": ["-t"], "S": ["-S"], "M": ["-M"], "DUMP_INCLUDES": ["-t", "-D", "DUMP_INCLUDES"]}
    unknown = [m for m in modes if m not in mode_args]
    if unknown:
        print(f"unknown mode(s): {unknown}; choose from {sorted(mode_args)}", file=sys.stderr)
        return 2
    extra = args.extra or []
    overrides = None
    if args.run_dir:
        # apache2ctl would create /var/run/apache2 (etc.); this keeps the comparison read-only.
        Path(args.run_dir).mkdir(parents=True, exist_ok=True)
        overrides = {"APACHE_RUN_DIR": args.run_dir, "APACHE_LOCK_DIR": args.run_dir,
                     "APACHE_PID_FILE": os.path.join(args.run_dir, "apache2.pid")}
    failed = passed = 0
    names = [os.path.basename(args.apache), os.path.basename(args.balancerd), "apache2", "httpd"]
    for mode in modes:
        results = []
        for prog in (args.apache, args.balancerd):
            argv = [prog, "-d", serverroot, "-f", str(config)] + extra + mode_args[mode]
            results.append(run_with_envvars(argv, args.envvars, serverroot, overrides))
        o = compare(f"{config.name} {' '.join(mode_args[mode])}", "", results[0], results[1], names, [])
        if o.equal:
            passed += 1
            print(f"PASS  {o.name}")
        else:
            failed += 1
            print(f"FAIL  {o.name}")
            print("\n".join("      " + line for line in o.diff))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def run_with_envvars(argv: list[str], envvars: str | None, confdir: str,
                     overrides: dict[str, str] | None = None) -> Result:
    """Runs argv the way apache2ctl does: envvars sourced by a shell with APACHE_CONFDIR set.
    overrides are exported after envvars (used by the stock-tree suite to keep run dirs in /tmp)."""
    env = base_env({"APACHE_CONFDIR": confdir})
    if not envvars:
        return run_program(argv, env, confdir)
    exports = "".join(f"export {k}={shlex.quote(v)}; " for k, v in (overrides or {}).items())
    script = f'. "$0"; {exports}exec "$@"'
    return run_program(["/bin/sh", "-c", script, envvars] + argv, env, confdir)


# ---------------------------------------------------------------------------------------------
# Reporting


def report_cases(cases: list[Case], outcomes: dict[str, Outcome], devs: dict[str, str],
                 verbose: bool, seconds: float, brief: bool = False) -> int:
    passed = failed = deviated = 0
    stale = []
    for case in cases:
        o = outcomes[case.name]
        if o.equal:
            passed += 1
            if case.name in devs:
                stale.append(case.name)
                print(f"PASS  {case.name}  (listed in known-deviations.txt but now matches: "
                      f"remove it from the list)")
            elif verbose:
                print(f"PASS  {case.name}")
        elif case.name in devs:
            deviated += 1
            print(f"DEVIATION  {case.name}  ({devs[case.name]})")
        else:
            failed += 1
            print(f"FAIL  {case.name}  -- {case.what}  [{case.source.name}]")
            if not brief:
                print("\n".join("      " + line for line in o.diff))
    unknown = sorted(set(devs) - {c.name for c in cases})
    for name in unknown:
        print(f"NOTE  known-deviations.txt names '{name}', which is not a case")
    print(f"{len(cases)} cases: {passed} matched, {deviated} known deviations, "
          f"{len(stale)} listed deviations that now match, {failed} unexpected differences "
          f"(wall time {seconds:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", required=True, help="the program under test")
    ap.add_argument("--apache", default=DEFAULT_APACHE, help="the reference (default %(default)s)")
    ap.add_argument("--cases", default=str(HERE / "cases"), help="cases directory")
    ap.add_argument("--deviations", default=str(HERE / "known-deviations.txt"))
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--only", action="append", default=[],
                    help="run only cases whose name contains this (repeatable)")
    ap.add_argument("--show", action="store_true",
                    help="print the reference program's normalised transcript of every case run")
    ap.add_argument("--brief", action="store_true", help="name failing cases without their diffs")
    ap.add_argument("--keep", action="store_true", help="keep the temporary trees")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--config", help="compare on this configuration instead of the cases")
    ap.add_argument("--envvars", help="with --config: source this file first, like apache2ctl")
    ap.add_argument("--serverroot", help="with --config: -d value (default: the config's directory)")
    ap.add_argument("--run-dir", help="with --envvars: export APACHE_RUN_DIR/LOCK_DIR/PID_FILE "
                    "into this directory after sourcing (created if missing)")
    ap.add_argument("--modes", default="t,S,M,DUMP_INCLUDES", help="with --config: comma list")
    ap.add_argument("--extra", action="append", help="with --config: extra argument (repeatable)")
    args = ap.parse_args(argv)

    if not os.access(args.balancerd, os.X_OK):
        print(f"balancerd binary not found or not executable: {args.balancerd}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    args.balancerd = os.path.abspath(args.balancerd)
    if args.config:
        return run_user_config(args)

    cases_dir = Path(args.cases)
    cases = load_cases(cases_dir)
    if args.only:
        cases = [c for c in cases if any(s in c.name for s in args.only)]
    common = load_common(cases_dir)
    devs = load_deviations(Path(args.deviations))
    t0 = time.monotonic()
    outcomes: dict[str, Outcome] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(run_case, c, common, args.apache, args.balancerd, args.keep): c for c in cases}
        for f in concurrent.futures.as_completed(futs):
            o = f.result()
            outcomes[o.name] = o
    if args.show:
        for c in cases:
            print(f"##### {c.name}: {c.what}")
            print("\n".join(outcomes[c.name].apache))
    sys.stdout.flush()
    return report_cases(cases, outcomes, devs, args.verbose, time.monotonic() - t0, args.brief)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
