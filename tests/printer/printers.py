"""Printers on the other end of real transports: a TCP printer on loopback, a pty serial line.

These stand where the thermal printer stands; our code talks to them through python-escpos's
own Network and Serial classes, exactly as it talks to a real printer.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

DLE_EOT = b"\x10\x04"


@dataclass
class Connection:
    """What one connection delivered."""

    data: bytearray = field(default_factory=bytearray)
    first_byte_at: float | None = None
    dropped: bool = False


class TcpPrinter:
    """A network printer (raw port 9100 style) on 127.0.0.1 and a random port.

    `refuse()` closes the port (connections are refused) and `accept()` opens it again;
    `drop_after(n)` makes the next connection hang up after n bytes, unread data pending,
    as a printer does when it is switched off mid-job.
    """

    def __init__(self, status: dict[int, bytes] | None = None) -> None:
        self.port = 0
        self.connections: list[Connection] = []
        self.arrived = threading.Condition()
        #: answers to DLE EOT n status queries, by n; None: stay silent
        self.status = status
        self._drop_after: int | None = None
        self._server: socket.socket | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.accept()

    @property
    def url(self) -> str:
        return f"network://127.0.0.1:{self.port}"

    def accept(self) -> None:
        """Listen (again, on the same port)."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        self.port = server.getsockname()[1]
        server.listen(8)
        server.settimeout(0.1)
        self._server = server
        self._stop.clear()
        thread = threading.Thread(target=self._serve, args=(server,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def refuse(self) -> None:
        """Stop listening: connecting now fails with 'connection refused'."""
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        self._threads.clear()

    def drop_after(self, nbytes: int) -> None:
        """The next connection is cut after `nbytes` bytes."""
        self._drop_after = nbytes

    def close(self) -> None:
        self.refuse()

    def _serve(self, server: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = server.accept()
                except TimeoutError:
                    continue
                self._handle(conn)
        finally:
            server.close()

    def _handle(self, conn: socket.socket) -> None:
        record = Connection()
        limit, self._drop_after = self._drop_after, None
        conn.settimeout(5)
        with conn:
            while True:
                try:
                    chunk = conn.recv(256 if limit is not None else 65536)
                except OSError:
                    break
                if not chunk:
                    break
                if record.first_byte_at is None:
                    record.first_byte_at = time.perf_counter()
                if limit is not None and len(record.data) + len(chunk) >= limit:
                    record.data += chunk[:max(limit - len(record.data), 0)]
                    record.dropped = True
                    # Unread data makes the kernel answer with a reset, like a dying printer.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                record.data += chunk
                self._answer_status(conn, chunk)
            # Recorded before hanging up: whoever sees the connection end sees the record.
            with self.arrived:
                self.connections.append(record)
                self.arrived.notify_all()

    def _answer_status(self, conn: socket.socket, chunk: bytes) -> None:
        if self.status is None:
            return
        start = chunk.find(DLE_EOT)
        while start >= 0 and start + 2 < len(chunk):
            answer = self.status.get(chunk[start + 2])
            if answer:
                conn.sendall(answer)
            start = chunk.find(DLE_EOT, start + 3)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Connection]:
        """Block until `count` connections have ended; the completed ones."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.connections) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.arrived.wait(left)
            return list(self.connections)

    def jobs(self) -> list[bytes]:
        """The bytes of every connection that delivered a whole job."""
        with self.arrived:
            return [bytes(c.data) for c in self.connections if not c.dropped and c.data]


class PtyPrinter:
    """A serial printer at the far end of a pseudo-terminal pair."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.data = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def url(self, baudrate: int = 9600) -> str:
        return f"serial://{self.path}?baudrate={baudrate}"

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.data += os.read(self.master, 65536)
                except OSError:
                    return

    def received(self, nbytes: int, timeout: float = 10.0) -> bytes:
        """Wait until at least `nbytes` arrived; what arrived."""
        deadline = time.monotonic() + timeout
        while len(self.data) < nbytes and time.monotonic() < deadline:
            time.sleep(0.02)
        return bytes(self.data)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)
