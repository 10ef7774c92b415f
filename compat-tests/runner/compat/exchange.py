"""Sends a scenario's requests to one side, in order, on the connections they name, and collects the answers."""

import codecs
import re
import socket
import threading
import time

from .client import Connection, Response

_RESP_REF = re.compile(r"@RESP\(([\w-]+),([\w-]+)\)@")
_BODY_REF = re.compile(r"@BODY\(([\w-]+),(.*?)\)@")


class Outcome:
    """What one request section produced on one side: its responses, or how the connection failed."""

    def __init__(self, name, conn):
        self.name, self.conn = name, conn
        self.responses = []
        self.event = None  # "connect-failed", "send-failed: ...", "closed-before-send"
        self.tls = None  # "TLSv1.3 cert-sha256 ..." when the request went over TLS


def build_bytes(req, subs, earlier):
    """The exact bytes of a request section after substitutions (@HOST@, @PORT@, @RESP(r1,ETag)@, @BODYLEN@)."""

    def resolve(text):
        def resp(m):
            outcome = earlier.get(m.group(1))
            if outcome and outcome.responses:
                return outcome.responses[-1].header(m.group(2)) or ""
            return ""

        def body(m):  # @BODY(r1,REGEX)@: the first group of REGEX in r1's body (a nonce, a route)
            outcome = earlier.get(m.group(1))
            if outcome and outcome.responses:
                found = re.search(m.group(2), outcome.responses[-1].body.decode("latin-1"))
                if found:
                    return found.group(1) if found.groups() else found.group(0)
            return ""

        text = _RESP_REF.sub(resp, text)
        text = _BODY_REF.sub(body, text)
        for k, v in subs.items():
            text = text.replace(k, v)
        return text

    if req.raw:
        return codecs.escape_decode(resolve("".join(req.lines)).encode("utf-8"))[0], None
    lines = [resolve(line) for line in req.lines]
    if "" in lines:
        cut = lines.index("")
        head_lines, body = lines[:cut], "\n".join(lines[cut + 1 :]).encode("utf-8")
    else:
        head_lines, body = lines, b""
    head = "".join(line + "\r\n" for line in head_lines).replace("@BODYLEN@", str(len(body)))
    return head.encode("latin-1") + b"\r\n", body


def _methods(req, data):
    if req.methods:
        return req.methods + [req.methods[-1]] * (req.responses - len(req.methods))
    first = data.split(b" ", 1)[0].decode("latin-1", "replace")
    return [first] * req.responses


def run_requests(scenario, side, subs):
    outcomes = {}
    conns = {}
    pending = []  # threads of async requests

    def wait_all():
        for t in pending:
            t.join(timeout=60)
        pending.clear()

    try:
        for kind, step in scenario.steps:
            if kind == "action":
                for word, arg in step:
                    if word == "sleep":
                        time.sleep(float(arg))
                    elif word == "stop":
                        side.stop_backend(arg)
                    elif word == "start":
                        side.start_backend(arg)
                    elif word == "wait":
                        wait_all()
                    elif word in ("until", "until-not"):
                        _poll(side, arg[0], arg[1], word == "until", arg[2] or UNTIL_LIMIT)
                    else:
                        side.signal_server(word)
                continue
            req = step
            out = Outcome(req.name, req.conn)
            outcomes[req.name] = out
            if req.background:
                seen = len(side.journal.snapshot())
                t = threading.Thread(target=_one_request, args=(scenario, side, subs, req, out, outcomes, {}),
                                     daemon=True)
                t.start()
                pending.append(t)
                # Later requests must find it in flight: wait until a backend has received it (at most 3 s, for
                # an async request that never reaches a backend: in the suites every one arrives within 20 ms,
                # the cap is for a CPU-starved server on a loaded machine; not at all when there is no backend
                # to reach, e.g. slow clients against static files, which then run side by side at once).
                deadline = time.monotonic() + (3.0 if side.backends else 0.0)
                while len(side.journal.snapshot()) == seen and time.monotonic() < deadline and t.is_alive():
                    time.sleep(0.005)
            else:
                _one_request(scenario, side, subs, req, out, outcomes, conns)
        wait_all()
    finally:
        for c in conns.values():
            c.close()
    return outcomes


