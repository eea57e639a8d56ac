"""Printer URLs and real transports: a TCP printer on loopback, a serial line on a pty."""

from __future__ import annotations

import tty

import pytest
from escpos import printer as escpos_printers

from printer.queue import enqueue_receipt
from printer.render import paper_profile, render_drawer_kick, render_receipt
from printer.setup import PrinterEnv, env_printer
from printer.transport import InvalidPrinterUrl, parse_target, query_status, send
from printer.worker import process_pending
from tests.conftest import make_app
from tests.factories import make_sale_receipt
from tests.printer.conftest import PROFILE_58, PROFILE_80
from tests.printer.printers import TcpPrinter


@pytest.mark.parametrize(("url", "scheme", "options"), [
    ("network://192.168.1.50:9100", "network", {"host": "192.168.1.50", "port": 9100}),
    ("network://printer.local", "network", {"host": "printer.local", "port": 9100}),
    ("serial:///dev/ttyUSB0?baudrate=9600", "serial", {"devfile": "/dev/ttyUSB0",
                                                       "baudrate": 9600}),
    ("serial:///dev/ttyS1?baudrate=19200&dsrdtr=0&parity=e", "serial",
     {"devfile": "/dev/ttyS1", "baudrate": 19200, "dsrdtr": False, "parity": "E"}),
    ("usb://04b8:0e15", "usb", {"idVendor": 0x04B8, "idProduct": 0x0E15}),
    ("usb://0416:5011?out_ep=0x03", "usb", {"idVendor": 0x0416, "idProduct": 0x5011,
                                            "out_ep": 3}),
    ("file:///dev/usb/lp0", "file", {"devfile": "/dev/usb/lp0"}),
    ("cups://POS58", "cups", {"printer_name": "POS58"}),
])
def test_printer_urls_parse_into_transport_options(url, scheme, options):
    target = parse_target(url)
    assert target is not None
    assert (target.scheme, target.options, target.url) == (scheme, options, url)


@pytest.mark.parametrize("url", ["none", "NONE", "", "  "])
def test_none_switches_printing_off(url):
    assert parse_target(url) is None


@pytest.mark.parametrize("url", ["lpt://1", "network://", "usb://zz:01", "usb://04b8",
                                 "serial://", "serial:///dev/ttyS0?baudrate=fast",
                                 "serial:///dev/ttyS0?speed=9600", "cups://", "file://"])
def test_malformed_printer_urls_are_refused(url):
    with pytest.raises(InvalidPrinterUrl):
        parse_target(url)


@pytest.mark.parametrize(("url", "cls"), [
    ("network://127.0.0.1:9100", escpos_printers.Network),  # a subclass closing failed sockets
    ("serial:///dev/ttyUSB0", escpos_printers.Serial),
    ("usb://04b8:0e15", escpos_printers.Usb),
    ("file:///dev/usb/lp0", escpos_printers.File),
])
def test_targets_use_python_escpos_own_printer_classes(url, cls):
    target = parse_target(url)
    assert target is not None
    printer = target.connect(PROFILE_80)
    assert isinstance(printer, cls)
    assert printer.profile.profile_data["name"] == "TM-T20II"


@pytest.mark.parametrize("profile", [PROFILE_80, PROFILE_58])
def test_a_network_printer_receives_exactly_the_dummy_rendering(tcp_printer, profile):
    data = render_receipt(make_sale_receipt("mixed"), paper_profile(profile))
    target = parse_target(tcp_printer.url)
    assert target is not None
    send(target, data, profile)
    assert tcp_printer.wait_for(1)
    assert tcp_printer.jobs() == [data]


def test_a_serial_printer_on_a_pty_receives_exactly_the_dummy_rendering(pty_printer):
    data = render_receipt(make_sale_receipt("cash"), paper_profile(PROFILE_58))
    target = parse_target(pty_printer.url(9600))
    assert target is not None and target.scheme == "serial"
    send(target, data, PROFILE_58)
    assert pty_printer.received(len(data)) == data


