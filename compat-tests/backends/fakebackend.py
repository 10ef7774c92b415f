#!/usr/bin/env python3
"""Fake HTTP/1.1 backends for the compat runner.

A backend listens on loopback, records every request it receives (request line, every header in order, the
decoded body, which connection it came on) and answers according to a small behaviour script (see BEHAVIOUR
below). The runner imports this module and runs one set of backends per side, so each side's receipts are
recorded separately and can be compared. It can also run standalone for manual poking:

    python3 fakebackend.py --id b1 --port 18101 --script 'when /slow*' --script 'delay-headers 2'

BEHAVIOUR script, one instruction per line, '#' starts a comment. Lines before the first `when` form the
default rule; `when GLOB` starts a rule used for requests whose path (with query) matches GLOB (fnmatch);
the first matching rule wins.

In header values and bodies, @SELF@ is the backend's own address (127.0.0.1:PORT, or "localhost" for a unix
socket backend), @PEER@ the address the request's connection came from (its IP without the port, "unix" on a
unix socket: ProxySourceAddress shows there; the echo shows it too when its rule says `echo-peer`) and the
runner's substitutions (@PORT@, @BACKEND_b2@, ...) are applied when answering.
A backend may listen on a unix socket instead of a TCP port (Backend(..., unix_path=PATH)).

    status CODE [REASON]        final status (default 200 OK)
    header NAME: VALUE          add a response header (repeatable, order kept)
    body TEXT                   body text, backslash escapes decoded (\\n, \\r\\n, \\xNN); repeatable (appends)
    echo                        body is "backend=ID\\n" + the request line, headers (sorted by name) and body
                                as received (the default when no body)
    chunked [SIZE]              send the body chunked, SIZE bytes per chunk (default 8)
    no-length                   no Content-Length: body delimited by closing the connection
    delay-headers SECONDS       wait before sending anything
    delay-body SECONDS          wait between the head and the body
    close-after BYTES           send the head and BYTES bytes of the body, then close
    pause-at BYTES SECONDS      after BYTES bytes of the body (as sent on the wire, chunk framing included),
                                wait SECONDS before sending the rest (repeatable, in increasing BYTES: a body
                                sent in delayed pieces, for flushing)
    echo-peer                   the echo's first line names the peer too: "backend=ID peer=IP"
    accept off                  (default rule only) never accept: the listen queue is kept full (backlog 0, one
                                connection of the backend's own waiting in it), so the kernel drops every SYN
                                and connects hang until the client's own timeout, like a blackholed address:
                                connectiontimeout= on loopback (a TCP backend only)
    close                       close the connection without answering
    reset                       reset the connection (RST) without answering
    garbage TEXT                send TEXT (escapes decoded) instead of a response, then close
    interim CODE [REASON]       send a 1xx interim response first (repeatable); headers via `interim-header`
    interim-header NAME: VALUE  header for the last `interim`
    big-header NAME SIZE        add header NAME with a SIZE-byte value
    keep-alive off              close after every response (adds Connection: close)
    big-body SIZE               a SIZE-byte body (lines of a repeating pattern, so a cut shows where)
    version HTTP/1.0            the status line's version (an HTTP/1.0 backend; default HTTP/1.1)
    no-continue                 do not answer Expect: 100-continue with an interim 100 (read the body anyway)
    tunnel echo|close           answer a protocol switch (with `status 101 ...` and the Upgrade/Connection headers
                                scripted): the head as scripted (no framing fields added) and the `body` bytes
                                if any; then `echo` sends back "echo:" + each chunk received (the bytes that came
                                with the request head first) until the proxy closes or nothing arrives for
                                `tunnel-idle` seconds (default 1), and `close` closes at once
    tunnel-idle SECONDS         see `tunnel echo`
    tunnel-bye TEXT             `tunnel echo`: when the proxy half-closes, send TEXT (escapes decoded), then close
    reused close|reset          on a connection that already answered a request, read the request (it is
                                recorded) and then close (or reset) without answering: a keep-alive connection
                                the backend gives up just as the proxy reuses it
    times N                     this `when` rule only answers the first N requests it matches (then the next
                                matching rule, or the default, takes over): "fail twice, then succeed"
"""

import argparse
import codecs
import fnmatch
import os
import socket
import struct
import threading
import time


def _letters(n, width=5):
    out = b""
    for _ in range(width):
        n, r = divmod(n, 26)
        out = bytes([97 + r]) + out
    return out


def _unescape(text):
    return codecs.escape_decode(text.encode("utf-8"))[0]


