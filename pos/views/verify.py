"""The public receipt check: `/r/CODE` from a receipt's QR code, open without signing in.

It shows what the paper shows about the sale (outlet, date, number, items, total, how it
was paid, at most the masked card) and whether the sale was voided. A code that was not
made by this shop's key (`printer.codes.read_code`) is simply not found.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template

from ewarung.errors import NotFound
from ewarung.web import db_session, public
from pos.receipts import shop_of
from pos.sale_records import load_sale
from printer.codes import read_code

bp = Blueprint("verify", __name__)


@bp.get("/r/<code>")
@public
def receipt(code: str) -> Any:
    """The sale a receipt's QR code points to, and whether it still stands."""
    sale_id = read_code(str(current_app.config["SECRET_KEY"]), code)
    if sale_id is None:
        raise NotFound()
    s = db_session()
    rec = load_sale(s, sale_id, with_returns=True)
    shop = shop_of(s)
    return render_template("pos/verify.html", rec=rec, shop=shop,
                           sold_at=rec.created_at.astimezone(shop.timezone))