UNTIL_LIMIT = 10.0  # seconds an until/until-not action waits by default before the scenario goes on regardless


def _poll(side, path, pattern, want, limit):
    """`until PATH REGEX [SECONDS]`: GETs PATH (a fresh connection each time, 0.05 s apart) until its body matches
    REGEX (`until-not`: until it no longer does), for at most SECONDS (default UNTIL_LIMIT). For state a server
    changes on its own clock (health checks): the scenario goes on as soon as the state is there, however slow the
    machine, instead of after a fixed sleep. The polls are not part of the transcript; if the state does not come
    within SECONDS, the requests that follow show it."""
    regex = re.compile(pattern)
    head = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1")
    deadline = time.monotonic() + limit
    while True:
        try:
            conn = Connection(side.ports["PORT"], 2.0)
            try:
                conn.send(head)
                r = conn.read_response("GET", 2.0)
            finally:
                conn.close()
            if bool(regex.search(r.body.decode("latin-1"))) == want:
                return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _one_request(scenario, side, subs, req, out, outcomes, conns):
    if req.delay:
        time.sleep(req.delay)
    head, body = build_bytes(req, subs, outcomes)
    timeout = req.timeout or scenario.timeout
    conn = conns.get(req.conn) if req.conn else None
    if conn is not None:
        # After a response that announced a close, give the server a moment to actually close, so the
        # transcript says "closed" rather than racing into a reset. Servers close at once (every such wait in
        # the suites ends within a millisecond); up to 3 s lets a server starved of CPU on a loaded machine
        # close too, and costs nothing otherwise.
        last = conn.last_response
        announced = last is not None and (
            last.error is not None or "close" in (last.header("connection") or "").lower()
            or (last.version == "HTTP/1.0" and "keep-alive" not in (last.header("connection") or "").lower())
        )
        if conn.peer_closed(3.0 if announced else 0.0):
            out.event = "closed-before-send (the server had closed the connection)"
            return
    if conn is None:
        try:
            conn = Connection(side.ports[req.port.strip("@")], timeout, req.tls, req.sni)
            if conn.tls_info:
                out.tls = conn.tls_info
        except OSError as e:
            out.event = f"connect-failed ({type(e).__name__})"
            return
        if req.conn:
            conns[req.conn] = conn
    methods = _methods(req, head)
    try:
        if req.expect100 and body:
            conn.send(head)
            first = conn.read_response(methods[0], min(timeout, 2.0), stop_after_interim=True)
            if first.error == "timeout" and first.status_line is None:
                first = Response()  # no interim within the wait: send the body anyway, as curl does
            if first.status_line is not None and first.error is None:
                out.responses.append(first)  # a final answer before the body (417, 413, ...)
                conn.last_response = first
            else:
                conn.send(body)
                final = conn.read_response(methods[0], timeout)
                final.interims = first.interims + final.interims
                out.responses.append(final)
                conn.last_response = final
        else:
            if req.pause and body:
                conn.send(head)
                time.sleep(req.pause)
                conn.send(body)
            else:
                conn.send(head + (body or b""))
            if req.shutdown:
                conn.sock.shutdown(socket.SHUT_WR)
            for method in methods:
                r = conn.read_response(method, timeout)
                out.responses.append(r)
                conn.last_response = r
                if r.error:
                    break
    except OSError as e:
        out.event = f"send-failed ({type(e).__name__})"
        # The server may have answered (413, 400...) before closing on the rest of our bytes.
        try:
            r = conn.read_response(methods[0], min(timeout, 1.0))
            if r.status_line is not None and not out.responses:
                out.responses.append(r)
        except OSError:
            pass
        conn.closed_by_peer = True
    if not req.conn:
        conn.close()
