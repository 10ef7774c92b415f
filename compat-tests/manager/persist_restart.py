#!/usr/bin/env python3
"""BalancerPersist On across a full stop and start: manager changes (a member's load factor and disabled flag, a
member added with b_wyes/b_nwrkr, then enabled with its own factor) must still be there when the server is
stopped (SIGTERM) and started again with the same config, the state kept under DefaultRuntimeDir.

The runner's actions only signal a running server (graceful/restart: persist-graceful.scn, persist-restart.scn),
so this check drives each side itself with the runner's Side: the same config, backends and requests for
Apache (the reference: if Apache does not keep the changes the check itself is wrong and fails) and for
balancerd; then the members' names, load factors, statuses and routes in ?xml=1 after the second start, and the
members the next requests reach, are compared.

  persist_restart.py BALANCERD_BIN     Apache vs balancerd (run.sh runs it after the scenarios)
  persist_restart.py --apache-only     Apache only: validates the check
"""

import http.client
import os
import re
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runner"))
from compat.instance import Side  # noqa: E402
from compat.scenario import Scenario  # noqa: E402

SCENARIO = r"""scenario: BalancerPersist On across a full stop and start
--- config
@MODULES@
LoadModule lbmethod_bybusyness_module @MODDIR@/mod_lbmethod_bybusyness.so
@BASE@
BalancerPersist On
<Proxy "balancer://mc">
    BalancerMember "http://@BACKEND_b1@" route=r1
    BalancerMember "http://@BACKEND_b2@" route=r2
    ProxySet growth=2
</Proxy>
ProxyPass "/balancer-manager" "!"
ProxyPass "/app/" "balancer://mc/"
<Location "/balancer-manager">
    SetHandler balancer-manager
    Require ip 127.0.0.1
</Location>
--- backend b1
body b1\n
--- backend b2
body b2\n
--- backend b3
body b3\n
"""


def request(port, method, target, body=None, referer=True):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Host": "localhost"}
    if referer:
        headers["Referer"] = "http://localhost/balancer-manager"
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, target, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read().decode("latin-1")
    conn.close()
    return resp.status, data


def members(xml, inst):
    """(name, loadfactor, status, route) of each member, ports replaced by the backend's id."""
    out = []
    for w in re.findall(r"<httpd:worker>(.*?)</httpd:worker>", xml, re.S):
        def field(tag):
            m = re.search(rf"<httpd:{tag}>(.*?)</httpd:{tag}>", w, re.S)
            return m.group(1) if m else None
        name = field("name") or ""
        for b in inst.backends:
            name = name.replace(b.self_addr, f"@{b.id}@")
        out.append((name, field("loadfactor"), field("status"), field("route")))
    return out


def stop_server(inst):
    inst.proc.send_signal(signal.SIGTERM)
    try:
        inst.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{inst.kind} did not stop within 10 s")


def run_side(label, command, kind):
    scn = Scenario(os.path.join(HERE, "persist-full-restart.scn"), SCENARIO)
    inst = Side(label, command, kind, scn.config, scn)
    try:
        inst.start()
        port = inst.ports["PORT"]
        b1, b3 = (f"http://{b.self_addr}" for b in inst.backends if b.id in ("b1", "b3"))
        status, page = request(port, "GET", "/balancer-manager", referer=False)
        nonce = re.search(r"nonce=([0-9a-f-]{36})", page).group(1)
        steps = [
            f"b=mc&w={b1}&nonce={nonce}&w_lf=7&w_status_D=1",
            f"b=mc&nonce={nonce}&b_wyes=1&b_nwrkr={b3}",
            f"b=mc&w={b3}&nonce={nonce}&w_status_D=0&w_lf=3",
        ]
        for body in steps:
            status, _ = request(port, "POST", "/balancer-manager", body)
            if status != 200:
                raise RuntimeError(f"{kind}: manager update answered {status}")
        before = members(request(port, "GET", "/balancer-manager?xml=1")[1], inst)

        stop_server(inst)
        inst.scenario.backends = []  # the backends keep running (same ports): start() only relaunches the server
        inst.start()
        after = members(request(port, "GET", "/balancer-manager?xml=1")[1], inst)
        chosen = [request(port, "GET", "/app/x", referer=False)[1].strip() for _ in range(4)]
        return before, after, chosen, inst.log_tail()
    finally:
        inst.stop()


def main():
    args = sys.argv[1:]
    sides = [("A", ["/usr/sbin/apache2", "-f", "{conf}", "-DFOREGROUND"], "apache")]
    if args and args[0] != "--apache-only":
        sides.append(("B", [os.path.realpath(args[0]), "-f", "{conf}", "-DFOREGROUND"], "balancerd"))
    results = {}
    for label, command, kind in sides:
        try:
            results[kind] = run_side(label, command, kind)
        except Exception as e:  # a side that fails to start or answer is a failure of this check
            print(f"FAIL      persist-full-restart  ({kind}: {e})")
            print("0 passed, 1 failed")
            return 1
    ref_before, ref_after, ref_chosen, _ = results["apache"]
    # The reference must show what the check is about, else the check is wrong.
    expected = ("http://@b1@", "7.00", "Init Dis ", "r1")
    if expected not in ref_after or not any(m[0] == "http://@b3@" and m[1] == "3.00" for m in ref_after):
        print(f"BROKEN    persist-full-restart  (Apache lost the changes: {ref_after})")
        print("0 passed, 1 failed")
        return 1
    if ref_before != ref_after:
        print(f"BROKEN    persist-full-restart  (Apache's members changed across the restart: {ref_before} -> "
              f"{ref_after})")
        print("0 passed, 1 failed")
        return 1
    if "balancerd" in results:
        _, after, chosen, tail = results["balancerd"]
        if (after, chosen) != (ref_after, ref_chosen):
            print("FAIL      persist-full-restart  (BalancerPersist On across a full stop and start)")
            print(f"  apache    members {ref_after}\n            chosen  {ref_chosen}")
            print(f"  balancerd members {after}\n            chosen  {chosen}\n{tail}")
            print("0 passed, 1 failed")
            return 1
    print("PASS      persist-full-restart  (BalancerPersist On across a full stop and start)")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
