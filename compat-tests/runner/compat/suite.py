"""Runs scenarios (each: side A = Apache, the reference; side B = balancerd or a second Apache), compares them and
reports pass / FAIL with a diff / known deviation."""

import difflib
import fnmatch
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from . import expect, transcript
from .exchange import run_requests
from .instance import Side, StartError


DIFF_LINES = 150  # per scenario, unless --verbose: a server that answers nothing right must not bury the rest


class SideSpec:
    def __init__(self, kind, command, mutate=None):
        self.kind, self.command, self.mutate = kind, command, mutate or []


class Result:
    def __init__(self, scenario, status, detail=""):
        self.scenario, self.status, self.detail = scenario, status, detail
        self.seconds = 0.0
        self.transcript = None  # the reference side's normalised transcript, when it got that far


def load_deviations(path):
    """`scenario-name: reason` per line; '#' comments. Returns {name: reason}."""
    out = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, reason = line.partition(":")
                    out[name.strip()] = reason.strip() or "(no reason given)"
    return out


def _settled(read, limit, enough=lambda text: True):
    """read() once it has returned the same text twice in a row, 0.05 s apart, and that text is `enough`; or
    whatever it returns after `limit` seconds."""
    text, stable = read(), 0
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = read()
        stable = stable + 1 if now == text else 0
        text = now
        if stable >= 2 and enough(text):
            break
    return text


def _exercise(side, scenario):
    """Starts the side, sends every request, stops it (always). Returns (outcomes, receipts, error_log)."""
    try:
        side.start()
        outcomes = run_requests(scenario, side, side.substitutions())
        time.sleep(0.01)
        if "access-log" in scenario.keep:
            # A log line is written after its response is sent, so on a loaded machine the last ones may come
            # well after the client has its answer: wait until there is at least one line per response received
            # (a lower bound: every answered request is logged, unless the config logs conditionally) and the
            # log has stopped growing, at most 2 s.
            answered = sum(r.status_line is not None for o in outcomes.values() for r in o.responses)
            outcomes["__access_log__"] = _settled(side.access_log, 2.0, lambda log: log.count("\n") >= answered)
        if scenario.grep_log:
            # Error-log lines of the last request may be written just after its response: at least 0.1 s, then
            # until the log stops growing (at most 1 s).
            time.sleep(0.1)
            _settled(side.error_log, 0.9)
        outcomes["__error_log__"] = side.error_log()
        died = side.proc.poll()
        if died is not None:  # a crash mid-scenario must show in the transcript, not only as odd responses
            outcomes["__exit__"] = died
        receipts = side.journal.snapshot()
        if scenario.ignore_requests:  # e.g. health checks: how many there are depends on timing
            receipts = [r for r in receipts if not any(
                fnmatch.fnmatchcase(r.request_line.split(" ")[1] if " " in r.request_line else "", g)
                for g in scenario.ignore_requests)]
        return outcomes, receipts, side.error_log()
    finally:
        side.stop()


def _run_side(spec, label, scenario, config, opts, fixed_ports):
    last = None
    for attempt in range(2):  # one retry: a free port can be taken by someone else before the server binds it
        side = Side(label, spec.command, spec.kind, config, scenario, spec.mutate, opts.get("keep_dirs", False),
                    opts.get("config_file"))
        if fixed_ports:
            side.ports = dict(fixed_ports)
        side.start_timeout = opts.get("start_timeout", 10.0)
        try:
            return side, _exercise(side, scenario)
        except StartError as e:
            last = e
            if "in use" not in str(e) or fixed_ports:
                break
    raise last


