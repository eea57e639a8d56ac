"""The cashier's till page and its service worker."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_babel import gettext

from ewarung.errors import N_
from ewarung.home import menu_item
from ewarung.web import db_session, requires
from inventory.search import search_products

bp = Blueprint("till", __name__, url_prefix="/till")
#: tiles shown per group or search
GRID_SIZE = 48
bp.record_once(menu_item("till.till", N_("Kasir"), "cashier", 10))


def _groups() -> list[tuple[str, str]]:
    return [("all", gettext("Semua")), ("carbohydrate", gettext("Karbohidrat")),
            ("animal_protein", gettext("Protein hewani")),
            ("plant_protein", gettext("Protein nabati")),
            ("vitamins_minerals", gettext("Sayur & buah")), ("none", gettext("Non-BPNT"))]


def _text() -> dict[str, str]:
    return {
        "stock": gettext("Stok"), "no_products": gettext("Tidak ada barang."),
        "pay_cash": gettext("Bayar tunai"), "pay_bpnt": gettext("Bayar BPNT"),
        "pay_transfer": gettext("Transfer bank"), "paid_by_bpnt": gettext("dibayar BPNT"),
        "needs_cash": gettext("harus tunai"), "total": gettext("Total"),
        "change": gettext("Kembalian"), "network_error": gettext(
            "Server tidak terjangkau. Periksa Wi-Fi lalu coba lagi."),
        "saved_offline": gettext("Jaringan putus: transaksi disimpan di tablet dan akan "
                                 "dikirim otomatis."),
        "printing": gettext("Mencetak struk…"), "printed": gettext("Struk tercetak."),
        "printer_problem": gettext("Printer bermasalah. Periksa kertas dan kabel, lalu cetak "
                                   "ulang."),
        "printer_off": gettext("Printer tidak dipakai."),
        "waiting": gettext("%(n)s transaksi menunggu dikirim"),
        "refused_later": gettext("Ditolak server"),
        "unknown_barcode": gettext("Barcode tidak dikenal"),
        "camera_failed": gettext("Kamera tidak dapat dipakai. Ketik atau pindai barcode."),
    }


@bp.get("/")
@requires("cashier")
def till() -> Any:
    """The till."""
    # The first page of the grid travels with the page: one round trip less on a slow tablet.
    first = [asdict(hit) for hit in search_products(db_session(), "", GRID_SIZE)]
    config = {"text": _text(), "groups": _groups(), "service_worker": "/till/sw.js",
              "products": first, "grid_size": GRID_SIZE}
    return render_template("pos/till.html", groups=_groups(),
                           config_json=json.dumps(config, ensure_ascii=False, default=str)
                           .replace("<", "\\u003c"))


@bp.get("/sw.js")
@requires("cashier")
def service_worker() -> Any:
    """The service worker, served under /till/ so that it controls the till."""
    resp = send_from_directory(current_app.static_folder or "", "js/sw.js",
                               mimetype="text/javascript", max_age=0)
    resp.headers["Cache-Control"] = "no-cache"
    return resp
