"""`ewarung serve` as a subprocess for benchmarks that go through real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests


@dataclass
class Served:
    """A running server: its base URL and process id."""

    url: str
    pid: int


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(database_url: str, data_dir: Path, env: dict[str, str] | None = None,
          args: Sequence[str] = ()) -> Iterator[Served]:
    """`ewarung serve [args]` on a free port, stopped afterwards; its messages go to
    `data_dir/serve.log` (a pipe nobody reads would block it once full)."""
    port = free_port()
    environ = {**os.environ, "EWARUNG_DATABASE_URL": database_url,
               "EWARUNG_DATA_DIR": str(data_dir), "EWARUNG_PORT": str(port), **(env or {})}
    exe = Path(sys.executable).with_name("ewarung")
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([str(exe), "serve", *args], env=environ,
                                stdout=subprocess.DEVNULL, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(base + "/login", timeout=1)
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("ewarung serve did not start:\n"
                                           + log_path.read_text()) from None
                    time.sleep(0.2)
            yield Served(base, proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


