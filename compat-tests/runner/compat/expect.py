"""Absolute expectations, checked on the reference side (Apache). They prove a scenario exercises what its title
claims (Apache vs Apache always agrees, so without them a scenario that tests nothing would still pass).

    r1 status 304            r1 header ETag           r1 header Content-Type ~ ^text/html
    r1 no-header Server      r1 body ~ Not Found      r1 body-empty
    r1 interim 100           r1 framing chunked       r1 error timeout
    r1 event ~ closed        r1 responses 2           r1 raw ~ REGEX  (bytes that did not parse as a response)           r1.2 status 200   (second response of a pipelined batch)
    chosen b1 b2 b1          b1 received 2            b1 header X-Forwarded-For ~ 127.0.0.1   (last receipt)
    b1#1 no-header TE        (b1's first receipt)
"""

import re


def _response(outcome, index):
    if outcome is None or len(outcome.responses) < index:
        return None
    return outcome.responses[index - 1]


def check(scenario, outcomes, receipts):
    """Returns a list of failure messages (empty when every expectation holds)."""
    failures = []
    backend_ids = {b for b, _ in scenario.backends}
    for lineno, line in scenario.expects:
        words = line.split()
        subject, what, args = words[0], words[1] if len(words) > 1 else "", words[2:]
        rest = line.split(None, 2)[2] if len(words) > 2 else ""
        regex = rest[1:].strip() if rest.startswith("~") else None
        ok, got = True, ""
        if subject == "log":  # log ~ REGEX: the reference side's error log has a matching line
            pattern = line.split("~", 1)[1].strip() if "~" in line else None
            got = "(no matching line)" if pattern else "(log wants `log ~ REGEX`)"
            ok = pattern is not None and bool(re.search(pattern, outcomes.get("__error_log__", ""), re.M))
        elif subject == "chosen":
            got = " ".join(r.backend for r in receipts)
            ok = got == " ".join(words[1:])
        elif subject.split("#")[0] in backend_ids:
            bid, _, nth = subject.partition("#")
            mine = [r for r in receipts if r.backend == bid]
            if nth and what != "received":  # b1#2: the backend's second receipt instead of its last
                mine = mine[: int(nth)] if len(mine) >= int(nth) else []
            if what == "received":
                got, ok = str(len(mine)), str(len(mine)) == args[0]
            elif what in ("header", "no-header", "body", "request-line") and mine:
                last = mine[-1]
                name = args[0] if args else ""
                if what == "request-line":
                    got = last.request_line
                    ok = bool(re.search(regex or "", got))
                elif what == "body":
                    got = last.body.decode("latin-1")
                    ok = bool(re.search(regex or "", got))
                else:
                    vals = [v for n, v in last.headers if n.lower() == name.lower()]
                    got = "; ".join(vals) or "(absent)"
                    pattern = rest.split("~", 1)[1].strip() if "~" in rest else None
                    if what == "no-header":
                        ok = not vals
                    else:
                        ok = bool(vals) and (pattern is None or any(re.search(pattern, v) for v in vals))
            else:
                ok, got = False, "no receipt"
        else:
            name, _, idx = subject.partition(".")
            outcome = outcomes.get(name)
            r = _response(outcome, int(idx or 1))
            if what == "event":
                got = (outcome.event if outcome else None) or "(none)"
                ok = bool(re.search(regex or "", got)) and outcome is not None and outcome.event is not None
            elif what == "responses":
                got = str(len(outcome.responses) if outcome else 0)
                ok = got == args[0]
            elif r is None:
                ok, got = False, "no response"
            elif what == "status":
                got, ok = str(r.code), str(r.code) == args[0]
            elif what == "reason":
                got, ok = r.reason, r.reason == rest
            elif what in ("header", "no-header"):
                hname = args[0] if args else ""
                vals = [v for n, v in r.headers if n.lower() == hname.lower()]
                got = "; ".join(vals) or "(absent)"
                pattern = rest.split("~", 1)[1].strip() if "~" in rest else None
                if what == "no-header":
                    ok = not vals
                else:
                    ok = bool(vals) and (pattern is None or any(re.search(pattern, v) for v in vals))
            elif what == "body":
                got = r.body[:300].decode("latin-1")
                ok = bool(re.search(regex or "", r.body.decode("latin-1")))
            elif what == "raw":
                got = r.raw[:300].decode("latin-1")
                ok = bool(re.search(regex or "", r.raw.decode("latin-1")))
            elif what == "body-empty":
                got, ok = f"{len(r.body)} bytes", not r.body
            elif what == "interim":
                got = " ".join(s.split(" ")[1] for s, _ in r.interims) or "(none)"
                ok = args[0] in got.split()
            elif what == "framing":
                got, ok = r.framing, r.framing == args[0]
            elif what == "error":
                got, ok = r.error or "(none)", (r.error or "") == args[0]
            else:
                failures.append(f"line {lineno}: unknown expectation {line!r}")
                continue
        if not ok:
            failures.append(f"line {lineno}: expected `{line}`, got: {got[:200]!r}")
    return failures
