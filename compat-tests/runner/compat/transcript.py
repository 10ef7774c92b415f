"""Turns what one side produced into a normalised, line-oriented transcript. Two transcripts are equal exactly when
the sides behaved the same up to the declared normalisations, and their unified diff is the readable report.

Always normalised (they must differ): this side's ports and temp dir (to @PORT@, @BPORT_id@, @T@), the Date
header, the order of the methods in Allow (Apache's order varies between runs). Normalised unless the scenario says `keep: server`: the Server header. Only when the scenario says
`normalise: ...`: etag, last-modified, keep-alive (Keep-Alive header values), plus its normalise-body /
normalise-header regexes; a response whose body a regex changed also gets its Content-Length normalised."""

import hashlib
import re

BODY_LIMIT = 16384
# balancer-manager nonces (a UUID per balancer, new at every start): `normalise: nonce`
_NONCE = "<nonce>".ljust(36, "-")
# The manager page's "[p4f2a9c1e_name]": a hash of the balancer's shared-memory id, which includes the vhost's
# address and port, so it differs between sides; normalised with the nonce.
_ERROR_TIME = re.compile(r"(<httpd:error_time>)\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT(</httpd:error_time>)")
_SHM_ID = re.compile(r"\[p[0-9a-f]{1,8}(_[^\]]*)\]")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _sub_forms(text, forms):
    for value, symbol in forms:
        if value.isdigit():  # a port: not the same digits inside a longer number (a byte count, a pid)
            text = re.sub(rf"(?<!\d){value}(?!\d)", symbol, text)
        else:
            text = text.replace(value, symbol)
    return text


def _render_body(body, out, indent="", raw_len=None):
    """raw_len: the length on the wire (normalisation may have changed the length of what is shown)."""
    shown = body if len(body) <= BODY_LIMIT else body[: BODY_LIMIT // 2]
    out.append(f"{indent}body: {len(body) if raw_len is None else raw_len} bytes")
    for line in shown.split(b"\n") if shown else []:
        text = "".join(
            ch if (32 <= ord(ch) < 127 or ch == "\t") else ("\\r" if ch == "\r" else f"\\x{ord(ch):02x}")
            for ch in line.decode("latin-1")
        )
        out.append(f"{indent}| {text}")
    if shown is not body:
        out.append(f"{indent}| ... (truncated; sha256 {hashlib.sha256(body).hexdigest()})")


class Normalise:
    def __init__(self, scenario, forms):
        self.sc, self.forms = scenario, forms

    def header_value(self, name, value):
        lname = name.lower()
        if "nonce" in self.sc.normalise:  # before the ports: a random UUID may contain a port's five digits
            value = _UUID.sub(_NONCE, value)
        value = _sub_forms(value, self.forms)
        if lname == "date":
            return "<date>"
        if lname == "allow":  # Apache builds it from a hash table: the order differs from run to run
            return ",".join(sorted(t.strip() for t in value.split(",")))
        if lname == "server" and "server" not in self.sc.keep:
            return "<server>"
        if lname == "etag" and "etag" in self.sc.normalise:
            return "<etag>"
        if lname == "last-modified" and "last-modified" in self.sc.normalise:
            return "<last-modified>"
        if lname == "keep-alive" and "keep-alive" in self.sc.normalise:
            return "<keep-alive>"
        for n in self.sc.normalisers:
            if n.header == lname:
                value = n.regex.sub(n.replacement, value)
        return value

    def body(self, body):
        """Returns (normalised body, whether a declared body regex changed it)."""
        text = body.decode("latin-1")
        changed = False
        if "nonce" in self.sc.normalise:  # before the ports: a random UUID or hash may contain a port's digits
            text = _UUID.sub(_NONCE, text)  # same length (36), so Content-Length is still compared
            new = _SHM_ID.sub(r"[p<id>\1]", text)  # its hex width varies (%x of a hash): lengths change
            changed, text = new != text, new
            text = _ERROR_TIME.sub(r"\1<error-time>-----------------\2", text)  # a clock reading; same length
        text = _sub_forms(text, self.forms)
        for n in self.sc.normalisers:
            if n.header is None:
                new = n.regex.sub(n.replacement, text)
                changed = changed or new != text
                text = new
        return text.encode("latin-1"), changed

    def headers(self, headers, body_changed=False):
        rows = []
        for name, value in headers:
            v = self.header_value(name, value)
            if body_changed and name.lower() == "content-length":
                v = "<normalised-length>"
            rows.append((name.lower(), v))
        if "header-order" not in self.sc.keep:
            rows.sort(key=lambda r: r[0])  # stable: duplicates keep their order
        return rows


def render(scenario, outcomes, receipts, forms):
    norm = Normalise(scenario, forms)
    out = []
    for req in scenario.requests:
        o = outcomes.get(req.name)
        out.append(f"== request {req.name}" + (f" (conn {req.conn})" if req.conn else ""))
        if o is None:
            out.append("not sent")
            continue
        if o.tls:
            out.append(f"tls: {o.tls}")
        if o.event:
            out.append(f"event: {o.event}")
        for i, r in enumerate(o.responses, 1):
            if len(o.responses) > 1:
                out.append(f"-- response {i}")
            for status, headers in r.interims:
                out.append(f"interim: {status}")
                out += [f"  header {n}: {v}" for n, v in norm.headers(headers)]
            if r.status_line is not None:
                out.append(f"status: {_sub_forms(r.status_line, forms)}")
            body, changed = norm.body(r.body)
            out += [f"header {n}: {v}" for n, v in norm.headers(r.headers, changed)]
            if r.status_line is not None:
                out.append(f"framing: {r.framing}")
                _render_body(body, out, "", "<normalised>" if changed else len(r.body))
            if r.error:
                out.append(f"error: {r.error}")
            if r.raw:
                _render_body(norm.body(r.raw)[0], out, "", f"{len(r.raw)} raw")
    if "__access_log__" in outcomes:
        # Sorted: lines are written after each response is sent, so their order across connections is a race.
        out.append("== access log (LogFormat common of @BASE@; time normalised; lines sorted)")
        lines = [re.sub(r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]", "[<time>]", line)
                 for line in outcomes["__access_log__"].splitlines()]
        out += sorted("  " + _sub_forms(line, forms) for line in lines)
    if scenario.grep_log:
        # Log lines an operator greps for: what each grep-log regex matches, in log order (timestamps, pids and
        # the rest of the line are not compared).
        out.append("== error log matches")
        for line in outcomes.get("__error_log__", "").splitlines():
            for rx in scenario.grep_log:
                m = rx.search(line)
                if m:
                    out.append("  " + _sub_forms(m.group(0), forms))
    if "__exit__" in outcomes:
        out.append(f"== the server exited during the scenario (status {outcomes['__exit__']})")
    if receipts or scenario.backends:
        out.append("== backends")
        counts = {}
        for rc in receipts:
            counts[rc.backend] = counts.get(rc.backend, 0) + 1
            conn = f" conn {rc.conn}" if "backend-conn" in scenario.keep else ""
            out.append(f"{rc.backend} #{counts[rc.backend]}{conn}: {_sub_forms(rc.request_line, forms)}")
            out += [f"  header {n}: {v}" for n, v in norm.headers(rc.headers)]
            if rc.chunked:
                out.append("  framing: chunked")
            body, changed = norm.body(rc.body)
            _render_body(body, out, "  ", "<normalised>" if changed else len(rc.body))
        out.append("chosen: " + (" ".join(rc.backend for rc in receipts) or "(none)"))
    return out
