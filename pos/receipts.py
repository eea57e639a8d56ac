"""A sale's receipt: built from the recorded sale, queued with it, reprinted, previewed.

The receipt is plain data (`printer.receipt.Receipt`); the printer domain lays it out, renders
it in its worker after the commit, and shows the same lines as HTML. Its QR code holds the
public verification address `/r/CODE` (`printer.codes`), which names no one: the page it
opens shows at most the masked card.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ewarung.auth.models import User
from ewarung.shop import Outlet, get_outlet, shop_timezone
from pos.sale_records import SaleRecord, load_sale
from printer.codes import make_code
from printer.models import PrintJob
from printer.preview import receipt_html
from printer.queue import PrinterNotConfigured, enqueue_receipt
from printer.receipt import Receipt, ReceiptHeader, ReceiptLine, ReceiptTender
from printer.setup import PrinterSetup, printer_setup

FOOTER = ("Terima kasih atas kunjungan Anda",
          "Barang BPNT tidak dapat ditukar dengan uang")


@dataclass(frozen=True)
class ReceiptShop:
    """What a receipt needs to know about the shop, read once per sale."""

    header: ReceiptHeader
    code: str
    timezone: ZoneInfo


def receipt_shop(outlet: Outlet | None, timezone: ZoneInfo) -> ReceiptShop:
    """The header printed on receipts (a shop not set up yet prints a plain one)."""
    if outlet is None:
        return ReceiptShop(ReceiptHeader("e-Warung", "", "", ""), "EW", timezone)
    return ReceiptShop(ReceiptHeader(outlet.name, outlet.kube_name, outlet.address,
                                     outlet.ewarong_id, outlet.phone), outlet.code, timezone)


_outlet_t = cast(Table, Outlet.__table__)
_OUTLET = (select(*(_outlet_t.c[name] for name in ("name", "kube_name", "address",
                                                  "ewarong_id", "phone", "code")))
           .order_by(_outlet_t.c.id).limit(1))


def read_shop(session: Session, timezone: ZoneInfo) -> ReceiptShop:
    """The receipt header, in one statement built once (the checkout path)."""
    row = session.execute(_OUTLET).first()
    if row is None:
        return receipt_shop(None, timezone)
    return ReceiptShop(ReceiptHeader(row.name, row.kube_name, row.address, row.ewarong_id,
                                     row.phone), row.code, timezone)


def shop_of(session: Session) -> ReceiptShop:
    """The receipt header and time zone of this installation."""
    return receipt_shop(get_outlet(session), shop_timezone(session))


@dataclass(frozen=True)
class ReceiptContext:
    """What a receipt needs from where the sale was made: the address its QR code points to
    (the one the tablet used), the key that signs the code, and whether to print at all
    (a demo's history is recorded, not printed). A view makes it from its request
    (`pos.webutil.receipt_context`); every service that makes a receipt takes it."""

    url_root: str
    secret: str
    printing: bool = True

    def verify_url(self, sale_id: int) -> str:
        """The address the receipt's QR code holds: <root>r/<signed code>."""
        return f"{self.url_root.rstrip('/')}/r/{make_code(self.secret, sale_id)}"


def build_receipt(rec: SaleRecord, shop: ReceiptShop, cashier: str, url: str, *,
                  copy: bool = False) -> Receipt:
    """The receipt of a recorded sale (a voided sale prints DIBATALKAN)."""
    return Receipt(
        header=shop.header, sale_number=rec.number,
        sold_at=rec.created_at.astimezone(shop.timezone), cashier=cashier,
        lines=tuple(ReceiptLine(ln.name, ln.quantity, ln.unit, ln.unit_price, ln.amount,
                                ln.bpnt_eligible) for ln in rec.lines),
        total=rec.total,
        tenders=tuple(ReceiptTender(t.kind, t.amount, reference=t.edc_ref or t.reference or "",
                                    masked_card=t.masked_card or "",
                                    remaining_after=t.remaining_after, given=t.given)
                      for t in rec.tenders),
        change=rec.change, verify_url=url, copy=copy, voided=rec.status == "voided",
        footer=FOOTER)


def queue_receipt(session: Session, rec: SaleRecord, shop: ReceiptShop, cashier: str,
                  url: str, setup: PrinterSetup) -> PrintJob | None:
    """Queue a new sale's receipt in its transaction (drawer kick, archive copy: as set up)."""
    if setup.target is None:
        return None
    return enqueue_receipt(session, build_receipt(rec, shop, cashier, url), sale_id=rec.id,
                           setup=setup)


def _cashier_name(session: Session, user_id: int) -> str:
    return session.scalar(select(User.full_name).where(User.id == user_id)) or ""


def reprint(session: Session, sale_id: int, ctx: ReceiptContext) -> PrintJob:
    """Print a sale's receipt again, as a copy (SALINAN; DIBATALKAN once voided)."""
    setup = printer_setup(session)
    if setup.target is None:
        raise PrinterNotConfigured()
    rec = load_sale(session, sale_id)
    receipt = build_receipt(rec, shop_of(session), _cashier_name(session, rec.cashier_id),
                            ctx.verify_url(rec.id), copy=True)
    job = enqueue_receipt(session, receipt, sale_id=rec.id, setup=setup)
    assert job is not None  # the target was checked above
    return job


def queue_void_receipt(session: Session, rec: SaleRecord, ctx: ReceiptContext) -> None:
    """Print the voided sale's receipt (DIBATALKAN) for the drawer, when a printer is set up."""
    setup = printer_setup(session)
    if ctx.printing and setup.target is not None:
        enqueue_receipt(session, build_receipt(rec, shop_of(session),
                                               _cashier_name(session, rec.cashier_id),
                                               ctx.verify_url(rec.id)),
                        sale_id=rec.id, setup=setup)


def preview(session: Session, sale_id: int, ctx: ReceiptContext) -> Markup:
    """The receipt as the paper shows it, in HTML, for the tablet."""
    rec = load_sale(session, sale_id)
    receipt = build_receipt(rec, shop_of(session), _cashier_name(session, rec.cashier_id),
                            ctx.verify_url(rec.id))
    return receipt_html(receipt, printer_setup(session).paper)
