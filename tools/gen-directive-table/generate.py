#!/usr/bin/env python3
"""Generate balancerd's directive table by probing the installed Apache 2.4 (black box).

Outputs (X-macro include files consumed by directives/registry.cpp):
  modules.inc     BD_MODULE(id, source, so, builtin)
  directives.inc  BD_DIRECTIVE(source, name, req_override, shape, help)
  README.md       how the facts were obtained and where Apache disagrees with the spec tables

Only `apache2 -l`, `apache2 -L` and `apache2 -t` (configtest) are run, with scratch configs under
/tmp/tablegen/; no server is ever started.  Usage:
  python3 tools/gen-directive-table/generate.py --out directives/generated
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import probe_lib as P  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (directives/generated)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel apache2 runs (machine is shared)")
    ap.add_argument("--dump", help="optional JSON file receiving every probe's raw output")
    args = ap.parse_args()

    table = P.build_table(jobs=args.jobs, log=lambda m: print(m, file=sys.stderr))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "modules.inc").write_text(P.render_modules(table))
    (out / "directives.inc").write_text(P.render_directives(table))
    (out / "README.md").write_text(P.render_readme(table))
    if args.dump:
        P.dump_probes(table, args.dump)
    n_dir = len(table.directives)
    print(f"wrote {len(table.modules)} modules, {n_dir} directives to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
