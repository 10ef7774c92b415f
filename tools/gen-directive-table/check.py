#!/usr/bin/env python3
"""Sanity check: re-probe apache2 and compare with the committed directive table.

Checks every module line of modules.inc (ids/sources/order, compiled-in flags), the name, module,
req_override and help of every directive (from `apache2 -L`, cheap), and the argument shape and
EXEC_ON_READ bit of a random sample of directives (full probe set, the same as generate.py).
Exit status 0 = table matches Apache, 1 = mismatch (listed on stderr), 2 = usage/environment error.

  python3 tools/gen-directive-table/check.py [--dir directives/generated] [--count 40] [--seed N]
"""
import argparse
import ast
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import probe_lib as P  # noqa: E402

_MOD_RE = re.compile(r'^BD_MODULE\(("[^"]*"), ("[^"]*"), ("[^"]*"), (true|false)\)$')
_DIR_RE = re.compile(r'^BD_DIRECTIVE\(("[^"]*"), ("[^"]*"), ([A-Z_| ]+), (\w+), (".*")\)$')


def c_literal(s):
    # The generator only emits \\, \", \n, \t and \ooo escapes, which Python reads the same way.
    return ast.literal_eval(s)


def read_inc(d):
    mods, dirs = [], []
    for line in (d / "modules.inc").read_text().splitlines():
        if line.startswith("//") or not line.strip():
            continue
        m = _MOD_RE.match(line)
        if not m:
            raise ValueError("bad modules.inc line: %r" % line)
        mods.append((c_literal(m.group(1)), c_literal(m.group(2)), c_literal(m.group(3)), m.group(4) == "true"))
    for line in (d / "directives.inc").read_text().splitlines():
        if line.startswith("//") or not line.strip():
            continue
        m = _DIR_RE.match(line)
        if not m:
            raise ValueError("bad directives.inc line: %r" % line)
        dirs.append({"source": c_literal(m.group(1)), "name": c_literal(m.group(2)),
                     "override": m.group(3).strip(), "shape": m.group(4), "help": c_literal(m.group(5))})
    return mods, dirs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=str(Path(__file__).resolve().parents[2] / "directives" / "generated"))
    ap.add_argument("--count", type=int, default=40, help="directives whose shape is re-probed")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random; printed)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    try:
        inc_mods, inc_dirs = read_inc(Path(args.dir))
    except (OSError, ValueError) as e:
        print("check: %s" % e, file=sys.stderr)
        return 2
    errors = []
    log = lambda m: None  # noqa: E731

    # Modules: same list, order, ids (compiled-in ids found by <IfModule> probes) and flags.
    modules = P.collect_modules()
    P.find_builtin_ids(modules, log)
    fresh_mods = [(m.id, m.source, m.so, m.builtin) for m in modules]
    if fresh_mods != inc_mods:
        errors.append("modules.inc differs from the probed module list")
        for a, b in zip(inc_mods, fresh_mods):
            if a != b:
                errors.append("  first difference: committed %s, probed %s" % (a, b))
                break
        if len(inc_mods) != len(fresh_mods):
            errors.append("  committed %d modules, probed %d" % (len(inc_mods), len(fresh_mods)))

    # Directives: names/modules/override/help from -L for all of them.
    fresh = P.collect_directives(modules, log)
    fresh_by_key = {(d.source, d.name): d for d in fresh}
    inc_by_key = {(d["source"], d["name"]): d for d in inc_dirs}
    for k in sorted(set(fresh_by_key) - set(inc_by_key)):
        errors.append("missing from directives.inc: %s (%s)" % (k[1], k[0]))
    for k in sorted(set(inc_by_key) - set(fresh_by_key)):
        errors.append("not in apache2 -L: %s (%s)" % (k[1], k[0]))
    if [(d.source, d.name) for d in fresh] != [(d["source"], d["name"]) for d in inc_dirs]:
        errors.append("directive order differs from module order + -L order")
    for k in sorted(set(fresh_by_key) & set(inc_by_key)):
        f, c = fresh_by_key[k], inc_by_key[k]
        if (f.help or "") != c["help"]:
            errors.append("%s (%s): help %r, apache2 -L %r" % (k[1], k[0], c["help"], f.help))
        # Compare without EXEC_ON_READ (only known after probing, checked on the sample below).
        without = c["override"].replace(" | EXEC_ON_READ", "").replace("EXEC_ON_READ", "OR_NONE")
        if P.override_expr(f.bits) != without:
            errors.append("%s (%s): req_override %s, apache2 -L wording gives %s"
                          % (k[1], k[0], c["override"], P.override_expr(f.bits)))

    # Shapes and EXEC_ON_READ: full probes for a random sample (always including a few sections).
    rnd = random.Random(seed)
    keys = sorted(set(fresh_by_key) & set(inc_by_key))
    sample = set(rnd.sample(keys, min(args.count, len(keys))))
    sample |= set(rnd.sample([k for k in keys if k[1].startswith("<")], 2))
    probed = [fresh_by_key[k] for k in keys if k in sample]
    P.run_probes(probed, modules, args.jobs, log)
    notes = []
    P.finish_directives(probed, notes)
    P.verify_contexts(probed, modules, args.jobs, notes)
    for n in notes:
        if "predict otherwise" in n:
            errors.append(n)
    P.refine_take_argv(probed, modules, args.jobs, log)
    for d in probed:
        c = inc_by_key[(d.source, d.name)]
        if d.shape != c["shape"]:
            errors.append("%s (%s): shape %s, probes say %s" % (d.name, d.source, c["shape"], d.shape))
        if P.override_expr(d.bits) != c["override"]:
            errors.append("%s (%s): req_override %s, probes say %s"
                          % (d.name, d.source, c["override"], P.override_expr(d.bits)))

    sys.stderr.flush()
    print("check: seed %d, %d modules, %d directives, %d shapes re-probed: %s"
          % (seed, len(inc_mods), len(inc_dirs), len(probed), "MISMATCH" if errors else "OK"), flush=True)
    for e in errors:
        print("  " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