def run_scenario(scenario, a, b, opts, config=None, fixed_ports=None):
    """Compares side A (reference) and side B on one scenario."""
    t0 = time.monotonic()
    if scenario.skip:
        r = Result(scenario, "SKIP", scenario.skip)
        return r
    config = config if config is not None else scenario.config
    got = {}

    def one(label, spec):
        try:
            got[label] = _run_side(spec, label, scenario, config, opts, fixed_ports)
        except StartError as e:
            got[label] = e
        except Exception as e:  # a runner bug must show up as a failure of this scenario, not hang the suite
            got[label] = RuntimeError(f"{type(e).__name__}: {e}")

    if fixed_ports:  # the user's own config: both sides want the same ports, so one after the other
        one("A", a)
        one("B", b)
    else:
        threads = [threading.Thread(target=one, args=(label, spec)) for label, spec in (("A", a), ("B", b))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    result = _judge(scenario, a, b, got)
    result.seconds = time.monotonic() - t0
    return result


def _judge(scenario, a, b, got):
    ra, rb = got.get("A"), got.get("B")
    if not isinstance(ra, tuple):
        return Result(scenario, "BROKEN", f"reference {a.kind} failed: {ra}")
    side_a, (out_a, rec_a, _) = ra
    ta = transcript.render(scenario, out_a, rec_a, side_a.normal_forms())
    broken = expect.check(scenario, out_a, rec_a)
    if broken:
        r = Result(scenario, "BROKEN", "reference side does not meet the scenario's expectations:\n  "
                   + "\n  ".join(broken))
        r.transcript = ta
        return r
    if not isinstance(rb, tuple):
        return Result(scenario, "FAIL", f"{b.kind} (B) failed: {rb}")
    side_b, (out_b, rec_b, log_b) = rb
    tb = transcript.render(scenario, out_b, rec_b, side_b.normal_forms())
    if ta == tb:
        r = Result(scenario, "PASS")
    else:
        diff = difflib.unified_diff(ta, tb, f"{a.kind} (A, reference)", f"{b.kind} (B)", lineterm="", n=3)
        detail = "\n".join(diff)
        tail = [line for line in log_b.splitlines() if "AH00489" not in line and "AH00094" not in line][-8:]
        if tail:
            detail += f"\n{b.kind} (B) error log, last lines:\n" + "\n".join("  " + line for line in tail)
        r = Result(scenario, "FAIL", detail)
    r.transcript = ta
    return r


def run_all(scenarios, a, b, opts, deviations=None, jobs=2, config=None, fixed_ports=None, out=print):
    deviations = deviations or {}
    results = []
    lock = threading.Lock()

    def task(sc):
        r = run_scenario(sc, a, b, opts, config, fixed_ports)
        if sc.name in deviations and not opts.get("ignore_deviations"):
            if r.status == "FAIL":
                r.status, r.detail = "DEVIATION", deviations[sc.name] + "\n" + r.detail
            elif r.status == "PASS":
                r.status = "XPASS"
                r.detail = "listed in the deviations file but now behaves the same: remove it from the list"
        with lock:
            report(r, out, opts.get("verbose", False), opts.get("show", False))
        return r

    with ThreadPoolExecutor(max_workers=max(1, 1 if fixed_ports else jobs)) as pool:
        results = list(pool.map(task, scenarios))
    return results


def report(r, out, verbose, show=False):
    title = f"  ({r.scenario.title})" if r.scenario.title else ""
    out(f"{r.status:<9} {r.scenario.name}{title}  [{r.seconds:.1f}s]")
    if r.status in ("FAIL", "BROKEN", "XPASS") or (verbose and r.detail):
        lines = r.detail.splitlines()
        limit = len(lines) if verbose else DIFF_LINES
        for line in lines[:limit]:
            out("    " + line)
        if len(lines) > limit:
            out(f"    ... {len(lines) - limit} more lines (-v shows all, -k {r.scenario.name} runs only this one)")
    elif r.status == "DEVIATION":
        out("    reason: " + r.detail.splitlines()[0])
    if show and r.transcript:
        out("    reference transcript:")
        for line in r.transcript:
            out("      " + line)


def summary(results):
    """Counts: PASS and DEVIATION and SKIP are not failures; FAIL, BROKEN and XPASS are."""
    passed = sum(r.status in ("PASS", "DEVIATION") for r in results)
    failed = sum(r.status in ("FAIL", "BROKEN", "XPASS") for r in results)
    skipped = sum(r.status == "SKIP" for r in results)
    devs = sum(r.status == "DEVIATION" for r in results)
    return passed, failed, skipped, devs