class Rule:
    """What to answer for one kind of request."""

    def __init__(self, pattern=None):
        self.pattern = pattern
        self.status = 200
        self.reason = "OK"
        self.headers = []
        self.body = None  # None means echo
        self.echo = False
        self.chunked = 0
        self.no_length = False
        self.delay_headers = 0.0
        self.delay_body = 0.0
        self.close_after = None
        self.action = None  # None | "close" | "reset" | "garbage"
        self.garbage = b""
        self.interims = []  # [(code, reason, [(name, value)])]
        self.keep_alive = True
        self.times = None  # None: always; N: only for the first N requests it matches
        self.used = 0
        self.version = "HTTP/1.1"
        self.no_continue = False
        self.tunnel = None  # None | "echo" | "close"
        self.tunnel_idle = 1.0
        self.tunnel_bye = b""
        self.reused = None  # None | "close" | "reset": for a request that is not its connection's first
        self.pauses = []  # [(bytes, seconds)]: pauses while sending the body
        self.echo_peer = False
        self.accept = True  # default rule only: False keeps the listen queue full (connects hang)


def parse_script(text):
    """Parses a behaviour script into [default_rule, *when_rules]; raises ValueError with the line number."""
    rules = [Rule()]
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        rule = rules[-1]
        try:
            if word == "when":
                rules.append(Rule(rest))
            elif word == "status":
                code, _, reason = rest.partition(" ")
                rule.status, rule.reason = int(code), reason
            elif word == "header":
                name, _, value = rest.partition(":")
                rule.headers.append((name.strip(), value.strip()))
            elif word == "body":
                rule.body = (rule.body or b"") + _unescape(rest)
            elif word == "echo":
                rule.echo = True
            elif word == "chunked":
                rule.chunked = int(rest) if rest else 8
            elif word == "no-length":
                rule.no_length = True
            elif word == "delay-headers":
                rule.delay_headers = float(rest)
            elif word == "delay-body":
                rule.delay_body = float(rest)
            elif word == "close-after":
                rule.close_after = int(rest)
            elif word in ("close", "reset"):
                rule.action = word
            elif word == "garbage":
                rule.action, rule.garbage = "garbage", _unescape(rest)
            elif word == "interim":
                code, _, reason = rest.partition(" ")
                rule.interims.append((int(code), reason, []))
            elif word == "interim-header":
                name, _, value = rest.partition(":")
                rule.interims[-1][2].append((name.strip(), value.strip()))
            elif word == "big-header":
                name, size = rest.split()
                rule.headers.append((name, "x" * int(size)))
            elif word == "big-body":
                size = int(rest)
                # Line numbers in letters (aaaaa, aaaab, ...): digits could collide with the 5-digit ports the
                # runner normalises in bodies.
                pattern = b"".join(b"line %s of the big body..........\n" % _letters(i) for i in range(size // 37 + 1))
                rule.body = (rule.body or b"") + pattern[:size]
            elif word == "version":
                if rest not in ("HTTP/1.0", "HTTP/1.1"):
                    raise ValueError("version is HTTP/1.0 or HTTP/1.1")
                rule.version = rest
            elif word == "no-continue":
                rule.no_continue = True
            elif word == "tunnel":
                if rest not in ("echo", "close"):
                    raise ValueError("tunnel is echo or close")
                rule.tunnel = rest
            elif word == "tunnel-idle":
                rule.tunnel_idle = float(rest)
            elif word == "tunnel-bye":
                rule.tunnel_bye = _unescape(rest)
            elif word == "reused":
                if rest not in ("close", "reset"):
                    raise ValueError("reused is close or reset")
                rule.reused = rest
            elif word == "pause-at":
                at, seconds = rest.split()
                if rule.pauses and int(at) <= rule.pauses[-1][0]:
                    raise ValueError("pause-at offsets must increase")
                rule.pauses.append((int(at), float(seconds)))
            elif word == "accept":
                if rest not in ("on", "off") or len(rules) > 1:
                    raise ValueError("accept on|off, before any `when`")
                rule.accept = rest == "on"
            elif word == "echo-peer":
                rule.echo_peer = True
            elif word == "times":
                rule.times = int(rest)
            elif word == "keep-alive":
                rule.keep_alive = rest != "off"
            else:
                raise ValueError("unknown instruction")
        except (ValueError, IndexError) as e:
            raise ValueError(f"backend script line {lineno}: {raw.strip()!r}: {e}") from None
    return rules


class Receipt:
    """One request as a backend saw it."""

    def __init__(self, backend, conn, request_line, headers, body, chunked):
        self.backend, self.conn = backend, conn
        self.request_line, self.headers, self.body, self.chunked = request_line, headers, body, chunked


class _ConnClosed(Exception):
    pass


class _Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def _more(self):
        data = self.sock.recv(65536)
        if not data:
            raise _ConnClosed()
        self.buf += data

    def line(self):
        while b"\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise _ConnClosed()
            self._more()
        line, _, self.buf = self.buf.partition(b"\n")
        return line.rstrip(b"\r")

    def exact(self, n):
        while len(self.buf) < n:
            self._more()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


class Backend:
    """One fake backend on 127.0.0.1, serving until stop()."""

    def __init__(self, ident, script="", journal=None, port=0, unix_path=None):
        self.id = ident
        self.rules = parse_script(script)
        self.journal = journal if journal is not None else Journal()
        self._stop = threading.Event()
        self.unix_path = unix_path
        if unix_path:
            if os.path.exists(unix_path):
                os.unlink(unix_path)
            self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._listener.bind(unix_path)
            os.chmod(unix_path, 0o777)  # Apache's children run as www-data when the runner is root
            self.port = 0
            self.self_addr = "localhost"
        else:
            self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind(("127.0.0.1", port))
            self.port = self._listener.getsockname()[1]
            self.self_addr = f"127.0.0.1:{self.port}"
        self._filler = None
        if not self.rules[0].accept and not unix_path:
            # Backlog 0 holds one completed connection; ours takes it, so the kernel drops later SYNs.
            self._listener.listen(0)
            self._filler = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        else:
            self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.subs = {}  # placeholders replaced in answers (the runner sets them once every backend has a port)
        self._conns = 0
        self._threads = []
        self._open = set()
        self._lock = threading.Lock()

    def start(self):
        if self._filler is not None:
            return self  # nothing is ever accepted
        t = threading.Thread(target=self._accept_loop, name=f"backend-{self.id}", daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()
        if self._filler is not None:
            self._filler.close()
        # close() alone does not wake a thread blocked in accept() (it would notice only at its 0.2 s timeout,
        # and stop() joins it: 0.2 s per scenario side); shutdown() makes accept() fail at once.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        if self.unix_path and os.path.exists(self.unix_path):
            os.unlink(self.unix_path)
        with self._lock:
            for s in list(self._open):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for t in list(self._threads):
            t.join(timeout=2)

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._conns += 1
            t = threading.Thread(target=self._serve, args=(sock, self._conns), daemon=True)
            with self._lock:
                self._open.add(sock)
                self._threads.append(t)
            t.start()

    def _rule_for(self, target):
        with self._lock:
            for rule in self.rules[1:]:
                if fnmatch.fnmatchcase(target, rule.pattern) and (rule.times is None or rule.used < rule.times):
                    rule.used += 1
                    return rule
            return self.rules[0]

    def _serve(self, sock, conn_no):
        sock.settimeout(30)
        try:
            peer = sock.getpeername()
            peer = peer[0] if isinstance(peer, tuple) else "unix"
        except OSError:
            peer = "unknown"
        reader = _Reader(sock)
        answered = 0
        try:
            while not self._stop.is_set():
                request_line = reader.line().decode("latin-1")
                if not request_line:
                    continue
                headers = []
                while True:
                    h = reader.line().decode("latin-1")
                    if not h:
                        break
                    name, _, value = h.partition(":")
                    headers.append((name, value.strip()))
                lower = {n.lower(): v for n, v in headers}
                parts = request_line.split(" ")
                target = parts[1] if len(parts) > 1 else "/"
                rule = self._rule_for(target)
                if lower.get("expect", "").lower() == "100-continue" and not rule.no_continue:
                    sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                body, chunked = b"", False
                if "chunked" in lower.get("transfer-encoding", "").lower():
                    chunked = True
                    while True:
                        size = int(reader.line().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while reader.line():
                                pass
                            break
                        body += reader.exact(size)
                        reader.line()
                elif "content-length" in lower:
                    body = reader.exact(int(lower["content-length"]))
                self.journal.record(Receipt(self.id, conn_no, request_line, headers, body, chunked))
                if rule.tunnel:
                    self._tunnel(sock, reader, rule)
                    break
                if rule.reused and answered:
                    if rule.reused == "reset":
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                answered += 1
                keep = self._answer(sock, rule, request_line, headers, body, parts[0], peer)
                client_close = lower.get("connection", "").lower() == "close" or request_line.endswith("1.0")
                if not keep or client_close:
                    break
        except (_ConnClosed, OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._open.discard(sock)
            try:
                sock.close()
            except OSError:
                pass

    def _sleep(self, seconds):
        if seconds:
            self._stop.wait(seconds)

    def _subst(self, data, peer=None):
        data = data.replace(b"@SELF@", self.self_addr.encode())
        if peer is not None:
            data = data.replace(b"@PEER@", peer.encode())
        for k, v in self.subs.items():
            data = data.replace(k.encode("latin-1"), v.encode("latin-1"))
        return data

    def _tunnel(self, sock, reader, rule):
        """A switched protocol: the scripted head and body, then echo (or close)."""
        self._sleep(rule.delay_headers)
        out_headers = [(n, self._subst(v.encode("latin-1")).decode("latin-1")) for n, v in rule.headers]
        head = f"{rule.version} {rule.status} {rule.reason}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in out_headers)
        sock.sendall(head.encode("latin-1") + b"\r\n" + self._subst(rule.body or b""))
        if rule.tunnel == "close":
            return
        if reader.buf:
            sock.sendall(b"echo:" + reader.buf)
            reader.buf = b""
        sock.settimeout(rule.tunnel_idle)
        while not self._stop.is_set():
            try:
                data = sock.recv(65536)
            except socket.timeout:
                return
            if not data:
                if rule.tunnel_bye:
                    sock.sendall(rule.tunnel_bye)
                return
            sock.sendall(b"echo:" + data)

    def _answer(self, sock, rule, request_line, headers, body, method, peer="unknown"):
        """Sends the response; returns whether the connection may be kept."""
        self._sleep(rule.delay_headers)
        if rule.action == "close":
            return False
        if rule.action == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if rule.action == "garbage":
            sock.sendall(rule.garbage)
            return False
        for code, reason, ihdrs in rule.interims:
            ihdrs = [(n, self._subst(v.encode("latin-1"), peer).decode("latin-1")) for n, v in ihdrs]
            head = f"HTTP/1.1 {code} {reason}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in ihdrs) + "\r\n"
            sock.sendall(head.encode("latin-1"))
        if rule.echo or rule.body is None:
            # Headers sorted by name (stable), like the runner's comparison: header order is not significant, and
            # an echo must not make it so. The receipts keep the order as received.
            ordered = sorted(headers, key=lambda h: h[0].lower())
            who = f"backend={self.id} peer={peer}" if rule.echo_peer else f"backend={self.id}"
            dump = f"{who}\n{request_line}\n" + "".join(f"{n}: {v}\n" for n, v in ordered) + "\n"
            payload = dump.encode("latin-1") + body
        else:
            payload = self._subst(rule.body, peer)
        out_headers = [(n, self._subst(v.encode("latin-1"), peer).decode("latin-1")) for n, v in rule.headers]
        if rule.chunked:
            out_headers.append(("Transfer-Encoding", "chunked"))
        elif not rule.no_length:
            out_headers.append(("Content-Length", str(len(payload))))
        keep = rule.keep_alive and not rule.no_length and rule.close_after is None
        if not keep:
            out_headers.append(("Connection", "close"))
        head = f"{rule.version} {rule.status} {rule.reason}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in out_headers)
        sock.sendall(head.encode("latin-1") + b"\r\n")
        if method == "HEAD" or rule.status in (204, 304):
            return keep
        self._sleep(rule.delay_body)
        if rule.chunked:
            wire = b"".join(
                b"%x\r\n%s\r\n" % (len(payload[i : i + rule.chunked]), payload[i : i + rule.chunked])
                for i in range(0, len(payload), rule.chunked)
            )
            wire += b"0\r\n\r\n"
        else:
            wire = payload
        if rule.close_after is not None:
            wire = wire[: rule.close_after]
        sent = 0
        for at, seconds in rule.pauses:
            if at >= len(wire):
                break
            sock.sendall(wire[sent:at])
            sent = at
            self._sleep(seconds)
        sock.sendall(wire[sent:])
        return keep and rule.close_after is None


class Journal:
    """Every receipt of a set of backends, in arrival order (so the chosen-backend sequence is known)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.receipts = []

    def record(self, receipt):
        with self._lock:
            self.receipts.append(receipt)

    def snapshot(self):
        with self._lock:
            return list(self.receipts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", default="b1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--script", action="append", default=[], help="one behaviour line (repeatable)")
    args = ap.parse_args()
    journal = Journal()
    backend = Backend(args.id, "\n".join(args.script), journal, args.port).start()
    print(f"backend {args.id} on 127.0.0.1:{backend.port}", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            for r in journal.snapshot()[seen:]:
                print(f"[{r.backend} conn {r.conn}] {r.request_line} headers={r.headers} body={r.body!r}", flush=True)
                seen += 1
    except KeyboardInterrupt:
        backend.stop()


if __name__ == "__main__":
    main()
