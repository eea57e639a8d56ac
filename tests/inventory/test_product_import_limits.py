"""A catalogue file that breaks the import limits is refused whole, as `validation_error`,
by the API, the page and the command line; nothing of it is saved."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from ewarung.cli import cli
from inventory.cli import register
from inventory.models import Product
from tests.factories import PASSWORD, make_token, make_user
from tests.helpers import error_code

HEADER = b"sku;nama;satuan;harga;kelompok\r\n"
#: a name longer than the csv module's 131,072-character field limit
LONG_FIELD = (HEADER + b"BRS;Beras;pack;65000;karbohidrat\r\nX;" + b"n" * 140_000
              + b";pcs;1;none\r\n")
FILES = {
    "a field over the csv limit": (LONG_FIELD, "lebih dari 32.767 huruf"),
    "an unclosed quote": (HEADER + b'BRS;"Beras;pack;65000;none\r\n' + b"X;Y;pcs;1;none\r\n"
                          * 9000, "Baris 2"),
    "a cell over Excel's limit": (HEADER + b"BRS;" + b"n" * 40_000 + b";pcs;1;none\r\n",
                                  "kolom 2"),
    "a picture": (b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG"),
}


def _products(db) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Product)) or 0)


@pytest.mark.parametrize("name", list(FILES))
def test_the_api_answers_validation_error_for_a_file_past_the_limits(client, db, name):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    data, words = FILES[name]
    resp = client.post("/api/v1/products/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "produk.csv")})
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_data()
    assert words in resp.get_json()["error"]["message"]
    assert list(resp.get_json()["error"]["details"]["fields"]) == ["file"]
    assert _products(db) == 0


@pytest.mark.parametrize("name", list(FILES))
def test_the_page_shows_why_a_file_past_the_limits_is_refused(client, db, name):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    data, words = FILES[name]
    resp = client.post("/inventory/products/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "produk.csv")})
    assert resp.status_code == 422 and words in resp.get_data(as_text=True)
    assert _products(db) == 0


@pytest.mark.parametrize("name", list(FILES))
def test_the_command_line_prints_why_a_file_past_the_limits_is_refused(app, db, tmp_path,
                                                                      name):
    data, words = FILES[name]
    path = tmp_path / "produk.csv"
    path.write_bytes(data)
    register(cli)
    result = app.test_cli_runner().invoke(cli, ["product", "import", str(path)], obj=app)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert words in result.stderr
    assert _products(db) == 0
