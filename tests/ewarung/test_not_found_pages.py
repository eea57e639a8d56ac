"""Unknown addresses: a person gets an Indonesian page, a script the JSON error (issue 12)."""

from __future__ import annotations

import pytest

from tests.factories import PIN, make_user
from tests.helpers import error_code

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
UNKNOWN = ["/tidak-ada", "/kube/tidak-ada", "/pos/sales/tidak-ada", "/admin/x/y/z",
           "/static/tidak-ada.css", "/r/", "/favicon.png"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_pages_are_an_indonesian_html_page(client, db, signed_in):
    if signed_in:
        with db.unit_of_work() as s:
            make_user(s, "cashier", "kasir1")
        assert client.login("kasir1", pin=PIN).status_code == 200
    for path in UNKNOWN:
        for headers in (BROWSER, {}):
            resp = client.get(path, headers=headers)
            assert resp.status_code == 404, path
            assert resp.mimetype == "text/html", (path, headers, resp.get_data(as_text=True))
            html = resp.get_data(as_text=True)
            assert "Halaman atau data tidak ditemukan" in html, path
            assert html.lstrip().lower().startswith("<!doctype html"), path
            assert '{"error"' not in html and 'lang="id"' in html, path


def test_unknown_api_addresses_stay_json(client, db):
    for path in ("/api/v1/tidak-ada", "/api/tidak-ada", "/api/v1/sales/x/y"):
        for headers in (BROWSER, {}):
            resp = client.get(path, headers=headers)
            assert resp.status_code == 404 and resp.mimetype == "application/json", path
            assert error_code(resp) == "not_found"
