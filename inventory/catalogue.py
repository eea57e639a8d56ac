"""Use-cases of the catalogue: products with their barcodes, and suppliers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.db import get_or_404
from ewarung.errors import N_, AppError, NotFound
from ewarung.i18n import format_rupiah
from ewarung.numbers import as_id
from inventory import fields
from inventory.fields import FieldErrors
from inventory.models import (
    COMMODITY_GROUPS,
    FRACTIONAL_UNITS,
    SUPPLIER_KINDS,
    UNITS,
    Barcode,
    Product,
    Supplier,
)
from inventory.search import normalise, normalise_sku

SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,39}$")
BARCODE_RE = re.compile(r"^[0-9A-Za-z._-]{1,32}$")
PRODUCT_FIELDS = ("sku", "name", "unit", "price", "commodity_group", "barcodes",
                  "reference_price", "reorder_point", "tracks_expiry", "allow_negative",
                  "active", "preferred_supplier_id")
SUPPLIER_FIELDS = ("name", "kind", "contact_person", "phone", "address", "note",
                   "lead_time_days", "active")


class PriceAboveReference(AppError):
    """The sale price is above the local market reference (6T: tepat harga)."""

    code = "price_above_reference"
    status = 422
    template = N_("Harga jual %(price)s di atas harga acuan pasar %(reference)s.")


def split_barcodes(raw: Any) -> list[str]:
    """Barcodes from a list or from text separated by spaces, commas, semicolons or |."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else re.split(r"[\s,;|]+", str(raw))
    return [str(code).strip() for code in items if str(code).strip()]


def create_product(session: Session, data: Mapping[str, Any]) -> Product:
    """Add a product; `data` holds the raw fields (see PRODUCT_FIELDS)."""
    clean = _clean_product(session, data, None)
    codes = clean.pop("barcodes")
    product = Product(**clean)
    product.barcodes = [Barcode(code=c) for c in codes]
    session.add(product)
    session.flush()
    audit.record(session, "product.create", entity="product", entity_id=product.id,
                 after=snapshot(product))
    return product


