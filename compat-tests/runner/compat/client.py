"""A deliberately literal HTTP/1.x client: it sends exactly the bytes a scenario gives and reports exactly what
came back (interim responses, status line, headers in order, body, how the body was framed, and whether the
server closed the connection or timed out)."""

import hashlib
import select
import ssl
import socket
import time


class Response:
    def __init__(self):
        self.interims = []  # [(status_line, [(name, value)])]
        self.status_line = None
        self.version = self.reason = ""
        self.code = None
        self.headers = []
        self.body = b""
        self.framing = "none"
        self.error = None  # None | "timeout" | "closed" | "reset" | "truncated" | "bad-response"
        self.raw = b""  # the bytes received when they did not form a response head

    def header(self, name):
        name = name.lower()
        for n, v in self.headers:
            if n.lower() == name:
                return v
        return None


class _Closed(Exception):
    pass


class Connection:
    def __init__(self, port, timeout, tls=False, sni=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.tls_info = None
        if tls:  # test servers use self-signed certificates: what is compared is the HTTP, plus the handshake facts
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock, server_hostname=sni)
            cert = self.sock.getpeercert(binary_form=True) or b""
            self.tls_info = f"{self.sock.version()} cert-sha256 {hashlib.sha256(cert).hexdigest()[:16]}"
        self.buf = b""
        self.total = 0  # bytes received so far, to tell "closed" from "truncated"
        self.log = b""  # everything received, to show what came when no proper response did
        self.closed_by_peer = False
        self.last_response = None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def peer_closed(self, wait):
        """Whether the server has closed its side; waits up to `wait` seconds for it to do so."""
        if self.closed_by_peer:
            return True
        if self.buf:
            return False
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return False
        ready, _, _ = select.select([self.sock], [], [], wait)
        if not ready:
            return False
        try:
            data = self.sock.recv(65536, socket.MSG_PEEK)
        except OSError:
            data = b""
        if not data:
            self.closed_by_peer = True
        return self.closed_by_peer

    def send(self, data):
        self.sock.sendall(data)

    def _more(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            self.closed_by_peer = True
            raise _Closed()
        self.total += len(data)
        self.log += data
        self.buf += data

    def _line(self, deadline):
        while b"\n" not in self.buf:
            self._more(deadline)
        line, _, self.buf = self.buf.partition(b"\n")
        return line[:-1] if line.endswith(b"\r") else line

    def _exact(self, n, deadline):
        while len(self.buf) < n:
            self._more(deadline)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _headers(self, deadline):
        headers = []
        while True:
            line = self._line(deadline).decode("latin-1")
            if not line:
                return headers
            if line[:1] in (" ", "\t") and headers:  # obsolete folding: keep it visible, joined
                headers[-1] = (headers[-1][0], headers[-1][1] + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            headers.append((name, value.strip()))

    def _drain(self, deadline):
        """After a response we cannot parse: collect what else comes, briefly, so it can be shown."""
        try:
            while True:
                self._more(min(deadline, time.monotonic() + 0.3))
        except (socket.timeout, _Closed, OSError):
            pass

    def read_response(self, method, timeout, stop_after_interim=False):
        """Reads one final response (collecting any 1xx before it). With stop_after_interim, returns as soon as
        one 1xx has been read (for Expect: 100-continue)."""
        r = Response()
        deadline = time.monotonic() + timeout
        mark = len(self.log) - len(self.buf)
        try:
            while True:
                status = self._line(deadline).decode("latin-1")
                parts = status.split(" ", 2)
                if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
                    r.error = "bad-response"
                    self._drain(deadline)
                    r.raw, self.buf = self.log[mark : mark + 2048], b""
                    return r
                headers = self._headers(deadline)
                code = int(parts[1])
                if 100 <= code < 200 and code != 101:
                    r.interims.append((status, headers))
                    if stop_after_interim:
                        return r
                    continue
                r.status_line, r.version, r.code = status, parts[0], code
                r.reason = parts[2] if len(parts) > 2 else ""
                r.headers = headers
                break
            te = (r.header("transfer-encoding") or "").lower()
            cl = r.header("content-length")
            if method == "HEAD" or code in (204, 304) or code == 101:
                r.framing = "none"
            elif "chunked" in te:
                r.framing = "chunked"
                body = []
                while True:
                    size = int(self._line(deadline).split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self._line(deadline):
                            pass
                        break
                    body.append(self._exact(size, deadline))
                    self._line(deadline)
                r.body = b"".join(body)
            elif cl is not None and cl.strip().isdigit():
                r.framing = "content-length"
                r.body = self._exact(int(cl), deadline)
            else:
                r.framing = "close"
                try:
                    while True:
                        self._more(deadline)
                except _Closed:
                    pass
                r.body, self.buf = self.buf, b""
        except socket.timeout:
            r.error = "timeout"
        except _Closed:
            r.error = "truncated" if len(self.log) > mark else "closed"
        except ConnectionResetError:
            r.error = "reset"
        except ValueError:
            r.error = "bad-response"
        if r.error and r.status_line is None:
            r.raw = self.log[mark : mark + 2048]
            self.buf = b""
        return r
