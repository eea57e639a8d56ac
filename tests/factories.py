"""Factories for test data: small functions with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from ewarung.auth.models import User
from ewarung.auth.services import create_token, create_user
from ewarung.shop import Outlet

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


def make_token(session: Session, role: str = "manager") -> str:
    """A bearer token of a new user with `role`."""
    return create_token(session, make_user(session, role))


def make_outlet(session: Session, **kwargs: Any) -> Outlet:
    """The shop's outlet row."""
    fields = {"name": "e-Warong Uji", "kube_name": "KUBE Uji", "address": "Jl. Uji 1",
              "ewarong_id": "EW-TEST-1", **kwargs}
    outlet = Outlet(**fields)
    session.add(outlet)
    session.flush()
    return outlet


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


def make_receipt(session: Session, lines: list[tuple[Any, Any, int] | tuple[Any, Any, int, Any]],
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
    receipt = make_receipt(session, [(product, quantity, unit_cost, expires_on)],
                           supplier=supplier)
    return receipt.lines[0].batch_id