def test_a_file_printer_gets_the_bytes(pty_printer):
    """A device file (here a pty's end, which a serial printer would hold) gets the job."""
    tty.setraw(pty_printer.slave)  # as a printer's port: bytes as they are, no CR added
    data = render_receipt(make_sale_receipt(), paper_profile(PROFILE_80))
    target = parse_target(f"file://{pty_printer.path}")
    assert target is not None
    send(target, data, PROFILE_80)
    assert pty_printer.received(len(data)) == data


def test_a_refused_connection_raises_instead_of_pretending():
    printer = TcpPrinter()
    printer.refuse()
    target = parse_target(printer.url)
    assert target is not None
    with pytest.raises(Exception, match="Could not open socket"):
        send(target, b"\x1b@hello\n", PROFILE_80)


def test_a_printer_hanging_up_mid_job_is_noticed(tcp_printer):
    data = render_receipt(make_sale_receipt(), paper_profile(PROFILE_80))
    tcp_printer.drop_after(64)
    target = parse_target(tcp_printer.url)
    assert target is not None
    with pytest.raises(OSError):
        send(target, data, PROFILE_80)
    assert tcp_printer.wait_for(1)[0].dropped


@pytest.mark.parametrize(("paper_byte", "paper"), [(0x12, "ok"), (0x1E, "low"), (0x72, "out")])
def test_a_network_printer_reports_online_and_paper_status(paper_byte, paper):
    printer = TcpPrinter(status={1: b"\x16", 4: bytes([paper_byte])})
    try:
        target = parse_target(printer.url)
        assert target is not None
        status = query_status(target, PROFILE_80)
        assert (status.online, status.paper, status.error) == (True, paper, None)
    finally:
        printer.close()


def test_an_offline_printer_and_a_silent_one_are_told_apart(tcp_printer):
    target = parse_target(tcp_printer.url)
    assert target is not None
    silent = query_status(target, PROFILE_80, timeout=0.3)
    assert (silent.online, silent.paper) == (True, None)  # reachable, says nothing more
    tcp_printer.refuse()
    gone = query_status(target, PROFILE_80, timeout=0.3)
    assert gone.online is False and gone.error


def test_file_and_cups_printers_cannot_tell_their_status(tmp_path):
    for url in (f"file://{tmp_path / 'lp0'}", "cups://POS58"):
        target = parse_target(url)
        assert target is not None
        status = query_status(target, PROFILE_80)
        assert (status.online, status.paper) == (None, None)


@pytest.mark.parametrize("transport", ["network", "serial"])
def test_a_receipt_reaches_the_printer_named_by_ewarung_printer(
        transport, database_url, tmp_path, tcp_printer, pty_printer):
    url = tcp_printer.url if transport == "network" else pty_printer.url(19200)
    app = make_app(tmp_path / "data", database_url, printer=url, printer_profile=PROFILE_58)
    db = app.extensions["ewarung.db"]
    receipt = make_sale_receipt("mixed")
    try:
        with app.app_context(), db.unit_of_work() as s:
            enqueue_receipt(s, receipt)  # as the sale will: no printer named by the caller
        process_pending(db)
    finally:
        db.dispose()
    kick = render_drawer_kick(paper_profile(PROFILE_58))
    expected = render_receipt(receipt, paper_profile(PROFILE_58))
    if transport == "network":
        assert tcp_printer.jobs() == [kick, expected]
    else:
        assert pty_printer.received(len(kick) + len(expected)) == kick + expected


def test_outside_an_app_the_process_environment_names_the_printer(monkeypatch):
    monkeypatch.setenv("EWARUNG_PRINTER", "serial:///dev/ttyS0?baudrate=9600")
    monkeypatch.setenv("EWARUNG_PRINTER_PROFILE", PROFILE_58)
    assert env_printer() == PrinterEnv("serial:///dev/ttyS0?baudrate=9600", PROFILE_58)
