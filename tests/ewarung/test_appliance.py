"""The shop computer as an appliance: a systemd service, nightly dated backups on a USB disk."""

from __future__ import annotations

import os
import pwd
import re
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ewarung.backup import verify_file
from ewarung.cli import cli
from ewarung.installation import last_backup
from ewarung.rotation import DATED, dated_backups, rotate
from ewarung.service import USER
from tests.conftest import make_app
from tests.factories import make_outlet, make_user

SYSTEMD_ANALYZE = Path("/usr/bin/systemd-analyze")


def _another_account() -> str:
    """An account other than root and nobody (systemd warns about both)."""
    for entry in pwd.getpwall():
        if 0 < entry.pw_uid < 65534 and USER.fullmatch(entry.pw_name):
            return entry.pw_name
    pytest.skip("no account besides root and nobody")


def _run(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(cli, list(args), obj=app)


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Any:
    """A shop whose data directory's path has a space and a % in it (systemd escapes both)."""
    app = make_app(tmp_path / "toko 100%", database_url, secret_key="k" * 64)
    assert _run(app, "init").exit_code == 0
    with app.extensions["ewarung.db"].unit_of_work() as s:
        make_outlet(s)
        make_user(s, "manager")
    yield app
    app.extensions["ewarung.db"].dispose()


@pytest.mark.skipif(not SYSTEMD_ANALYZE.exists(), reason="needs systemd-analyze")
def test_service_install_writes_units_that_systemd_accepts(shop, tmp_path, backend):
    units, usb, account = tmp_path / "units", tmp_path / "usb disk", _another_account()
    result = _run(shop, "service", "install", "--dir", str(units), "--no-enable", "--user",
                  account, "--backup-dir", str(usb), "--keep", "10", "--backup-at", "20:30")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in units.iterdir())
    assert names == ["ewarung-backup.service", "ewarung-backup.timer", "ewarung.service"]
    checked = subprocess.run([str(SYSTEMD_ANALYZE), "verify", *(str(units / n) for n in names)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    server = (units / "ewarung.service").read_text()
    assert "Restart=on-failure" in server and "WantedBy=multi-user.target" in server
    assert re.search(r'^ExecStart=".*/ewarung" serve ', server, re.M)
    assert ("postgresql.service" in server) == (backend == "postgresql")
    night = (units / "ewarung-backup.service").read_text()
    assert f'backup --rotate "{usb}" --keep 10' in night
    timer = (units / "ewarung-backup.timer").read_text()
    assert "OnCalendar=*-*-* 20:30:00" in timer and "Persistent=true" in timer
    env_file = shop.extensions["ewarung.config"].data_dir / "ewarung.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    database_url = shop.extensions["ewarung.config"].database_url
    assert f"EWARUNG_DATABASE_URL='{database_url}'" in env_file.read_text()
    for unit in (server, night, timer):  # settings and secrets stay in the owner-only file
        assert database_url not in unit and "k" * 64 not in unit
    assert f"User={account}" in server and f"User={account}" in night
    if os.geteuid() == 0:  # installed with sudo: the service's account owns its data
        uid = pwd.getpwnam(account).pw_uid
        assert env_file.stat().st_uid == uid and (env_file.parent / "logs").stat().st_uid == uid


def test_service_install_refuses_a_bad_time_or_user_cleanly(shop, tmp_path):
    for option, code in ((["--backup-at", "25:00"], 2), (["--user", "root; rm -rf /"], 2),
                         (["--user", "tidak-ada-orangnya"], 1)):
        result = _run(shop, "service", "install", "--dir", str(tmp_path / "u"), "--no-enable",
                      *option)
        assert result.exit_code == code and type(result.exception) is SystemExit
    assert "tidak ada di komputer ini" in result.output
    assert not (tmp_path / "u").exists()


def test_rotated_backups_are_dated_verified_and_only_the_newest_are_kept(shop, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "catatan.txt").write_text("jangan dihapus")
    (usb / "ewarung-lama.ewbackup").write_text("not one of ours by name")
    made = []
    for _ in range(4):
        result = _run(shop, "backup", "--rotate", str(usb), "--keep", "2")
        assert result.exit_code == 0, result.output
        made.append(Path(re.search(r"verified: (\S+\.ewbackup)", result.output)[1]))
    ours = sorted(p for p in usb.iterdir() if DATED.fullmatch(p.name))
    assert set(ours) == set(made[-2:])
    assert (usb / "catatan.txt").exists() and (usb / "ewarung-lama.ewbackup").exists()
    key = shop.config["SECRET_KEY"]
    for path in ours:
        assert verify_file(path, key).tables
    with shop.extensions["ewarung.db"].unit_of_work(write=False) as s:
        assert last_backup(s)[1] == str(made[-1])


def test_backups_made_within_one_second_keep_their_order(shop, tmp_path):
    usb = tmp_path / "usb"
    db, key = shop.extensions["ewarung.db"], shop.config["SECRET_KEY"]
    moment = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
    made = [rotate(db, usb, 2, key, now=moment).path for _ in range(5)]
    assert [p.name for p in made] == [f"ewarung-20261202-213000{s}.ewbackup"
                                      for s in ("", "-2", "-3", "-4", "-5")]
    assert dated_backups(usb) == made[-2:]


def test_backup_needs_a_file_or_a_rotation_folder(shop, tmp_path):
    assert _run(shop, "backup").exit_code == 2
    assert _run(shop, "backup", str(tmp_path / "a"), "--rotate", str(tmp_path)).exit_code == 2
    assert _run(shop, "backup", str(tmp_path / "a"), "--keep", "3").exit_code == 2


def test_counts_on_the_command_line_are_plain_digits(shop, tmp_path):
    usb = tmp_path / "usb"  # the shop's own data lives beside it, in tmp_path
    usb.mkdir()
    for args in (["backup", "--rotate", str(usb), "--keep", "٣"],
                 ["backup", "--rotate", str(usb), "--keep", "1_0"],
                 ["doctor", "--max-backup-age", "٣٦"],
                 ["service", "install", "--dir", str(usb / "u"), "--no-enable",
                  "--port", "８０００"]):
        result = _run(shop, *args)
        assert result.exit_code == 2, (args, result.output)
    assert list(usb.iterdir()) == []


def test_a_missing_usb_disk_fails_the_backup_clearly(shop, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the disk should be mounted")
    result = _run(shop, "backup", "--rotate", str(blocked / "ewarung"))
    assert result.exit_code == 1 and type(result.exception) is SystemExit
    assert "Tidak bisa menulis" in result.output
    with shop.extensions["ewarung.db"].unit_of_work(write=False) as s:
        assert last_backup(s) is None


def test_a_backup_restores_into_a_freshly_initialised_database(shop, empty_database_url,
                                                               tmp_path):
    path = tmp_path / "shop.ewbackup"
    assert _run(shop, "backup", str(path)).exit_code == 0
    target = make_app(tmp_path / "t", empty_database_url, secret_key="k" * 64)
    try:
        assert _run(target, "init").exit_code == 0
        result = _run(target, "restore", str(path))
        assert result.exit_code == 0, result.output
    finally:
        target.extensions["ewarung.db"].dispose()
