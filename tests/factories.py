"""Factories for test data: small functions with sensible defaults."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ewarung.auth.models import User
from ewarung.auth.services import create_token, create_user
from ewarung.money import line_amount
from ewarung.shop import Outlet
from printer.receipt import Receipt, ReceiptHeader, ReceiptLine, ReceiptTender

_seq = itertools.count(1)

PASSWORD = "rahasia-123"
PIN = "1234"


def make_user(session: Session, role: str = "cashier", username: str | None = None,
              **kwargs: Any) -> User:
    """A user of `role`: cashiers get PIN 1234, others the password PASSWORD (and PIN 1234)."""
    username = username or f"{role}{next(_seq)}"
    if role == "cashier":
        kwargs.setdefault("pin", PIN)
    else:
        kwargs.setdefault("password", PASSWORD)
        kwargs.setdefault("pin", PIN)
    return create_user(session, username, role, **kwargs)


def make_token(session: Session, role: str = "manager", *, shift: bool = True) -> str:
    """A bearer token of a new user with `role`, with a Rp0 shift open unless `shift=False`
    (every sale belongs to an open shift of its cashier)."""
    user = make_user(session, role)
    if shift:
        open_shift_for(session, user)
    return create_token(session, user)


def open_shift_for(session: Session, user: User | int, float: int = 0) -> Any:
    """Open a shift for `user` with `float` in the drawer (the till asks for it first)."""
    from pos.shifts import open_shift

    return open_shift(session, user if isinstance(user, int) else user.id, float)


def make_outlet(session: Session, **kwargs: Any) -> Outlet:
    """The shop's outlet row."""
    fields = {"name": "e-Warong Uji", "kube_name": "KUBE Uji", "address": "Jl. Uji 1",
              "ewarong_id": "EW-TEST-1", **kwargs}
    outlet = Outlet(**fields)
    session.add(outlet)
    session.flush()
    return outlet


# --- pos: beneficiaries (KPM), KKS cards, entitlements -------------------------------------

from aid.beneficiaries import import_beneficiaries  # noqa: E402
from aid.cards import derive_card_key, luhn_check_digit  # noqa: E402
from aid.identity import make_nik as _compose_nik  # noqa: E402
from aid.kpm_file import BeneficiaryRow, ImportPlan  # noqa: E402
from aid.models import Beneficiary, EntitlementEntry  # noqa: E402

_card_seq = itertools.count(1)
_nik_seq = itertools.count(1)
#: the issuer prefix of test cards (a BNI-like KKS range)
BIN = "526422"


def card_key(app: Any) -> bytes:
    """The card-hash key of `app` (derived from its secret key)."""
    return derive_card_key(app.config["SECRET_KEY"])


def make_card_number(length: int = 16, prefix: str = BIN) -> str:
    """A new card number with a valid Luhn check digit."""
    body = f"{prefix}{next(_card_seq):0{length - len(prefix) - 1}d}"
    return body + luhn_check_digit(body)


def make_nik(female: bool = False) -> str:
    """A new valid NIK."""
    n = next(_nik_seq)
    return _compose_nik("352701", 1 + n % 28, 1 + n % 12, 80 + n % 20, n % 10000 or 1,
                        female=female)


def make_beneficiary(session: Session, key: bytes, *, card: str | None = None,
                     nik: str | None = None, name: str | None = None,
                     village: str = "Sukamaju", active: bool = True,
                     **fields: Any) -> Beneficiary:
    """A KPM with a card (a new valid number unless `card` is given), via the import service."""
    nik = nik or make_nik()
    row = BeneficiaryRow(row=1, nik=nik, name=name or f"KPM {nik[-4:]}", village=village,
                         card_number=card or make_card_number(), **fields)
    columns = frozenset({"no_kk", "id_dtks", "alamat", "kecamatan"})
    result = import_beneficiaries(session, key, ImportPlan(rows=[row], columns=columns))
    assert not result.rejected, result.rejected
    session.flush()
    found = session.scalars(select(Beneficiary).where(Beneficiary.nik == nik)).one()
    found.active = active
    session.flush()
    return found


def credit(session: Session, beneficiary: Beneficiary | int, amount: int = 200_000,
           period: str | None = None) -> EntitlementEntry:
    """A credit for `period` (the current month by default) to one KPM."""
    from aid.settings import bpnt_settings

    bid = beneficiary if isinstance(beneficiary, int) else beneficiary.id
    entry = EntitlementEntry(beneficiary_id=bid, kind="credit", amount=amount,
                             period=period or bpnt_settings(session).month())
    session.add(entry)
    session.flush()
    return entry


# --- printer ---------------------------------------------------------------------------

#: a product name of exactly 60 characters, the longest the receipt tests print
LONG_NAME = "Beras Premium Super Pulen Kualitas Ekspor Cap Mawar Abad 5kg"
SAMPLE_ITEMS = (("Beras Medium 5 kg", "1", "sak", 68000, True),
                ("Telur Ayam Ras", "1.5", "kg", 28000, True),
                ("Minyak Goreng 1 L", "2", "btl", 18500, False))


