#!/usr/bin/env python3
"""Fills the expected output of proxy_configtest_cases.txt from the real apache2 (the oracle).

Each case is run as `apache2 -t -f CONF` where CONF is "Include BASE" followed by the case's lines, and
BASE (ServerRoot with a logs/ directory, ServerName) loads the same modules as proxy_configtest_test.cpp (plus mod_proxy_hcheck for cases marked
"hcheck"). The file path is written as CONF and log lines lose their time and pid:
"[proxy:warn] AH01146: ...". Usage: proxy_oracle.py [--check] [cases-file]
"""
import os
import re
import subprocess
import sys
import tempfile

MODULES = "/usr/lib/apache2/modules"
BASE = [
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
    ("slotmem_shm_module", "mod_slotmem_shm.so"),
    ("proxy_balancer_module", "mod_proxy_balancer.so"),
    ("lbmethod_byrequests_module", "mod_lbmethod_byrequests.so"),
]
HCHECK = ("proxy_hcheck_module", "mod_proxy_hcheck.so")


def parse(text):
    cases, cur, part = [], None, None
    for line in text.splitlines():
        if line.startswith("=== "):
            words = line[4:].split()
            cur = {"name": words[0], "hcheck": "hcheck" in words[1:], "config": [], "expect": []}
            cases.append(cur)
            part = "config"
        elif cur is not None and line == "---":
            part = "expect"
        elif cur is not None:
            cur[part].append(line)
    return cases


def render(cases, header):
    out = list(header)
    for c in cases:
        out.append("=== " + c["name"] + (" hcheck" if c["hcheck"] else ""))
        out += c["config"]
        out.append("---")
        out += c["expect"]
    return "\n".join(out) + "\n"


def run(case, tmp):
    base = os.path.join(tmp, "base.conf")
    mods = BASE + ([HCHECK] if case["hcheck"] else [])
    with open(base, "w") as f:
        f.write("ServerRoot %s\nServerName localhost\n" % tmp)
        for ident, so in mods:
            f.write("LoadModule %s %s/%s\n" % (ident, MODULES, so))
    conf = os.path.join(tmp, "case.conf")
    with open(conf, "w") as f:
        f.write("Include %s\n" % base)
        f.write("\n".join(case["config"]) + "\n")
    p = subprocess.run(["apache2", "-t", "-f", conf], capture_output=True, text=True)
    lines = []
    for line in p.stderr.splitlines():
        line = line.replace(conf, "CONF")
        m = re.match(r"^\[[^\]]*\] (\[[a-z_]+:[a-z0-9]+\]) \[pid [^\]]*\] (.*)$", line)
        if m:
            line = m.group(1) + " " + m.group(2)
        lines.append(line)
    return lines


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    path = args[0] if args else os.path.join(os.path.dirname(__file__), "proxy_configtest_cases.txt")
    text = open(path).read()
    header = []
    for line in text.splitlines():
        if line.startswith("=== "):
            break
        header.append(line)
    cases = parse(text)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "logs"))  # the default ErrorLog's directory must exist
        for c in cases:
            got = run(c, tmp)
            if got != c["expect"]:
                bad += 1
                print("%s: %r -> %r" % (c["name"], c["expect"], got))
                c["expect"] = got
    if "--check" not in sys.argv:
        open(path, "w").write(render(cases, header))
    print("%d cases, %d changed" % (len(cases), bad))
    return 1 if bad and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
