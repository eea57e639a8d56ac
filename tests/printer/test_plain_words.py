"""Pages speak the shop's words: no environment variable names, check-digit algorithm names,
index acronyms or setting modes reach a cashier's or the admin's screen (issue 12)."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from ewarung.shop import get_setting, set_setting
from printer.models import PrintJob
from printer.queue import enqueue_test_page
from printer.worker import process_pending
from tests.factories import PASSWORD, make_user
from tests.pos.conftest import run_cli

pytestmark = pytest.mark.calendar

FORBIDDEN = re.compile(r"EWARUNG_|Luhn|\bHHI\b|\(strict\)|\(warn\)|\bURL\b|Traceback|Errno")
#: what a transport raises, in its own words
TECHNICAL = re.compile(r"Errno|Error\b|refused|[Cc]onnection|[Tt]imed out|OSError")
USERS = {"cashier": ("siti", {"pin": "1234"}), "admin": ("admin", {"password": "admin-demo-1"})}


def _pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith(
                ("/api/", "/r/")):
            continue
        convs = rule._converters
        if any(not isinstance(c, IntegerConverter) for c in convs.values()):
            continue
        yield rule.build(dict.fromkeys(convs, 1), append_unknown=False)[1]


def _text(html: str) -> str:
    """What the screen shows: the page without its scripts, styles and tags' attributes."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("role", ["cashier", "admin"])
def test_no_page_shows_technical_words(app, client, db, role):
    assert run_cli(app, "demo").exit_code == 0
    username, secret = USERS[role]
    assert client.login(username, **secret).status_code == 200
    seen, found = 0, []
    for url in sorted(set(_pages(app))):
        resp = client.get(url, headers={"Accept": "text/html"})
        html = resp.get_data(as_text=True) if resp.mimetype == "text/html" else ""
        resp.close()  # file answers (the service worker) hold their file until closed
        if resp.status_code != 200 or not html:
            continue
        seen += 1
        found += sorted({(url, m) for m in FORBIDDEN.findall(_text(html))})
    assert seen > 5
    assert found == [], found


def test_a_printer_that_does_not_answer_is_explained_in_plain_words(app, client, db):
    """A job that failed and a printer that cannot be reached: the cashier's printer page says
    what to do, not what the transport raised."""
    with db.unit_of_work() as s:
        make_user(s, "cashier", "kasir1")
        set_setting(s, "printer.url", "network://127.0.0.1:9")  # nobody listens there
        job = enqueue_test_page(s)
    process_pending(db)
    with db.unit_of_work(write=False) as s:
        assert s.get(PrintJob, job.id).last_error  # the raw reason stays for the log and API
    assert client.login("kasir1", pin="1234").status_code == 200
    page = _text(client.get("/printer").get_data(as_text=True))
    assert TECHNICAL.findall(page) == []
    assert "Printer tidak menjawab" in page


def test_the_admin_sets_the_printer_by_its_kind_address_and_port(app, client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "admin1")
    assert client.login("admin1", password=PASSWORD).status_code == 200
    page = client.get("/admin/printer").get_data(as_text=True)
    for words in ("Jenis printer", "Printer jaringan", "Port", "Perangkat", "Kode USB"):
        assert words in page, words
    base = {"profile": "", "font": "a"}
    missing = client.post("/admin/printer", data={**base, "kind": "network", "address": ""})
    assert missing.status_code == 422
    assert "Isi alamat printer di jaringan" in missing.get_data(as_text=True)
    saved = client.post("/admin/printer", data={**base, "kind": "network",
                                                "address": "192.168.1.50", "port": "9101"})
    assert saved.status_code == 302
    serial = {**base, "kind": "serial", "device": "/dev/ttyUSB0", "baudrate": "19200"}
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "printer.url") == "network://192.168.1.50:9101"
    text = _text(client.get("/admin/printer").get_data(as_text=True))
    assert "printer jaringan 192.168.1.50, port 9101" in text
    assert "://" not in text and FORBIDDEN.findall(text) == []
    assert client.post("/admin/printer", data=serial).status_code == 302
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "printer.url") == "serial:///dev/ttyUSB0?baudrate=19200"
    page = client.get("/admin/printer").get_data(as_text=True)
    assert 'value="/dev/ttyUSB0"' in page and "://" not in _text(page)
