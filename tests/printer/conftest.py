"""Printer test fixtures: an app whose printer is a real TCP printer on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ewarung.db import Database
from printer.setup import PrinterEnv, PrinterSetup, printer_setup
from printer.worker import PrintWorker
from tests.conftest import make_app
from tests.ewarung.test_backup import other_backend_url  # noqa: F401  (a fixture for backups)
from tests.printer.printers import PtyPrinter, TcpPrinter

PROFILE_80 = "TM-T20II"  # 80 mm, 48 columns, native QR, cutter
PROFILE_58 = "POS-5890"  # 58 mm, 32 columns, no native QR, no cutter


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    """A network printer on 127.0.0.1 and a random port."""
    printer = TcpPrinter()
    yield printer
    printer.close()


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    """A serial printer at the far end of a pty pair."""
    printer = PtyPrinter()
    yield printer
    printer.close()


@pytest.fixture
def printer_url(tcp_printer: TcpPrinter) -> str:
    """EWARUNG_PRINTER for the `app` of these tests."""
    return tcp_printer.url


@pytest.fixture
def printer_profile() -> str:
    """EWARUNG_PRINTER_PROFILE for the `app` of these tests."""
    return PROFILE_80


@pytest.fixture
def app(database_url: str, tmp_path: Path, printer_url: str, printer_profile: str) -> Iterator[Any]:
    """The application, printing to `printer_url` with `printer_profile`."""
    application = make_app(tmp_path / "data", database_url, printer=printer_url,
                           printer_profile=printer_profile)
    yield application
    worker = application.extensions.get("printer.worker")
    if worker is not None:
        worker.stop()
    application.extensions["ewarung.db"].dispose()


def setup_for(db: Database, url: str, profile: str = PROFILE_80) -> PrinterSetup:
    """The printer setup for `url`, with the database's saved settings."""
    with db.unit_of_work(write=False) as s:
        return printer_setup(s, PrinterEnv(url, profile))


@pytest.fixture
def worker(db: Database) -> Iterator[PrintWorker]:
    """A real print worker thread on the test database."""
    running = PrintWorker(db, idle_poll=0.5).start()
    yield running
    running.stop()