def update_product(session: Session, product_id: int, data: Mapping[str, Any]) -> Product:
    """Change the fields present in `data`; the others keep their value."""
    product = get_product(session, product_id)
    before = snapshot(product)
    merged = {**before, **{k: v for k, v in data.items() if k in PRODUCT_FIELDS}}
    clean = _clean_product(session, merged, product.id)
    codes = clean.pop("barcodes")
    for name, value in clean.items():
        setattr(product, name, value)
    if codes != [b.code for b in product.barcodes]:
        product.barcodes = [b for b in product.barcodes if b.code in codes]
        session.flush()  # free removed codes before they are added again
        have = {b.code for b in product.barcodes}
        product.barcodes.extend(Barcode(code=c) for c in codes if c not in have)
    session.flush()
    after = snapshot(product)
    if after != before:
        audit.record(session, "product.update", entity="product", entity_id=product.id,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    return product


def get_product(session: Session, product_id: int) -> Product:
    """The product, or `not_found`."""
    product = get_or_404(session, Product, product_id, NotFound(N_("Produk tidak ditemukan.")))
    return product


def snapshot(product: Product) -> dict[str, Any]:
    return {"sku": product.sku, "name": product.name, "unit": product.unit,
            "price": product.price, "commodity_group": product.commodity_group,
            "barcodes": [b.code for b in product.barcodes],
            "reference_price": product.reference_price,
            "reorder_point": str(product.reorder_point), "tracks_expiry": product.tracks_expiry,
            "allow_negative": product.allow_negative, "active": product.active,
            "preferred_supplier_id": product.preferred_supplier_id}


def _clean_product(session: Session, data: Mapping[str, Any],
                   product_id: int | None) -> dict[str, Any]:
    errors = FieldErrors()
    sku = normalise_sku(str(data.get("sku") or ""))
    if not SKU_RE.match(sku):
        errors.add("sku", N_("SKU 1–40 huruf besar, angka, titik, garis miring atau tanda hubung."))
    elif session.scalar(select(Product.id).where(Product.sku == sku,
                                                 Product.id != (product_id or 0))):
        errors.add("sku", N_("SKU %(sku)s sudah dipakai produk lain."), sku=sku)
    name = fields.text_value(data.get("name"), "name", errors, min_len=2, max_len=120)
    unit = fields.choice(data.get("unit"), "unit", errors, UNITS)
    group = fields.choice(data.get("commodity_group"), "commodity_group", errors,
                          COMMODITY_GROUPS)
    price = fields.money(data.get("price"), "price", errors)
    reference = fields.money(data.get("reference_price"), "reference_price", errors,
                             required=False)
    reorder_raw = data.get("reorder_point")
    reorder = fields.quantity(0 if reorder_raw in (None, "") else reorder_raw, "reorder_point",
                              errors, allow_zero=True)
    codes = _clean_barcodes(session, split_barcodes(data.get("barcodes")), product_id, errors)
    supplier_id = data.get("preferred_supplier_id") or None
    if supplier_id is not None and session.get(Supplier, _int_or_zero(supplier_id)) is None:
        errors.add("preferred_supplier_id", N_("Pemasok tidak dikenal."))
    clean = {"sku": sku, "name": name, "search_key": normalise(name), "unit": unit,
             "price": price, "commodity_group": group, "reference_price": reference,
             "reorder_point": reorder, "barcodes": codes,
             "preferred_supplier_id": _int_or_zero(supplier_id) if supplier_id else None,
             "tracks_expiry": fields.flag(data.get("tracks_expiry"), "tracks_expiry", errors),
             "allow_negative": fields.flag(data.get("allow_negative"), "allow_negative",
                                           errors),
             "active": fields.flag(data.get("active"), "active", errors, default=True)}
    if reorder is not None and unit not in FRACTIONAL_UNITS and reorder != int(reorder):
        errors.add("reorder_point", N_("Satuan %(unit)s dihitung utuh, tanpa pecahan."),
                   unit=unit)
    errors.raise_if_any()
    if reference is not None and price is not None and price > reference:
        params = {"price": format_rupiah(price), "reference": format_rupiah(reference)}
        raise PriceAboveReference(
            details={"fields": {"price": [PriceAboveReference.template % params]}}, **params)
    return clean


def _int_or_zero(raw: Any) -> int:
    return as_id(raw) or 0


def _clean_barcodes(session: Session, codes: list[str], product_id: int | None,
                    errors: FieldErrors) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if not BARCODE_RE.match(code):
            errors.add("barcode", N_("Barcode %(code)s tidak valid: 1–32 huruf atau angka."),
                       code=code[:40])
        elif code in seen:
            errors.add("barcode", N_("Barcode %(code)s diisi dua kali."), code=code)
        else:
            seen.append(code)
    if seen:
        taken = session.execute(select(Barcode.code, Product.name).join(Product).where(
            Barcode.code.in_(seen), Barcode.product_id != (product_id or 0))).all()
        for code, owner in taken:
            errors.add("barcode", N_("Barcode %(code)s sudah dipakai %(owner)s."),
                       code=code, owner=owner)
    return seen


def is_fractional(unit: str) -> bool:
    """Whether goods in `unit` may be counted in fractions (weighed or measured)."""
    return unit in FRACTIONAL_UNITS


def create_supplier(session: Session, data: Mapping[str, Any]) -> Supplier:
    """Add a supplier."""
    supplier = Supplier(**_clean_supplier(data))
    session.add(supplier)
    session.flush()
    audit.record(session, "supplier.create", entity="supplier", entity_id=supplier.id,
                 after={"name": supplier.name, "kind": supplier.kind})
    return supplier


def update_supplier(session: Session, supplier_id: int, data: Mapping[str, Any]) -> Supplier:
    """Change the fields present in `data`."""
    supplier = get_supplier(session, supplier_id)
    current = {name: getattr(supplier, name) for name in SUPPLIER_FIELDS}
    clean = _clean_supplier({**current, **{k: v for k, v in data.items()
                                           if k in SUPPLIER_FIELDS}})
    changed = {k: v for k, v in clean.items() if current[k] != v}
    for name, value in changed.items():
        setattr(supplier, name, value)
    if changed:
        audit.record(session, "supplier.update", entity="supplier", entity_id=supplier.id,
                     before={k: current[k] for k in changed}, after=changed)
    return supplier


def get_supplier(session: Session, supplier_id: int) -> Supplier:
    """The supplier, or `not_found`."""
    supplier = get_or_404(session, Supplier, supplier_id, NotFound(N_("Pemasok tidak ditemukan.")))
    return supplier


def _clean_supplier(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    clean = {
        "name": fields.text_value(data.get("name"), "name", errors, min_len=2, max_len=120),
        "kind": fields.choice(data.get("kind"), "kind", errors, SUPPLIER_KINDS),
        "contact_person": fields.text_value(data.get("contact_person"), "contact_person",
                                            errors),
        "phone": fields.text_value(data.get("phone"), "phone", errors, max_len=40),
        "address": fields.text_value(data.get("address"), "address", errors, max_len=300,
                                     multiline=True),
        "note": fields.text_value(data.get("note"), "note", errors, max_len=500,
                                  multiline=True),
        "lead_time_days": fields.integer(data.get("lead_time_days"), "lead_time_days", errors,
                                         low=0, high=365, default=2),
        "active": fields.flag(data.get("active"), "active", errors, default=True),
    }
    errors.raise_if_any()
    return clean


def suppliers(session: Session, include_inactive: bool = False) -> Iterable[Supplier]:
    """Suppliers by name."""
    stmt = select(Supplier).order_by(Supplier.name, Supplier.id)
    if not include_inactive:
        stmt = stmt.where(Supplier.active.is_(True))
    return session.scalars(stmt).all()
