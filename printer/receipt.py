"""What a receipt says, as plain data: the contract between selling and printing.

`pos` builds a `Receipt` from a sale; `printer` lays it out for a thermal printer or the
browser. Nothing here knows about Flask or the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ReceiptHeader:
    """The shop, as printed at the top."""

    outlet_name: str
    kube_name: str
    address: str
    #: the e-Warong ID given by the bank or the Dinas Sosial
    ewarong_id: str
    phone: str = ""


@dataclass(frozen=True)
class ReceiptLine:
    """One sold item."""

    name: str
    quantity: Decimal
    unit: str
    unit_price: int
    amount: int
    #: whether BPNT may pay this line (its commodity group is not "none")
    bpnt_eligible: bool = False


@dataclass(frozen=True)
class ReceiptTender:
    """One payment. BPNT tenders carry the masked card, the EDC reference and what is left."""

    kind: str  # "bpnt", "cash", "qris", "transfer"
    amount: int
    reference: str = ""
    masked_card: str = ""
    #: the card's remaining entitlement after this sale (BPNT only)
    remaining_after: int | None = None
    #: cash handed over by the customer (cash only)
    given: int | None = None


@dataclass(frozen=True)
class Receipt:
    """Everything one printed receipt shows."""

    header: ReceiptHeader
    sale_number: str
    #: local time of the sale, already in the shop's time zone
    sold_at: datetime
    cashier: str
    lines: tuple[ReceiptLine, ...]
    total: int
    tenders: tuple[ReceiptTender, ...]
    change: int = 0
    #: the public verification address the QR code holds (…/r/CODE)
    verify_url: str = ""
    #: a reprint: printed as SALINAN
    copy: bool = False
    #: the sale was voided: printed as DIBATALKAN
    voided: bool = False
    #: e.g. "ARSIP TOKO" on the shop's archive copy of a BPNT sale
    copy_label: str = ""
    footer: tuple[str, ...] = field(default_factory=tuple)


def receipt_to_dict(receipt: Receipt) -> dict[str, Any]:
    """A JSON-safe form of a receipt (kept with its print job, so it can be printed again)."""
    data = asdict(receipt)
    data["sold_at"] = receipt.sold_at.isoformat()
    for line in data["lines"]:
        line["quantity"] = str(line["quantity"])
    return data


def receipt_from_dict(data: dict[str, Any]) -> Receipt:
    """The receipt `receipt_to_dict` wrote."""
    fields = dict(data)
    fields["header"] = ReceiptHeader(**fields["header"])
    fields["sold_at"] = datetime.fromisoformat(fields["sold_at"])
    fields["lines"] = tuple(ReceiptLine(**{**line, "quantity": Decimal(line["quantity"])})
                            for line in fields["lines"])
    fields["tenders"] = tuple(ReceiptTender(**t) for t in fields["tenders"])
    fields["footer"] = tuple(fields.get("footer", ()))
    return Receipt(**fields)
