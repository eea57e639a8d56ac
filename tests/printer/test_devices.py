"""A printer on this computer is a device under /dev: a typo in the admin page or in
EWARUNG_PRINTER can never write receipts over the secret key, the database or any file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.server import free_port
from ewarung.shop import get_setting, set_setting
from printer.models import PrintJob
from printer.queue import enqueue_receipt
from printer.transport import NotADevice, checked_target, parse_target, send
from printer.worker import process_pending
from tests.factories import PASSWORD, make_sale_receipt, make_user
from tests.printer.conftest import PROFILE_80, setup_for

SECRET = "a-secret-key-that-must-survive-" + "k" * 40


def _admin(client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
    assert client.login("boss", password=PASSWORD).status_code == 200


def _data_file_urls(app, db) -> list[str]:
    data_dir = app.extensions["ewarung.config"].data_dir
    secret = data_dir / "secret_key"
    secret.write_text(SECRET)
    urls = [f"file://{secret}", f"serial://{secret}?baudrate=9600",
            f"file://{data_dir}/receipts.bin", "file:///dev/../" + str(secret).lstrip("/"),
            "file:///dev/watchdog", "file:///dev/mem", "file:///dev/sda", "file:///dev/usb",
            "file:///etc/passwd"]
    if db.is_sqlite:
        urls.append(f"file://{db.engine.url.database}")
    return urls


def test_the_admin_page_refuses_a_printer_that_is_not_a_device(app, client, db):
    _admin(client, db)
    for url in _data_file_urls(app, db):
        resp = client.post("/admin/printer", data={
            "csrf_token": client.csrf, "url": url, "profile": "", "font": "a"})
        assert resp.status_code == 422, url
        page = resp.get_data(as_text=True)
        assert "bukan perangkat printer" in page and "/dev/usb/lp0" in page, url
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "printer.url") == ""
    data_dir = app.extensions["ewarung.config"].data_dir
    assert (data_dir / "secret_key").read_text() == SECRET


@pytest.mark.parametrize("url", [
    "file:///dev/usb/lp0", "file:///dev/lp1", "serial:///dev/ttyUSB0?baudrate=19200",
    "serial:///dev/ttyACM0", "serial:///dev/ttyS1", "serial:///dev/ttyAMA0",
    "serial:///dev/rfcomm0", "file:///dev/serial/by-id/usb-1a86_USB_Serial-if00-port0"])
def test_the_admin_page_takes_a_printer_device_even_while_it_is_unplugged(client, db, url):
    _admin(client, db)
    resp = client.post("/admin/printer", data={
        "csrf_token": client.csrf, "url": url, "profile": "", "font": "a"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[-800:]
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "printer.url") == url


def test_a_virtual_serial_port_is_a_device_and_gets_the_bytes(pty_printer):
    target = parse_target(f"file://{pty_printer.path}")
    assert target is not None
    send(target, b"\x1b@halo", PROFILE_80)
    assert pty_printer.received(6) == b"\x1b@halo"


@pytest.mark.parametrize("url", ["file:///home/toko/ewarung-data/secret_key",
                                 "serial:///var/lib/ewarung/ewarung.sqlite3",
                                 "file:///dev/./usb/lp0", "file:///dev/usb//lp0"])
def test_a_path_that_is_not_a_printer_device_is_refused(url):
    with pytest.raises(NotADevice):
        checked_target(url)


def test_a_job_saved_for_a_file_before_the_rule_fails_and_leaves_the_file_alone(
        app, db, tmp_path):
    victim = tmp_path / "toko" / "ewarung.sqlite3"
    victim.parent.mkdir()
    victim.write_bytes(b"SQLite format 3\x00 precious")
    with db.unit_of_work() as s:  # a setting saved by an earlier version, unchecked
        set_setting(s, "printer.url", f"file://{victim}")
    setup = setup_for(db, "none")
    with db.unit_of_work() as s:
        job = enqueue_receipt(s, make_sale_receipt("cash"), setup=setup)
        assert job is not None
    process_pending(db)
    with db.unit_of_work(write=False) as s:
        jobs = s.scalars(select(PrintJob)).all()
    assert jobs and all(j.state != "done" for j in jobs)
    assert all("perangkat" in (j.last_error or "") or "device" in (j.last_error or "")
               for j in jobs if j.attempts)
    assert victim.read_bytes() == b"SQLite format 3\x00 precious"


def test_ewarung_serve_refuses_a_printer_that_is_not_a_device(database_url, tmp_path):
    data_dir = tmp_path / "serve"
    data_dir.mkdir()
    secret = data_dir / "secret_key"
    secret.write_text(SECRET + "\n")
    env = {**os.environ, "EWARUNG_DATABASE_URL": database_url,
           "EWARUNG_DATA_DIR": str(data_dir), "EWARUNG_PORT": str(free_port()),
           "EWARUNG_PRINTER": f"file://{secret}"}
    exe = Path(sys.executable).with_name("ewarung")
    try:
        done = subprocess.run([str(exe), "serve"], env=env, capture_output=True, text=True,
                              timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("ewarung serve started with a printer that is not a device")
    assert done.returncode == 1
    assert "EWARUNG_PRINTER" in done.stderr and "bukan perangkat printer" in done.stderr
    assert secret.read_text() == SECRET + "\n"
