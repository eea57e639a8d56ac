"""The wire: verified HTTPS to the district (trustme's local CA), plain HTTP only to this
computer unless allowed."""

from __future__ import annotations

import ssl
import threading

import pytest
import trustme
from sqlalchemy import func, select
from werkzeug.serving import make_server

from district.models import Ledger
from district.sync import DistrictUnreachable, join, push
from district.sync_cli import sync
from district.wire import InsecureUrl, check_url
from ewarung.outbox import SyncState, record_event
from tests.district.conftest import serving

pytestmark = pytest.mark.real_clock


@pytest.mark.parametrize(("url", "allow_http", "expected"), [
    ("https://dinsos.malangkab.go.id/", False, "https://dinsos.malangkab.go.id"),
    ("http://127.0.0.1:8000", False, "http://127.0.0.1:8000"),
    ("http://127.8.9.1:8000", False, "http://127.8.9.1:8000"),
    ("http://localhost:8000/", False, "http://localhost:8000"),
    ("http://[::1]:8000", False, "http://[::1]:8000"),
    ("http://10.0.0.5:8000", True, "http://10.0.0.5:8000"),
])
def test_accepted_urls(url, allow_http, expected):
    assert check_url(url, allow_http) == expected


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://dinsos.example",
                                 "http://localhost.evil.example", "ftp://127.0.0.1/",
                                 "https://", "dinsos.example"])
def test_plain_or_odd_urls_are_refused(url):
    with pytest.raises(InsecureUrl):
        check_url(url)


class Counting:
    """WSGI middleware counting the requests that reached the district."""

    def __init__(self, app):
        self.app, self.seen = app, 0

    def __call__(self, environ, start_response):
        self.seen += 1
        return self.app(environ, start_response)


def _server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


@pytest.fixture
def local_ca(tmp_path):
    ca = trustme.CA()
    bundle = tmp_path / "district-ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return ca, str(bundle)


def _ledger_count(district_db):
    with district_db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(Ledger))


def test_a_certificate_from_the_configured_ca_is_accepted(app, db, district_app, district_db,
                                                         outlet_key, local_ca):
    ca, bundle = local_ca
    with serving(district_app, _server_context(ca, "127.0.0.1", "localhost")) as server:
        joined = join(db, server.url, outlet_key, ca_bundle=bundle)
        assert joined.outlet_code == "W001" and joined.ca_bundle == bundle
        with db.unit_of_work() as s:
            record_event(s, "sale.completed", {"total": 5000})
        result = push(db)
    assert result.held_through == 1 and result.pending == 0
    assert _ledger_count(district_db) == 1


def test_the_systems_authorities_do_not_vouch_for_a_local_ca(db, district_app, outlet_key,
                                                             local_ca):
    ca, _bundle = local_ca
    counting = Counting(district_app)
    with serving(counting, _server_context(ca, "127.0.0.1")) as server, \
            pytest.raises(DistrictUnreachable):
        join(db, server.url, outlet_key)
    assert counting.seen == 0
    with db.unit_of_work(write=False) as s:
        assert s.get(SyncState, 1) is None


def test_a_wrong_certificate_is_refused_and_nothing_is_sent(app, db, district_app, district_db,
                                                            outlet_key, local_ca):
    ca, bundle = local_ca
    with serving(district_app, _server_context(ca, "127.0.0.1")) as server:
        join(db, server.url, outlet_key, ca_bundle=bundle)
    with db.unit_of_work() as s:
        record_event(s, "sale.completed", {"total": 5000})
    impostor = trustme.CA()  # someone else's CA, same address
    counting = Counting(district_app)
    with db.unit_of_work() as s:
        st = s.get(SyncState, 1)
    host_port = st.district_url.split("//")[1]
    port = int(host_port.split(":")[1])

    server = make_server("127.0.0.1", port, counting, threaded=True,
                         ssl_context=_server_context(impostor, "127.0.0.1"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(DistrictUnreachable, match="certificate"):
            push(db, attempts=3, backoff=0.01)
    finally:
        server.shutdown()
        thread.join(10)
    assert counting.seen == 0 and _ledger_count(district_db) == 0
    with db.unit_of_work(write=False) as s:
        assert "certificate" in s.get(SyncState, 1).last_error


def test_a_certificate_for_another_name_is_refused(db, district_app, outlet_key, local_ca):
    ca, bundle = local_ca
    counting = Counting(district_app)
    with serving(counting, _server_context(ca, "dinsos.example")) as server, \
            pytest.raises(DistrictUnreachable):
        join(db, server.url, outlet_key, ca_bundle=bundle)
    assert counting.seen == 0


def test_join_refuses_plain_http_to_another_host_before_sending(app, db, outlet_key):
    result = app.test_cli_runner().invoke(sync, ["join", "http://192.0.2.10:8000", outlet_key],
                                          obj=app)
    assert result.exit_code == 1 and "https://" in result.output
    with db.unit_of_work(write=False) as s:
        assert s.get(SyncState, 1) is None
