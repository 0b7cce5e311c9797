"""A loopback TCP proxy between clients and the relay that drops, delays, duplicates and resets
connections (scenario 9). Chaos is off until ``enable()``; then connections meet each failure
mode in turn."""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time

MODES = ("reset", "delay", "drop", "pass", "duplicate", "delay")
COUNTED = {"reset": "reset", "drop": "dropped", "duplicate": "duplicated", "delay": "delayed"}


class ChaosProxy:
    def __init__(self, upstream_port: int, seed: int = 9) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.chaos = False
        self.counts = {"connections": 0, "reset": 0, "dropped": 0, "duplicated": 0, "delayed": 0}
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._stop = False
        self._turn = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def enable(self) -> None:
        self.chaos = True

    def close(self) -> None:
        self._stop = True
        with contextlib.suppress(OSError):
            self.server.close()

    def _roll(self) -> float:
        with self._lock:
            return self._random.random()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):  # SO_LINGER 0: close with a TCP reset
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def _serve(self, client: socket.socket) -> None:
        self.counts["connections"] += 1
        mode = "pass"
        if self.chaos:
            # every mode in turn, so a short run still meets each kind of failure
            with self._lock:
                mode = MODES[self._turn % len(MODES)]
                self._turn += 1
            if mode != "pass":
                self.counts[COUNTED[mode]] += 1
        if mode == "reset":
            self._reset(client)
            return
        try:
            upstream = socket.create_connection(self.upstream)
        except OSError:
            self._reset(client)
            return
        sent: list[bytes] = []

        def up() -> None:
            with contextlib.suppress(OSError):
                while data := client.recv(65536):
                    if mode == "delay":
                        time.sleep(self._roll() * 0.05)
                    sent.append(data)
                    upstream.sendall(data)
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)

        reader = threading.Thread(target=up, daemon=True)
        reader.start()
        forwarded = 0
        with contextlib.suppress(OSError):
            while data := upstream.recv(65536):
                if mode == "drop" and forwarded + len(data) > 200:
                    # the relay did the work, the client never hears: it must retry safely
                    self._reset(client)
                    upstream.close()
                    return
                client.sendall(data)
                forwarded += len(data)
        reader.join(timeout=5)
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.close()
        if mode == "duplicate" and sent:
            self._replay(b"".join(sent))

    def _replay(self, data: bytes) -> None:
        """Send the same request bytes again on a new connection, ignoring the answer."""
        with contextlib.suppress(OSError), socket.create_connection(self.upstream) as again:
            again.sendall(data)
            again.shutdown(socket.SHUT_WR)
            again.settimeout(10)
            while again.recv(65536):
                pass
