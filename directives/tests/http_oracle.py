#!/usr/bin/env python3
"""Fills the expected output of http_configtest_cases.txt from the real apache2 (the oracle).

Each case is run as `apache2 -t -f CONF` where CONF is "Include BASE" followed by the case's lines.
BASE sets ServerRoot (a temp dir with logs/, cadir/, a non-empty cert.pem and an empty empty.pem) and
ServerName, and loads the modules of MODULES below, as http_configtest_test.cpp does. The config path is
written as CONF, the ServerRoot as ROOT, and log lines lose their time and pid:
"[ssl:warn] AH01909: ...". Usage: http_oracle.py [--check] [cases-file]
"""
import os
import re
import subprocess
import sys
import tempfile

MODULE_DIR = "/usr/lib/apache2/modules"
MODULES = ["mpm_event", "authz_core", "authz_host", "access_compat", "headers", "alias", "dir", "mime",
           "setenvif", "env", "remoteip", "reqtimeout", "status", "socache_shmcb", "ssl", "http2", "autoindex"]


def so_name(m):
    return "mod_mpm_event.so" if m == "mpm_event" else "mod_%s.so" % m


def parse(text):
    cases, cur, part = [], None, None
    for line in text.splitlines():
        if line.startswith("=== "):
            cur = {"name": line[4:].split()[0], "config": [], "expect": []}
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
        out.append("=== " + c["name"])
        out += c["config"]
        out.append("---")
        out += c["expect"]
    return "\n".join(out) + "\n"


def make_tree(tmp):
    os.mkdir(os.path.join(tmp, "logs"))
    os.mkdir(os.path.join(tmp, "cadir"))
    with open(os.path.join(tmp, "cert.pem"), "w") as f:
        f.write("not really a certificate\n")
    open(os.path.join(tmp, "empty.pem"), "w").close()
    base = os.path.join(tmp, "base.conf")
    with open(base, "w") as f:
        f.write("ServerRoot %s\nServerName localhost\n" % tmp)
        for m in MODULES:
            f.write("LoadModule %s_module %s/%s\n" % (m, MODULE_DIR, so_name(m)))
    return base


def run(case, tmp, base):
    conf = os.path.join(tmp, "case.conf")
    with open(conf, "w") as f:
        f.write("Include %s\n" % base)
        f.write("\n".join(case["config"]) + "\n")
    p = subprocess.run(["apache2", "-t", "-f", conf], capture_output=True, text=True)
    lines = []
    for line in p.stderr.splitlines():
        if "AH01882" in line:  # OpenSSL build-skew warning of this machine, not behaviour
            continue
        line = line.replace(conf, "CONF").replace(tmp, "ROOT")
        m = re.match(r"^\[[^\]]*\] (\[[a-z_0-9]+:[a-z0-9]+\]) \[pid [^\]]*\] (.*)$", line)
        if m:
            line = m.group(1) + " " + m.group(2)
        lines.append(line)
    return lines


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    path = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "http_configtest_cases.txt")
    text = open(path).read()
    header = []
    for line in text.splitlines():
        if line.startswith("=== "):
            break
        header.append(line)
    cases = parse(text)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        base = make_tree(tmp)
        for c in cases:
            got = run(c, tmp, base)
            if got != c["expect"]:
                bad += 1
                if "--check" in sys.argv:
                    print("%s: %r -> %r" % (c["name"], c["expect"], got))
                c["expect"] = got
    if "--check" not in sys.argv:
        open(path, "w").write(render(cases, header))
    print("%d cases, %d changed" % (len(cases), bad))
    return 1 if bad and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
