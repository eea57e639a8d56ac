"""`ewarung product import|export`."""

from __future__ import annotations

from sqlalchemy import select

from ewarung.cli import cli
from inventory.cli import register
from inventory.models import Product
from tests.factories import make_product


def _run(app, *args):
    register(cli)
    return app.test_cli_runner().invoke(cli, list(args), obj=app)


def test_the_catalogue_goes_out_and_comes_back_in_through_the_command_line(app, db, tmp_path):
    with db.unit_of_work() as s:
        make_product(s, "Gula Pasir 1 kg", sku="GLA-1", commodity_group="none", price=17500)
    out = tmp_path / "produk.csv"
    result = _run(app, "product", "export", str(out))
    assert result.exit_code == 0 and "1 products written" in result.output
    text = out.read_text(encoding="utf-8-sig")
    out.write_text(text.replace("17500", "17000") + "TMP;Tempe;pcs;5000;protein nabati\n"
                   + "BAD;X;pcs;1;none\n", encoding="utf-8")
    result = _run(app, "product", "import", str(out))
    assert result.exit_code == 0, result.output
    assert "1 added, 1 updated, 1 rows refused." in result.stdout
    assert "row 4" in result.stderr
    with db.unit_of_work(write=False) as s:
        prices = dict(s.execute(select(Product.sku, Product.price)).all())
    assert prices == {"GLA-1": 17000, "TMP": 5000}


def test_importing_something_that_is_not_a_catalogue_fails_clearly(app, tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"nama,harga\nBeras,1\n")
    result = _run(app, "product", "import", str(bad))
    assert result.exit_code == 1 and "sku" in result.stderr
