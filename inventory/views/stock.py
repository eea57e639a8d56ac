"""Pages: receive goods, receipts and their reversal, stock, expiry and write-off, stocktake."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from ewarung.clock import shop_today
from ewarung.errors import AppError, ValidationFailed
from ewarung.numbers import clamped_whole
from ewarung.shop import get_setting
from ewarung.web import db_session, requires
from inventory import adjustments, catalogue, receiving, reports, stocktake
from inventory.models import COMMODITY_GROUPS, GoodsReceipt, Product, Stocktake
from inventory.search import search_products
from inventory.views import bp, field_messages, refused

RECEIPT_FORM = "inventory/receipt_form.html"
FORM_ROWS = 5
MAX_ROWS = 60
LINE_FIELDS = ("product_id", "product_name", "quantity", "unit_cost", "expires_on",
               "batch_label")


@bp.get("/receipts")
@requires("manager")
def receipts() -> Any:
    """The latest goods receipts."""
    rows = db_session().scalars(select(GoodsReceipt).order_by(GoodsReceipt.id.desc())
                                .limit(100)).all()
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id}
    return render_template("inventory/receipts.html", receipts=rows, reversed_ids=reversed_ids)


def _receipt_form(values: dict[str, Any] | None = None,
                  rows: list[dict[str, str]] | None = None) -> dict[str, Any]:
    s = db_session()
    rows = rows or [{}] * FORM_ROWS
    return {"values": values or {"received_on": shop_today(s).isoformat()},
            "rows": rows + [{}] * max(0, FORM_ROWS - len(rows)),
            "suppliers": catalogue.suppliers(s)}


def _posted_rows() -> list[dict[str, str]]:
    rows = []
    for i in range(MAX_ROWS):
        row = {name: request.form.get(f"lines-{i}-{name}", "").strip() for name in LINE_FIELDS}
        if any(row[n] for n in ("product_id", "product_name", "quantity", "unit_cost")):
            rows.append(row)
    return rows


def _resolve(row: dict[str, str]) -> str:
    """The product id of a row; a scanned code or typed name works without JavaScript."""
    if row["product_id"] or not row["product_name"]:
        return row["product_id"]
    hits = search_products(db_session(), row["product_name"], 2)
    return str(hits[0].id) if len(hits) == 1 else ""


@bp.route("/receipts/new", methods=["GET", "POST"])
@requires("manager")
def new_receipt() -> Any:
    """Receive goods: supplier, then one row per product."""
    if request.method == "GET":
        return render_template(RECEIPT_FORM, **_receipt_form())
    values = {name: request.form.get(name, "") for name in
              ("supplier_id", "received_on", "reference", "note")}
    rows = _posted_rows()
    lines = [{**row, "product_id": _resolve(row)} for row in rows]
    try:
        receipt = receiving.receive_goods(db_session(), {**values, "lines": lines})
    except AppError as exc:
        return refused(RECEIPT_FORM, exc, **_receipt_form(values, rows))
    flash(gettext("Penerimaan %(number)s disimpan: %(n)d baris.", number=receipt.number,
                  n=len(lines)))
    return redirect(url_for("inventory.receipt", receipt_id=receipt.id))


@bp.get("/receipts/<int:receipt_id>")
@requires("manager")
def receipt(receipt_id: int) -> Any:
    """One receipt, and the form to reverse it."""
    s = db_session()
    found = receiving.get_receipt(s, receipt_id)
    reversal = receiving.reversal_of(s, receipt_id)
    # what the reversing receipt really took back, per line of this one
    cancelled = {line.reverses_line_id: -line.quantity
                 for line in (reversal.lines if reversal else ())}
    return render_template("inventory/receipt.html", receipt=found, reversal=reversal,
                           cancelled=cancelled,
                           original=s.get(GoodsReceipt, found.reverses_id)
                           if found.reverses_id else None, errors={})


@bp.post("/receipts/<int:receipt_id>/reverse")
@requires("manager")
def reverse_receipt(receipt_id: int) -> Any:
    """Correct a receipt with a reversing receipt."""
    s = db_session()
    found = receiving.get_receipt(s, receipt_id)
    quantities = {line.id: request.form.get(f"reverse-{line.id}", "0").strip() or "0"
                  for line in found.lines}
    try:
        reversal = receiving.reverse_receipt(s, receipt_id, quantities,
                                             request.form.get("note", ""))
    except AppError as exc:
        return refused("inventory/receipt.html", exc, receipt=found, reversal=None,
                       original=None)
    flash(gettext("Penerimaan %(number)s dibatalkan dengan %(reversal)s.",
                  number=found.number, reversal=reversal.number))
    return redirect(url_for("inventory.receipt", receipt_id=reversal.id))


@bp.get("/stock")
@requires("manager")
def stock() -> Any:
    """What is on hand, its value, and the batches holding it."""
    s = db_session()
    q = request.args.get("q", "").strip()
    ids = [h.id for h in search_products(s, q, 100)] if q else None
    lines = reports.stock_overview(s, ids)
    return render_template("inventory/stock.html", lines=lines, q=q,
                           total=sum(line.value for line in lines))


@bp.get("/expiry")
@requires("manager")
def expiry() -> Any:
    """Batches expiring soon, with a write-off form for each."""
    s = db_session()
    days = _int_arg("days", int(get_setting(s, "inventory.expiry_warning_days")), 0, 365)
    return render_template("inventory/expiry.html", days=days,
                           batches=reports.expiring(s, days, shop_today(s)),
                           reasons=adjustments.WRITE_OFF_REASONS)


@bp.post("/write-offs")
@requires("manager")
def write_off() -> Any:
    """Write off (part of) a batch."""
    data = {name: request.form.get(name) for name in
            ("product_id", "batch_id", "quantity", "reason", "note")}
    try:
        adjustments.write_off(db_session(), data)
    except AppError as exc:
        why = exc.message(gettext)
        if isinstance(exc, ValidationFailed):
            why = "; ".join(m for msgs in field_messages(exc).values() for m in msgs)
        flash(gettext("Tidak dihapus: %(why)s", why=why))
        return redirect(url_for("inventory.expiry", days=request.form.get("days", 7)))
    flash(gettext("Barang dihapus dari stok."))
    return redirect(url_for("inventory.expiry", days=request.form.get("days", 7)))


@bp.get("/stocktakes")
@requires("manager")
def stocktakes() -> Any:
    """Counts, newest first."""
    rows = db_session().scalars(select(Stocktake).order_by(Stocktake.id.desc())
                                .limit(50)).all()
    return render_template("inventory/stocktakes.html", stocktakes=rows)


@bp.post("/stocktakes")
@requires("manager")
def start_stocktake() -> Any:
    """Open a count."""
    take = stocktake.start_stocktake(db_session(), request.form.get("note", ""))
    return redirect(url_for("inventory.count", stocktake_id=take.id))


@bp.route("/stocktakes/<int:stocktake_id>", methods=["GET", "POST"])
@requires("manager")
def count(stocktake_id: int) -> Any:
    """Count blind: the page shows what was counted, never what the ledger expects."""
    s = db_session()
    take = stocktake.get_stocktake(s, stocktake_id)
    if take.status != "open":
        return redirect(url_for("inventory.review", stocktake_id=stocktake_id))
    group = request.values.get("group", "")
    q = request.values.get("q", "")
    error, errors, row_errors = None, {}, {}
    if request.method == "POST":
        counts = [{"product_id": key.split("-", 1)[1], "counted": value.strip()}
                  for key, value in request.form.items()
                  if key.startswith("count-") and value.strip()]
        try:
            stocktake.record_counts(s, stocktake_id, counts)
        except AppError as exc:
            error = exc.message(gettext)
            errors = field_messages(exc) if isinstance(exc, ValidationFailed) else {}
            row_errors = _by_product(errors, counts)
        else:
            flash(gettext("%(n)d hitungan disimpan.", n=len(counts)))
            return redirect(url_for("inventory.count", stocktake_id=stocktake_id,
                                    group=group, q=q))
    stmt = select(Product).where(Product.active.is_(True)).order_by(Product.search_key)
    if group in COMMODITY_GROUPS:
        stmt = stmt.where(Product.commodity_group == group)
    products = [s.get(Product, h.id) for h in search_products(s, q, 100)] if q \
        else s.scalars(stmt.limit(200)).all()
    counted = {line.product_id: line.counted for line in take.lines}
    return render_template("inventory/count.html", take=take, products=products,
                           counted=counted, group=group, q=q, error=error, errors=errors,
                           row_errors=row_errors, posted=request.form,
                           groups=COMMODITY_GROUPS), 422 if error else 200


def _by_product(errors: dict[str, list[str]], counts: list[dict[str, str]]
                ) -> dict[int, list[str]]:
    """Field errors of posted counts (lines.N.counted) keyed by the product they concern."""
    out: dict[int, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(counts):
            pid = counts[int(parts[1])]["product_id"]
            if pid.isdigit():
                out.setdefault(int(pid), []).extend(messages)
    return out


@bp.get("/stocktakes/<int:stocktake_id>/review")
@requires("manager")
def review(stocktake_id: int) -> Any:
    """The variances against the ledger, for the manager to approve."""
    s = db_session()
    take = stocktake.get_stocktake(s, stocktake_id)
    variances = stocktake.preview(s, stocktake_id)
    return render_template("inventory/review.html", take=take, variances=variances,
                           total=sum(v.value for v in variances))


@bp.post("/stocktakes/<int:stocktake_id>/approve")
@requires("manager")
def approve(stocktake_id: int) -> Any:
    """Post the variances."""
    stocktake.approve_stocktake(db_session(), stocktake_id)
    flash(gettext("Stok opname disetujui; selisih dibukukan."))
    return redirect(url_for("inventory.review", stocktake_id=stocktake_id))


@bp.post("/stocktakes/<int:stocktake_id>/cancel")
@requires("manager")
def cancel(stocktake_id: int) -> Any:
    """Drop an open count."""
    stocktake.cancel_stocktake(db_session(), stocktake_id)
    flash(gettext("Stok opname dibatalkan."))
    return redirect(url_for("inventory.stocktakes"))


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    return clamped_whole(request.args.get(name), default, low, high)
