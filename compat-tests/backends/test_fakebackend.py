#!/usr/bin/env python3
"""Self-tests of the fake backends' newer script instructions (the older ones are covered by
runner/test_runner.py): @PEER@ and echo-peer (the address a request came from: ProxySourceAddress), and
pause-at (a body sent in delayed pieces: flushing), accept off (connects hang: connectiontimeout=). Plain sockets, no runner, no Apache."""

import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakebackend  # noqa: E402


def read_all(sock, deadline):
    """Everything until the peer closes, with the monotonic time each piece arrived."""
    pieces = []
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        pieces.append((time.monotonic(), data))
    return pieces


class FakeBackendAdditions(unittest.TestCase):
    def run_backend(self, script, request, source=None, wait=5.0):
        journal = fakebackend.Journal()
        b = fakebackend.Backend("bx", script, journal).start()
        try:
            s = socket.socket()
            if source:
                s.bind((source, 0))
            s.connect(("127.0.0.1", b.port))
            start = time.monotonic()
            s.sendall(request)
            pieces = read_all(s, start + wait)
            s.close()
            return start, pieces, journal.snapshot()
        finally:
            b.stop()

    def test_peer_placeholder_names_the_source_address(self):
        script = "header X-Peer: @PEER@\nbody from @PEER@\nkeep-alive off"
        _, pieces, _ = self.run_backend(script, b"GET / HTTP/1.1\r\n\r\n", source="127.0.0.2")
        data = b"".join(p for _, p in pieces)
        self.assertIn(b"\r\nX-Peer: 127.0.0.2\r\n", data)
        self.assertTrue(data.endswith(b"\r\n\r\nfrom 127.0.0.2"), data)

    def test_echo_peer_adds_the_peer_to_the_echo_only_when_asked(self):
        _, pieces, _ = self.run_backend("echo-peer\nkeep-alive off", b"GET /p HTTP/1.1\r\nA: 1\r\n\r\n")
        data = b"".join(p for _, p in pieces)
        self.assertTrue(data.endswith(b"\r\n\r\nbackend=bx peer=127.0.0.1\nGET /p HTTP/1.1\nA: 1\n\n"), data)
        _, pieces, _ = self.run_backend("keep-alive off", b"GET /p HTTP/1.1\r\n\r\n")
        self.assertIn(b"\r\n\r\nbackend=bx\nGET /p", b"".join(p for _, p in pieces))

    def test_pause_at_sends_the_body_in_delayed_pieces(self):
        script = "body 0123456789\npause-at 4 0.6\npause-at 7 0.3\nkeep-alive off"
        start, pieces, _ = self.run_backend(script, b"GET / HTTP/1.1\r\n\r\n")
        data = b"".join(p for _, p in pieces)
        self.assertTrue(data.endswith(b"\r\n\r\n0123456789"), data)
        # The first piece did not wait for the pauses; the last one waited for both.
        before_pause = b"".join(p for t, p in pieces if t - start < 0.4)
        self.assertTrue(before_pause.endswith(b"\r\n\r\n0123"), before_pause)
        self.assertGreaterEqual(pieces[-1][0] - start, 0.85)

    def test_pause_at_counts_chunk_framing(self):
        script = "chunked 5\nbody abcdefghij\npause-at 10 0.5\nkeep-alive off"
        start, pieces, _ = self.run_backend(script, b"GET / HTTP/1.1\r\n\r\n")
        early = b"".join(p for t, p in pieces if t - start < 0.3)
        self.assertTrue(early.endswith(b"\r\n\r\n5\r\nabcde\r\n"), early)
        self.assertTrue(b"".join(p for _, p in pieces).endswith(b"5\r\nfghij\r\n0\r\n\r\n"))

    def test_pause_at_beyond_the_body_and_with_close_after(self):
        _, pieces, _ = self.run_backend("body abc\npause-at 10 2\nkeep-alive off", b"GET / HTTP/1.1\r\n\r\n", wait=1.0)
        self.assertTrue(b"".join(p for _, p in pieces).endswith(b"\r\n\r\nabc"))  # no pause: within 1 s
        start, pieces, _ = self.run_backend("body abcdef\nclose-after 4\npause-at 2 0.3", b"GET / HTTP/1.1\r\n\r\n")
        self.assertTrue(b"".join(p for _, p in pieces).endswith(b"\r\n\r\nabcd"))
        self.assertGreaterEqual(pieces[-1][0] - start, 0.25)

    def test_pause_at_script_errors(self):
        with self.assertRaisesRegex(ValueError, "line 2"):
            fakebackend.parse_script("pause-at 5 1\npause-at 5 1\n")
        with self.assertRaisesRegex(ValueError, "line 1"):
            fakebackend.parse_script("pause-at 5\n")

    def test_accept_off_makes_connects_hang(self):
        b = fakebackend.Backend("bh", "accept off\nbody never", fakebackend.Journal()).start()
        try:
            for _ in range(2):  # every connect, not only the first
                s = socket.socket()
                s.settimeout(0.5)
                started = time.monotonic()
                with self.assertRaises(socket.timeout):
                    s.connect(("127.0.0.1", b.port))
                self.assertGreaterEqual(time.monotonic() - started, 0.45)
                s.close()
        finally:
            b.stop()
        with socket.socket() as s:  # stopped: the port now refuses, as a stopped backend's does
            with self.assertRaises(ConnectionRefusedError):
                s.connect(("127.0.0.1", b.port))

    def test_accept_is_a_default_rule_instruction(self):
        with self.assertRaisesRegex(ValueError, "line 2"):
            fakebackend.parse_script("when /x\naccept off\n")
        self.assertTrue(fakebackend.parse_script("body x")[0].accept)


if __name__ == "__main__":
    unittest.main(verbosity=2)
