"""The data remembers its secret key: under another one the shop refuses to start.

With another key no card is found, every genuine receipt looks forged, and a re-imported
KPM list marks the real cards replaced; so every command that uses the key stops first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aid.models import KksCard
from bench.server import free_port
from ewarung.cli import cli
from tests.conftest import make_app
from tests.factories import make_card_number, make_nik
from tests.pos.conftest import run_cli

KEY_A = "a" * 64
KEY_B = "b" * 64


@pytest.fixture
def shop_a(database_url: str, tmp_path: Path) -> Any:
    """The shop as it was set up: initialised and with KPM imported under KEY_A."""
    app = make_app(tmp_path / "a", database_url, secret_key=KEY_A)
    kpm = tmp_path / "kpm.csv"
    kpm.write_text("nik;nama;no_kks;desa\n"
                   f"{make_nik()};Siti Aminah;{make_card_number()};Sukamaju\n"
                   f"{make_nik()};Budi Santoso;{make_card_number()};Sukamaju\n")
    assert run_cli(app, "init").exit_code == 0
    result = run_cli(app, "kpm", "import", str(kpm))
    assert result.exit_code == 0, result.output
    app.kpm_file = kpm
    yield app
    app.extensions["ewarung.db"].dispose()


@pytest.fixture
def shop_b(database_url: str, tmp_path: Path, shop_a: Any) -> Any:
    """The same data, started with another key (a lost key file, a typo in the variable)."""
    app = make_app(tmp_path / "b", database_url, secret_key=KEY_B)
    yield app
    app.extensions["ewarung.db"].dispose()


def _cards(app: Any) -> list[tuple[str, str]]:
    with app.extensions["ewarung.db"].unit_of_work(write=False) as s:
        return [(c.card_hash, c.status) for c in s.scalars(select(KksCard).order_by(KksCard.id))]


def _refused(result: Any) -> None:
    assert result.exit_code == 1, result.output
    assert "Kunci rahasia tidak cocok" in result.output
    assert "EWARUNG_SECRET_KEY" in result.output and "ewarung key adopt" in result.output


def test_serve_refuses_to_start_under_another_key(shop_a, database_url, tmp_path):
    env = {**os.environ, "EWARUNG_DATA_DIR": str(tmp_path / "b"),
           "EWARUNG_DATABASE_URL": database_url, "EWARUNG_SECRET_KEY": KEY_B,
           "EWARUNG_PORT": str(free_port())}
    exe = Path(sys.executable).with_name("ewarung")
    done = subprocess.run([str(exe), "serve"], env=env, capture_output=True, text=True,
                          timeout=60)  # were it to start, it would serve until killed here
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Kunci rahasia tidak cocok" in done.stderr
    assert "EWARUNG_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def test_a_kpm_import_under_another_key_changes_no_card(shop_a, shop_b):
    before = _cards(shop_a)
    assert [status for _, status in before] == ["active", "active"]
    _refused(run_cli(shop_b, "kpm", "import", str(shop_a.kpm_file)))
    assert _cards(shop_a) == before


@pytest.mark.parametrize("command", [["demo"], ["init"], ["backup", "x.ewbackup"]])
def test_other_commands_that_use_the_key_refuse_another_key(shop_b, tmp_path, command):
    if command[0] == "backup":
        command = ["backup", str(tmp_path / command[1])]
    _refused(run_cli(shop_b, *command))
    assert not (tmp_path / "x.ewbackup").exists()


def test_the_key_is_recorded_on_first_use_as_a_fingerprint_that_does_not_reveal_it(shop_a):
    from ewarung.installation import Installation, key_fingerprint

    with shop_a.extensions["ewarung.db"].unit_of_work(write=False) as s:
        row = s.get(Installation, 1)
        assert row.key_fingerprint == key_fingerprint(KEY_A) != key_fingerprint(KEY_B)
        assert KEY_A not in row.key_fingerprint and KEY_A[:16] not in row.key_fingerprint
    again = run_cli(shop_a, "init")
    assert again.exit_code == 0 and "dicatat" not in again.output


def test_adopting_a_new_key_says_what_it_costs_and_asks_first(shop_a, shop_b, tmp_path):
    from ewarung.audit import AuditEvent

    declined = shop_b.test_cli_runner().invoke(cli, ["key", "adopt"], obj=shop_b, input="n\n")
    assert declined.exit_code == 1
    assert "impor ulang daftar KPM" in declined.output and "/r/" in declined.output
    _refused(run_cli(shop_b, "backup", str(tmp_path / "b.ewbackup")))
    adopted = run_cli(shop_b, "key", "adopt", "--yes")
    assert adopted.exit_code == 0, adopted.output
    assert run_cli(shop_b, "backup", str(tmp_path / "b.ewbackup")).exit_code == 0
    _refused(run_cli(shop_a, "kpm", "import", str(shop_a.kpm_file)))  # the old key now
    with shop_b.extensions["ewarung.db"].unit_of_work(write=False) as s:
        assert s.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "secret_key.adopted")) is not None


def test_a_restored_backup_keeps_its_key_and_refuses_another(shop_a, empty_database_url,
                                                            tmp_path):
    path = tmp_path / "shop.ewbackup"
    assert run_cli(shop_a, "backup", str(path)).exit_code == 0
    elsewhere = make_app(tmp_path / "c", empty_database_url, secret_key=KEY_B)
    try:
        refused = run_cli(elsewhere, "restore", str(path))
        assert refused.exit_code == 1 and "kunci rahasia lain" in refused.output
    finally:
        elsewhere.extensions["ewarung.db"].dispose()
    restored = make_app(tmp_path / "d", empty_database_url, secret_key=KEY_A)
    try:
        result = run_cli(restored, "restore", str(path))
        assert result.exit_code == 0, result.output
        assert _cards(restored) == _cards(shop_a)
        assert run_cli(restored, "kpm", "import", str(shop_a.kpm_file)).exit_code == 0
        assert _cards(restored) == _cards(shop_a)  # the same cards, none replaced
    finally:
        restored.extensions["ewarung.db"].dispose()
    wrong = make_app(tmp_path / "e", empty_database_url, secret_key=KEY_B)
    try:
        _refused(run_cli(wrong, "kpm", "import", str(shop_a.kpm_file)))
    finally:
        wrong.extensions["ewarung.db"].dispose()
