"""`ewarung doctor`: an all-clear for a healthy shop, a plain list of what to fix otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from ewarung.cli import cli
from ewarung.db import utcnow
from ewarung.doctor import Limits, examine
from pos.models import Sale, Tender
from tests.conftest import make_app
from tests.factories import make_outlet, make_product, make_sale, make_stock
from tests.printer.printers import TcpPrinter

KEY = "d" * 64
#: the clock checks compare the computer's time with what is recorded: a fixed day
pytestmark = pytest.mark.now("2026-12-02T10:00:00+07:00")


def _doctor(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(cli, ["doctor", *args], obj=app)


def _shop_app(data_dir: Path, database_url: str, **overrides: Any) -> Any:
    app = make_app(data_dir, database_url, secret_key=KEY, **overrides)
    assert app.test_cli_runner().invoke(cli, ["init"], obj=app).exit_code == 0
    return app


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Any:
    """A shop that sold once and was just backed up; printing off."""
    app = _shop_app(tmp_path / "data", database_url)
    db = app.extensions["ewarung.db"]
    with app.app_context(), db.unit_of_work() as s:
        make_outlet(s)
        rice = make_product(s, "Beras 5 kg", price=65_000)
        make_stock(s, rice, 10)
        make_sale(s, app, [(rice, 1)])
    result = app.test_cli_runner().invoke(cli, ["backup", str(tmp_path / "b.ewbackup")], obj=app)
    assert result.exit_code == 0, result.output
    yield app
    db.dispose()


def _problems(result: Any) -> str:
    assert result.exit_code == 1, result.output
    assert "perlu diperbaiki" in result.output and "Traceback" not in result.output
    return str(result.output)


def test_a_healthy_shop_gets_a_short_all_clear(shop):
    result = _doctor(shop)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Semua baik:") and result.output.count("\n") == 1


def test_a_shop_never_backed_up_is_told_how_to_back_up(database_url, tmp_path):
    app = _shop_app(tmp_path / "data", database_url)
    try:
        out = _problems(_doctor(app))
        assert "Belum pernah ada cadangan" in out and "ewarung backup --rotate" in out
    finally:
        app.extensions["ewarung.db"].dispose()


def test_an_old_backup_and_a_full_disk_are_listed(shop):
    out = _problems(_doctor(shop, "--min-free-mb", str(10**9)))
    assert "Ruang disk tinggal" in out
    with shop.app_context():
        checkup = examine(shop.extensions["ewarung.db"], shop.extensions["ewarung.config"],
                          Limits(), utcnow() + timedelta(days=3))
    assert any(p.startswith("Cadangan terakhir dibuat 3 hari lalu") for p in checkup.problems)


def test_a_clock_behind_the_newest_sale_or_in_a_wrong_year_is_listed(shop):
    db = shop.extensions["ewarung.db"]
    with db.unit_of_work() as s:
        s.execute(update(Sale).values(created_at=utcnow() + timedelta(days=1)))
    out = _problems(_doctor(shop))
    assert "Jam komputer" in out and "lebih awal dari data terakhir" in out
    checkup = examine(db, shop.extensions["ewarung.config"], Limits(),
                      datetime(2000, 1, 1, tzinfo=UTC))
    assert any("Tahun pada jam komputer (2000)" in p for p in checkup.problems)


def test_another_secret_key_is_listed(shop, database_url, tmp_path):
    other = make_app(tmp_path / "other", database_url, secret_key="e" * 64)
    try:
        assert "Kunci rahasia tidak cocok" in _problems(_doctor(other))
    finally:
        other.extensions["ewarung.db"].dispose()


def test_sales_that_do_not_add_up_are_listed(shop):
    with shop.extensions["ewarung.db"].unit_of_work() as s:
        s.execute(update(Tender).values(amount=Tender.amount - 5_000))
    out = _problems(_doctor(shop))
    assert "Data tidak konsisten" in out and "pembayarannya tidak sama" in out


def test_a_damaged_sqlite_file_is_listed(shop, backend):
    if backend != "sqlite":
        pytest.skip("a file to damage is SQLite's")
    db = shop.extensions["ewarung.db"]
    db.dispose()
    path = Path(db.engine.url.database)
    with path.open("r+b") as fh:  # scribble over the middle pages, keep the header
        fh.seek(4096 * 3)
        fh.write(b"\xa5" * 4096 * 4)
    out = _problems(_doctor(shop))
    assert "Berkas basis data rusak" in out or "tidak bisa dibaca" in out


@pytest.mark.parametrize(("status", "says"), [
    ({1: b"\x16", 4: b"\x72"}, "Kertas struk habis"),
    ({1: b"\x16", 4: b"\x1e"}, "Kertas struk hampir habis"),
    (None, "tidak menjawab"),
])
def test_the_printer_is_checked(database_url, tmp_path, status, says):
    printer = TcpPrinter(status=status)
    if status is None:
        printer.refuse()  # switched off
    app = _shop_app(tmp_path / "data", database_url, printer=printer.url)
    try:
        assert app.test_cli_runner().invoke(
            cli, ["backup", str(tmp_path / "b.ewbackup")], obj=app).exit_code == 0
        out = _problems(_doctor(app))
        assert says in out and out.count("\n  ") == 1  # the printer, nothing else
    finally:
        app.extensions["ewarung.db"].dispose()
        printer.close()


def test_a_printer_that_is_a_file_is_a_problem(database_url, tmp_path):
    app = _shop_app(tmp_path / "data", database_url,
                    printer=f"file://{tmp_path / 'data' / 'secret_key'}")
    try:
        assert app.test_cli_runner().invoke(
            cli, ["backup", str(tmp_path / "b.ewbackup")], obj=app).exit_code == 0
        out = _problems(_doctor(app))
        assert "Alamat printer" in out and "tidak sah" in out and out.count("\n  ") == 1
    finally:
        app.extensions["ewarung.db"].dispose()
