#!/usr/bin/env python3
"""Differential test on Debian's stock /etc/apache2 tree: real apache2 versus balancerd.

1. The tree as installed: -t, -S, -M and -t -D DUMP_INCLUDES.
2. For every module in mods-available: a fresh copy of the tree with that module enabled the way
   a2enmod does it (symlinks for its .load and .conf, and recursively for the modules named on its
   "# Depends:" lines; modules named on "# Conflicts:" lines are disabled first, as an operator
   switching MPM would do), then -t.
3. For every conf in conf-available and site in sites-available: the same with that conf/site
   enabled (a2enconf / a2ensite), then -t.

Each program runs in its own copy, through envvars sourced like apache2ctl does (APACHE_CONFDIR
pointing at the copy, -d the copy). The run/lock/log directories and the pid file that envvars
puts under /var are re-pointed into the copy after sourcing, so the test never writes to /var
(apache2ctl would create /var/run/apache2 itself). Output is compared with the same normalisation
as the configtest suite (program name, temp root, log timestamps/pids, Mutex line order).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "configtest"))
import runner  # noqa: E402  (the configtest runner: normalisation, comparison, envvars handling)

MODES = {
    "-t": ["-t"],
    "-S": ["-S"],
    "-M": ["-M"],
    "DUMP_INCLUDES": ["-t", "-D", "DUMP_INCLUDES"],
}


def make_template(source: Path) -> Path:
    """One full copy of the stock tree, made once per run; every check links to it."""
    tmpl = Path(tempfile.mkdtemp(prefix="sttmpl", dir="/tmp" if os.path.isdir("/tmp") else None))
    shutil.copytree(source, tmpl / "apache2", symlinks=True)
    return tmpl / "apache2"


def make_copy(template: Path, dest_root: Path) -> Path:
    """A fresh tree for one check: the *-enabled directories are real copies (they are what the
    check changes), every other top-level entry is a symlink into the template. Apache prints
    paths as they were named, so this reads exactly like a full copy but costs a few syscalls
    instead of ~200 file copies (which dominated the run time)."""
    conf = dest_root / "apache2"
    conf.mkdir()
    for entry in sorted(template.iterdir()):
        if entry.name.endswith("-enabled") and entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, conf / entry.name, symlinks=True)
        else:
            (conf / entry.name).symlink_to(entry)
    for d in ("run", "lock", "log"):
        (dest_root / d).mkdir()
    return conf


def overrides(dest_root: Path) -> dict[str, str]:
    return {
        "APACHE_RUN_DIR": str(dest_root / "run"),
        "APACHE_LOCK_DIR": str(dest_root / "lock"),
        "APACHE_LOG_DIR": str(dest_root / "log"),
        "APACHE_PID_FILE": str(dest_root / "run" / "apache2.pid"),
    }


def header_names(path: Path, key: str) -> list[str]:
    names: list[str] = []
    if path.is_file():
        for line in path.read_text("utf-8", "replace").splitlines():
            m = re.match(rf"#\s*{key}:\s*(.*)", line.strip(), re.I)
            if m:
                names += m.group(1).split()
    return names


def enable(conf: Path, kind: str, name: str, seen: set[str] | None = None) -> None:
    """a2enmod / a2enconf / a2ensite: relative symlinks in *-enabled, dependencies first."""
    if kind == "mods":
        seen = seen if seen is not None else set()
        if name in seen:
            return
        seen.add(name)
        load = conf / "mods-available" / f"{name}.load"
        for other in header_names(load, "Conflicts"):
            for ext in (".load", ".conf"):
                link = conf / "mods-enabled" / f"{other}{ext}"
                if link.is_symlink() or link.exists():
                    link.unlink()
        for dep in header_names(load, "Depends"):
            enable(conf, kind, dep, seen)
        exts = (".load", ".conf")
    else:
        exts = (".conf",)
    for ext in exts:
        src = conf / f"{kind}-available" / f"{name}{ext}"
        link = conf / f"{kind}-enabled" / f"{name}{ext}"
        if src.is_file() and not (link.is_symlink() or link.exists()):
            link.symlink_to(f"../{kind}-available/{name}{ext}")


def run_one(template: Path, apache: str, balancerd: str, label: str, mode: str,
            tweak=None) -> runner.Outcome:
    work = Path(tempfile.mkdtemp(prefix="st", dir="/tmp" if os.path.isdir("/tmp") else None))
    try:
        results, roots = [], []
        for tag, prog in (("a", apache), ("b", balancerd)):
            root = work / tag
            root.mkdir()
            conf = make_copy(template, root)
            if tweak:
                tweak(conf)
            roots.append(str(root))
            argv = [prog, "-d", str(conf), "-f", str(conf / "apache2.conf")] + MODES[mode]
            results.append(runner.run_with_envvars(argv, str(conf / "envvars"), str(conf),
                                                   overrides(root)))
        names = [os.path.basename(apache), os.path.basename(balancerd), "apache2", "httpd"]
        return runner.compare(label, "", results[0], results[1], names, roots)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def jobs_for(source: Path) -> list[tuple[str, str, object]]:
    jobs: list[tuple[str, str, object]] = [(f"stock:{m}", m, None) for m in MODES]

    def empty_envvars(conf: Path) -> None:
        # envvars sets nothing; only the run/lock/log/pid variables this suite exports remain,
        # so APACHE_RUN_USER/GROUP are undefined: AH00111 warnings, then AH00543 bad user name.
        (conf / "envvars").unlink()
        (conf / "envvars").write_text("")

    jobs.append(("stock:empty-envvars:-t", "-t", empty_envvars))
    for kind, ext in (("mods", ".load"), ("conf", ".conf"), ("sites", ".conf")):
        avail = source / f"{kind}-available"
        for p in sorted(avail.glob(f"*{ext}")) if avail.is_dir() else []:
            name = p.name[: -len(ext)]
            jobs.append((f"{kind}:+{name}", "-t",
                         lambda conf, kind=kind, name=name: enable(conf, kind, name)))
    # Combinations an operator of a reverse proxy would enable together; each in all four modes.
    combos = {
        "tls-site": [("mods", "ssl"), ("sites", "default-ssl")],
        "reverse-proxy": [("mods", m) for m in ("proxy_http", "proxy_balancer", "lbmethod_byrequests",
                                                "lbmethod_bybusyness", "proxy_hcheck", "headers",
                                                "ssl", "http2", "proxy_http2", "proxy_wstunnel")]
        + [("sites", "default-ssl")],
    }
    for cname, items in combos.items():
        def tweak(conf, items=items):
            for kind, name in items:
                enable(conf, kind, name)
        for m in MODES:
            jobs.append((f"combo:{cname}:{m}", m, tweak))
    return jobs


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", required=True)
    ap.add_argument("--apache", default=runner.DEFAULT_APACHE)
    ap.add_argument("--tree", default="/etc/apache2", help="the stock tree to copy (default %(default)s)")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--only", action="append", default=[], help="run only checks whose label contains this")
    ap.add_argument("--deviations", default=str(HERE / "known-deviations.txt"))
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    if not os.access(args.balancerd, os.X_OK):
        print(f"balancerd binary not found or not executable: {args.balancerd}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    source = Path(args.tree)
    if not (source / "apache2.conf").is_file():
        print(f"no stock tree at {source} (is the apache2 package installed?)", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    balancerd = os.path.abspath(args.balancerd)
    devs = runner.load_deviations(Path(args.deviations))
    jobs = jobs_for(source)
    if args.only:
        jobs = [j for j in jobs if any(s in j[0] for s in args.only)]
    t0 = time.monotonic()
    outcomes: dict[str, runner.Outcome] = {}
    template = make_template(source)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = [pool.submit(run_one, template, args.apache, balancerd, label, mode, tweak)
                    for label, mode, tweak in jobs]
            for f in concurrent.futures.as_completed(futs):
                o = f.result()
                outcomes[o.name] = o
    finally:
        shutil.rmtree(template.parent, ignore_errors=True)
    passed = failed = deviated = 0
    for label, _, _ in jobs:
        o = outcomes[label]
        key = label
        if o.equal:
            passed += 1
            if key in devs:
                print(f"PASS  {label}  (listed in known-deviations.txt but now matches: remove it)")
            elif args.verbose:
                print(f"PASS  {label}")
        elif key in devs:
            deviated += 1
            print(f"DEVIATION  {label}  ({devs[key]})")
        else:
            failed += 1
            print(f"FAIL  {label}")
            print("\n".join("      " + line for line in o.diff))
    print(f"{len(jobs)} checks: {passed} matched, {deviated} known deviations, {failed} unexpected "
          f"differences (wall time {time.monotonic() - t0:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
