#!/usr/bin/env python3
"""Regenerates server/link/configtest_order.ld: the functions `balancerd -t` runs, listed so the
linker places them side by side at the front of the text segment.

Why: a short run's peak RSS is mostly code pages, and the kernel maps file pages 64 KiB at a time
around each first touch ("fault-around"). The ~400 KiB of code a config test runs was spread over
~35 such windows of a 5 MiB text; packed together it needs ~10. On Debian's stock tree that moved
`balancerd -t` from 5.4 to 3.9 MiB, below `apache2 -t` (issue 2). The order is a layout hint only:
a function missing from the list (new, or renamed since) is linked as before, just elsewhere.

How: runs balancerd -t under callgrind (valgrind) on the stock /etc/apache2 tree first (its
functions come first in the list), then on a generated tree with vhosts, balancers and <Location>s
and on the trees in conf-examples/, and writes every executed function's section as a pattern of a
GNU ld script that is INSERTed before .text (so the default script is kept). The build compiles
with -ffunction-sections, so a function's section is ".text.<mangled name>".

usage: server/link/gen_configtest_order.py --balancerd build/server/balancerd [--out FILE]
Needs valgrind. Run it after large changes to the config-reading code and commit the result.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def executed_functions(callgrind_out: Path, binary: str) -> list[str]:
    """Mangled names of the functions callgrind saw run in `binary`, in file order."""
    names: list[str] = []
    seen: set[str] = set()
    obj = None
    base = os.path.basename(binary)
    for line in callgrind_out.read_text(errors="replace").splitlines():
        if line.startswith("ob="):
            obj = line[3:]
        # valgrind names the main binary's code "???" when its text is split into several mappings
        # (the ordered functions' section ahead of .text); every shared library keeps its name
        elif line.startswith("fn=") and obj and (os.path.basename(obj) == base or obj == "???"):
            name = re.sub(r"'\d+$", "", line[3:])  # callgrind's recursion-depth suffix
            if name not in seen and not name.startswith(("0x", "(")):
                seen.add(name)
                names.append(name)
    return names


def run_callgrind(binary: str, args: list[str], shell_prefix: str, workdir: Path, tag: str) -> list[str]:
    out = workdir / f"callgrind.{tag}.out"
    cmd = ["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no",
           f"--callgrind-out-file={out}", binary] + args
    line = shell_prefix + " exec " + " ".join(shlex.quote(a) for a in cmd)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}
    p = subprocess.run(["/bin/sh", "-c", line], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=900)
    if not out.exists():
        sys.exit(f"callgrind failed for {tag}:\n{p.stderr.decode(errors='replace')[-2000:]}")
    return executed_functions(out, binary)


def section_patterns(name: str) -> list[str]:
    """Input-section names that hold `name`'s code. GCC emits complete-object constructors and
    destructors (C1/D1) as aliases in the base-object variant's section (C2/D2), and static
    initialisers and main in .text.startup.*."""
    if name == "main" or name.startswith("_GLOBAL__sub_I_"):
        return [f".text.startup.{name}"]
    alts = {name, re.sub(r"C1E", "C2E", name, count=1), re.sub(r"D1E", "D2E", name, count=1)}
    return [f".text.{a}" for a in sorted(alts)]


def generated_tree(workdir: Path, vhosts: int) -> Path:
    sys.path.insert(0, str(ROOT / "tools" / "bench" / "configtest"))
    import bench  # the configtest benchmark's generator: vhosts, balancers, ProxyPass, <Location>s
    return bench.generate(workdir / "gen", vhosts)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--balancerd", required=True)
    ap.add_argument("--out", default=str(HERE / "configtest_order.ld"))
    ap.add_argument("--tree", default="/etc/apache2")
    ap.add_argument("--vhosts", type=int, default=50)
    args = ap.parse_args(argv)
    binary = os.path.abspath(args.balancerd)

    with tempfile.TemporaryDirectory(prefix="configtest-order-") as tmp:
        work = Path(tmp)
        rundir = work / "run"
        rundir.mkdir()
        tree = args.tree
        # As apache2ctl (and tools/bench/configtest/bench.py): envvars sourced, run dirs kept out of /var.
        stock_prefix = (f"APACHE_CONFDIR={shlex.quote(tree)}; export APACHE_CONFDIR; . {shlex.quote(tree)}/envvars; "
                        f"export APACHE_RUN_DIR={rundir} APACHE_LOCK_DIR={rundir} "
                        f"APACHE_PID_FILE={rundir}/apache2.pid;")
        order: list[str] = []
        seen: set[str] = set()

        def add(names: list[str]) -> int:
            before = len(order)
            for n in names:
                if n not in seen:
                    seen.add(n)
                    order.append(n)
            return len(order) - before

        n = add(run_callgrind(binary, ["-t", "-d", tree, "-f", f"{tree}/apache2.conf"], stock_prefix, work, "stock"))
        print(f"stock tree {tree}: {n} functions", file=sys.stderr)
        conf = generated_tree(work, args.vhosts)
        n = add(run_callgrind(binary, ["-t", "-f", str(conf)], "", work, "generated"))
        print(f"generated tree ({args.vhosts} vhosts): {n} more", file=sys.stderr)
        for example in sorted((ROOT / "conf-examples").glob("*/apache2.conf")):
            d = example.parent
            prefix = (f"APACHE_CONFDIR={shlex.quote(str(d))}; export APACHE_CONFDIR; "
                      f"[ -f {shlex.quote(str(d))}/envvars ] && . {shlex.quote(str(d))}/envvars; "
                      f"export APACHE_RUN_DIR={rundir} APACHE_LOCK_DIR={rundir} "
                      f"APACHE_PID_FILE={rundir}/apache2.pid APACHE_LOG_DIR={rundir};")
            n = add(run_callgrind(binary, ["-t", "-d", str(d), "-f", str(example)], prefix, work,
                                  f"example-{d.name}"))
            print(f"{d.relative_to(ROOT)}: {n} more", file=sys.stderr)

    lines = [
        "/* Generated by server/link/gen_configtest_order.py: the functions `balancerd -t` runs, placed",
        "   together before .text so a config test faults in few 64 KiB windows of code (see the",
        "   script). A layout hint only; regenerate after large changes to the config-reading code. */",
        "SECTIONS",
        "{",
        "  .text.configtest :",
        "  {",
    ]
    for name in order:
        for pattern in section_patterns(name):
            lines.append(f"    *({pattern})")
    # libcrypto.a is not built with per-function sections; its start-up constructor
    # (OPENSSL_cpuid_setup) and the CPU probe it calls live in these objects' .text.
    lines.append("    *libcrypto.a:*cpuid.o(.text .text.*)")
    lines += ["  }", "}", "INSERT BEFORE .text;", ""]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}: {len(order)} functions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