def make_sale_receipt(payment: str = "cash", items: Sequence[tuple[str, str, str, int, bool]]
                 = SAMPLE_ITEMS, **overrides: Any) -> Receipt:
    """A receipt as the selling domain will build it; payment is cash, bpnt or mixed."""
    lines = tuple(ReceiptLine(name=name, quantity=Decimal(qty), unit=unit, unit_price=price,
                              amount=line_amount(price, qty), bpnt_eligible=eligible)
                  for name, qty, unit, price, eligible in items)
    total = sum(line.amount for line in lines)
    eligible = sum(line.amount for line in lines if line.bpnt_eligible)
    bpnt_amount = {"cash": 0, "bpnt": total, "mixed": eligible}[payment]
    tenders: list[ReceiptTender] = []
    if bpnt_amount:
        tenders.append(ReceiptTender("bpnt", bpnt_amount, reference="004512",
                                     masked_card="526422******1234",
                                     remaining_after=max(200000 - bpnt_amount, 0)))
    cash = total - bpnt_amount
    given = (cash // 50000 + 1) * 50000 if cash else None
    if cash:
        tenders.append(ReceiptTender("cash", cash, given=given))
    fields: dict[str, Any] = {
        "header": ReceiptHeader("e-Warong KUBE Sejahtera Makmur", "KUBE Sejahtera Makmur",
                                "Jl. Raya Desa Sukamaju No. 12, RT 02/RW 03", "EW-3202-0147",
                                "0812-0000-1471"),
        "sale_number": f"EW-20261126-{next(_seq):04d}",
        "sold_at": datetime(2026, 11, 26, 14, 5),
        "cashier": "Siti Aminah", "lines": lines, "total": total, "tenders": tuple(tenders),
        "change": (given - cash) if given else 0,
        "verify_url": "http://127.0.0.1:8000/r/AbCdEfGhIjKlMnOp",
        "footer": ("Terima kasih",), **overrides}
    return Receipt(**fields)


# --- inventory ---------------------------------------------------------------------------

def make_supplier(session: Session, kind: str = "third_party", name: str | None = None,
                  **kwargs: Any) -> Any:
    """A supplier of `kind`."""
    from inventory.catalogue import create_supplier

    return create_supplier(session, {"name": name or f"Pemasok {next(_seq)}", "kind": kind,
                                     **kwargs})


def make_product(session: Session, name: str | None = None, *, unit: str = "pcs",
                 price: int = 10000, commodity_group: str = "carbohydrate",
                 barcode: str | None = None, **kwargs: Any) -> Any:
    """A product; `barcode` adds one barcode, `barcodes` several."""
    from inventory.catalogue import create_product

    n = next(_seq)
    data = {"sku": kwargs.pop("sku", f"SKU-{n}"), "name": name or f"Produk {n}", "unit": unit,
            "price": price, "commodity_group": commodity_group,
            "barcodes": kwargs.pop("barcodes", [barcode] if barcode else []), **kwargs}
    return create_product(session, data)


def make_goods_receipt(session: Session,
                       lines: list[tuple[Any, Any, int] | tuple[Any, Any, int, Any]],
                       supplier: Any = None, **kwargs: Any) -> Any:
    """A goods receipt: lines are (product, quantity, unit_cost[, expires_on])."""
    from inventory.receiving import receive_goods

    supplier = supplier or make_supplier(session)
    body = [{"product_id": line[0].id, "quantity": str(line[1]), "unit_cost": line[2],
             "expires_on": line[3] if len(line) > 3 else None} for line in lines]
    return receive_goods(session, {"supplier_id": supplier.id, "lines": body, **kwargs})


def make_stock(session: Session, product: Any, quantity: Any, unit_cost: int = 1000,
               expires_on: Any = None, supplier: Any = None) -> Any:
    """Put `quantity` of `product` on hand through a receipt; returns the new batch id."""
    receipt = make_goods_receipt(session, [(product, quantity, unit_cost, expires_on)],
                                 supplier=supplier)
    return receipt.lines[0].batch_id


# --- sales -------------------------------------------------------------------------------

def make_sale(session: Session, app: Any, lines: Sequence[tuple[Any, ...]],
              tenders: Sequence[dict[str, Any]] | None = None, *, cashier: Any = None,
              at: datetime | None = None, client_ref: str | None = None,
              approver: Any = None, print_receipt: bool = True) -> Any:
    """A sale made by the sale's use case (`pos.sales.sell`), as the till makes it.

    `lines` are (product, quantity[, unit_price]): a price other than the catalogue's needs
    `approver` (a manager), as the API asks for one. `tenders` are API-shaped dicts (cash for
    the whole by default). `at` records the sale at that moment (building a shop's history;
    pass `print_receipt=False` so that history queues no receipts). A cashier with no open
    shift gets one with a Rp0 float first, as the till asks for it (every sale belongs to an
    open shift of its cashier). Returns the recorded `pos.sale_records.SaleRecord`.
    """
    import uuid
    from contextlib import nullcontext

    from ewarung.clock import happening_at
    from pos.receipts import ReceiptContext
    from pos.sale_input import ApprovalRequired, Till
    from pos.sales import sell
    from pos.schemas import SaleIn
    from pos.shifts import current_shift

    cashier = cashier or make_user(session, "cashier")
    if current_shift(session, cashier.id) is None:
        open_shift_for(session, cashier)
    key = card_key(app)
    asked = [(ln[0], ln[1], ln[2] if len(ln) > 2 else None) for ln in lines]
    req = SaleIn.model_validate({
        "client_ref": client_ref or str(uuid.uuid4()),
        "lines": [{"product_id": p.id, "quantity": str(q)}
                  | ({"unit_price": price} if price is not None else {})
                  for p, q, price in asked],
        "tenders": list(tenders or [{"kind": "cash"}])}).request(key)
    receipts = ReceiptContext("http://localhost/", app.config["SECRET_KEY"],
                              printing=print_receipt)
    till = Till(cashier_id=cashier.id, cashier_name=cashier.full_name, card_key=key,
                receipts=receipts)

    def approve(asked: type[ApprovalRequired]) -> int:
        if approver is None:
            raise asked()
        return int(approver.id)

    with happening_at(at) if at is not None else nullcontext():
        return sell(session, req, till, approve=approve).record
