"""The cashier's till page and its service worker."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, send_from_directory, url_for
from flask_babel import get_locale, gettext

from aid.settings import bpnt_settings
from ewarung.errors import N_
from ewarung.home import menu_item
from ewarung.shop import get_outlet
from ewarung.web import db_session, requires, signed_in_user
from inventory.models import FRACTIONAL_UNITS
from inventory.search import search_products
from pos.shifts import current_shift

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
        "no_shift_waiting": gettext("Transaksi tetap disimpan di tablet dan dikirim setelah "
                                    "shift dibuka (menu Shift kasir)."),
        "unknown_barcode": gettext("Barcode tidak dikenal"),
        "camera_failed": gettext("Kamera tidak dapat dipakai. Ketik atau pindai barcode."),
        **_payment_text(), **_cart_text(),
    }


def _payment_text() -> dict[str, str]:
    return {
        "short": gettext("Kurang"), "exact": gettext("Uang pas"),
        "cash_short": gettext("Uang diterima kurang %(amount)s."),
        "card_empty": gettext("Isi nomor kartu KKS atau gesek kartunya dulu."),
        "zero_balance": gettext("Sisa bantuan kartu ini Rp0 untuk periode %(period)s: "
                                "belanja ini dibayar tunai."),
        "bpnt_amount_empty": gettext("Isi jumlah yang dibayar dengan BPNT."),
        "edc_empty": gettext("Isi nomor approval dari struk mesin EDC bank."),
    }


def _cart_text() -> dict[str, str]:
    return {
        "less": gettext("Kurangi"), "more": gettext("Tambah"),
        "out_of_stock": gettext("Stok habis"),
        "all_expired": gettext("Kedaluwarsa (%(qty)s)"),
        "some_expired": gettext("%(qty)s kedaluwarsa"),
        "refuse_out": gettext("Menurut catatan, stok %(product)s habis."),
        "low_stock": gettext("Menurut catatan, stok %(product)s tinggal %(qty)s %(unit)s."),
        "refuse_expired": gettext("%(product)s sudah kedaluwarsa: tidak dijual tanpa "
                                  "persetujuan manajer."),
        "refuse_more": gettext("%(product)s yang boleh dijual tinggal %(qty)s %(unit)s; "
                               "sisanya kedaluwarsa."),
        "whole_only": gettext("%(product)s dijual utuh per %(unit)s, tanpa koma."),
        "clear_ask": gettext("Kosongkan keranjang berisi %(n)s barang?"),
        "clear": gettext("Kosongkan"),
        "customer_n": gettext("Pembeli %(n)s"),
        "n_items": gettext("%(n)s barang"),
        "recall": gettext("Lanjutkan"), "discard": gettext("Hapus"),
        "discard_ask": gettext("Hapus transaksi tunda \"%(name)s\"?"),
    }


@bp.get("/")
@requires("cashier")
def till() -> Any:
    """The till; a cashier with no open shift enters the float first (every sale belongs to
    an open shift of its cashier), and comes back here."""
    s = db_session()
    user = signed_in_user()
    if current_shift(s, user.id) is None:
        return redirect(url_for("sales.shift", next="till"))
    # The first page of the grid travels with the page: one round trip less on a slow tablet.
    first = [asdict(hit) for hit in search_products(s, "", GRID_SIZE)]
    outlet = get_outlet(s)
    config = {"text": _text(), "groups": _groups(), "service_worker": "/till/sw.js",
              "products": first, "grid_size": GRID_SIZE, "locale": str(get_locale()),
              "fractional_units": FRACTIONAL_UNITS,
              # the cart is kept per cashier and per shop on a tablet that may serve several
              "storage_key": f"ewarung.till.v1.{outlet.id if outlet else 0}.{user.id}"}
    mode = bpnt_settings(s).enforcement
    return render_template("pos/till.html", groups=_groups(), bpnt_mode=mode,
                           bpnt_mode_text=_bpnt_mode_text(mode),
                           config_json=json.dumps(config, ensure_ascii=False, default=str)
                           .replace("<", "\\u003c"))


def _bpnt_mode_text(mode: str) -> str:
    """The shop's BPNT mode (`bpnt.enforcement`) as the cashier reads it."""
    if mode == "record":
        return gettext("Saldo bantuan ada di rekening bank KPM: bayar dengan kartu di mesin EDC "
                       "bank, lalu catat nomor approval EDC di sini. BPNT hanya membayar barang "
                       "bantuan.")
    if mode == "warn":
        return gettext("Sisa bantuan dicatat toko. Belanja BPNT di atas sisa bantuan tetap "
                       "boleh, dengan catatan untuk manajer.")
    return gettext("Sisa bantuan dicatat toko. Belanja BPNT di atas sisa bantuan ditolak.")


@bp.get("/sw.js")
@requires("cashier")
def service_worker() -> Any:
    """The service worker, served under /till/ so that it controls the till."""
    resp = send_from_directory(current_app.static_folder or "", "js/sw.js",
                               mimetype="text/javascript", max_age=0)
    resp.headers["Cache-Control"] = "no-cache"
    return resp
