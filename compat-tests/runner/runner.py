#!/usr/bin/env python3
"""Differential runner: the same config and requests against real Apache (A, the reference) and balancerd (B).

  runner.py --balancerd BIN SUITE_DIR_OR_SCENARIO...      compare balancerd with Apache
  runner.py --apache-only SUITE_DIR_OR_SCENARIO...        Apache vs Apache: validates the scenarios themselves
  runner.py --balancerd BIN --config FILE --requests FILE your own config (a template with @PORT@..., or a
                                                          real config whose Listen ports are used as they are)

Exit status 0 when every scenario passes or differs only as its suite's deviations.txt says; 1 otherwise.
The last line printed is always `N passed, M failed`. See compat-tests/README.md."""

import argparse
import os
import re
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat import scenario as scenario_mod  # noqa: E402
from compat import suite  # noqa: E402

SCENARIO_EXT = ".scn"


def collect(paths):
    """Scenario files from the given files and suite directories; one deviations map for all of them."""
    files, deviations = [], {}
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(SCENARIO_EXT))
            deviations.update(suite.load_deviations(os.path.join(p, "deviations.txt")))
        else:
            files.append(p)
            deviations.update(suite.load_deviations(os.path.join(os.path.dirname(p) or ".", "deviations.txt")))
    return files, deviations


def listen_ports(config_text):
    ports = re.findall(r"(?im)^\s*Listen\s+(?:\S*:)?(\d+)", config_text)
    if not ports:
        raise SystemExit("runner: --config has no @PORT@/@BASE@ placeholder and no Listen directive to aim at")
    return {("PORT" if i == 0 else f"PORT{i + 1}"): int(p) for i, p in enumerate(ports)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="scenario files (*.scn) or suite directories")
    who = ap.add_mutually_exclusive_group(required=True)
    who.add_argument("--balancerd", metavar="BIN", help="the balancerd binary to compare with Apache")
    who.add_argument("--apache-only", action="store_true", help="side B is Apache too (validates scenarios)")
    ap.add_argument("--apache", default="/usr/sbin/apache2", metavar="BIN")
    ap.add_argument("--apache-args", default="-f {conf} -DFOREGROUND",
                    help="argv after the binary; {conf} is the config path, {dir} the side's temp dir")
    ap.add_argument("--balancerd-args", default="-f {conf} -DFOREGROUND")
    ap.add_argument("--mutate-b", action="append", default=[], metavar="REGEX=>REPL",
                    help="rewrite side B's config (to check that a real difference is reported)")
    ap.add_argument("--config", metavar="FILE", help="run your own config instead of the scenarios' configs")
    ap.add_argument("--requests", metavar="FILE", help="with --config: the requests (scenario format, no config)")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="scenarios run at the same time (default 2)")
    ap.add_argument("--filter", "-k", default="", help="only scenarios whose name contains this")
    ap.add_argument("--ignore-deviations", action="store_true", help="report listed deviations as plain FAILs")
    ap.add_argument("--start-timeout", type=float, default=10.0, metavar="S",
                    help="how long a server may take to accept on its port (default 10)")
    ap.add_argument("--keep", action="store_true", help="keep each side's temp dir (config, logs) for debugging")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--show", action="store_true", help="print the reference transcript of every scenario")
    args = ap.parse_args(argv)

    mutate = []
    for m in args.mutate_b:
        pattern, arrow, repl = m.partition("=>")
        if not arrow:
            ap.error("--mutate-b wants REGEX=>REPLACEMENT")
        mutate.append((pattern, repl))
    a = suite.SideSpec("apache", [args.apache] + shlex.split(args.apache_args))
    if args.apache_only:
        b = suite.SideSpec("apache", [args.apache] + shlex.split(args.apache_args), mutate)
    else:
        if not os.access(args.balancerd, os.X_OK):
            print(f"runner: balancerd binary {args.balancerd!r} is not executable")
            print("0 passed, 1 failed")
            return 1
        # Absolute: each side runs with its temp dir as the working directory.
        b = suite.SideSpec("balancerd", [os.path.abspath(args.balancerd)] + shlex.split(args.balancerd_args), mutate)
    opts = {"keep_dirs": args.keep, "verbose": args.verbose, "ignore_deviations": args.ignore_deviations,
            "show": args.show, "start_timeout": args.start_timeout}

    config, fixed_ports = None, None
    try:
        if args.config:
            if not args.requests:
                ap.error("--config needs --requests FILE")
            with open(args.config, encoding="utf-8") as f:
                config = f.read()
            if not re.search(r"@(PORT\d*|BASE)@", config):
                fixed_ports = listen_ports(config)
                opts["config_file"] = os.path.abspath(args.config)
            scenarios, deviations = [scenario_mod.load_requests_only(args.requests)], {}
        else:
            if not args.paths:
                ap.error("give scenario files or suite directories (or --config/--requests)")
            files, deviations = collect(args.paths)
            scenarios = [scenario_mod.Scenario(f) for f in files]
    except scenario_mod.ScenarioError as e:
        print(f"runner: {e}")
        print("0 passed, 1 failed")
        return 1
    scenarios = [s for s in scenarios if args.filter in s.name]
    if args.apache_only:
        deviations = {}  # deviations describe balancerd; Apache vs Apache has none

    t0 = time.monotonic()
    results = suite.run_all(scenarios, a, b, opts, deviations, args.jobs, config, fixed_ports,
                            out=lambda s: print(s, flush=True))
    passed, failed, skipped, devs = suite.summary(results)
    print(f"({len(results)} scenarios in {time.monotonic() - t0:.1f}s; {devs} known deviations, {skipped} skipped; "
          f"B = {b.kind})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())
