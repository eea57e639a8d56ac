"""The catalogue as CSV: export for a spreadsheet, import row by row (add or update by SKU).

Files made by Indonesian-locale Excel are the norm: `;` separators, a BOM, a `'` before
long numbers, decimal commas. Headers may be Indonesian (as exported) or the API's names.
A row that fails is reported with its spreadsheet row number and never stops the others.
The file is read by `ewarung.tabular`, within its limits.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ewarung.errors import N_, AppError
from ewarung.exports import csv_writer
from ewarung.tabular import read_rows
from inventory import catalogue
from inventory.fields import FieldErrors
from inventory.models import Product

NO_FILE = N_("Pilih berkas CSV.")
#: exported header → the product field it holds
COLUMNS = {"sku": "sku", "nama": "name", "satuan": "unit", "harga": "price",
           "kelompok": "commodity_group", "barcode": "barcodes",
           "harga_acuan": "reference_price", "titik_pesan_ulang": "reorder_point",
           "catat_kedaluwarsa": "tracks_expiry", "boleh_minus": "allow_negative",
           "aktif": "active"}
ALIASES = {**{v: v for v in COLUMNS.values()}, **COLUMNS, "barcode": "barcodes",
           "name": "name", "kedaluwarsa": "tracks_expiry", "stok_minimum": "reorder_point"}
GROUP_ALIASES = {"karbohidrat": "carbohydrate", "protein_hewani": "animal_protein",
                 "protein_nabati": "plant_protein", "vitamin_mineral": "vitamins_minerals",
                 "vitamin_dan_mineral": "vitamins_minerals", "bukan_bpnt": "none",
                 "tidak": "none", "": "none"}
DECIMAL_FIELDS = ("reorder_point",)


@dataclass
class ImportResult:
    """What an import did."""

    imported: int = 0
    updated: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def export_products(session: Session) -> str:
    """Every product, one row each, in the import format."""
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in session.scalars(select(Product).options(selectinload(Product.barcodes))
                             .order_by(Product.sku)):
        writer.writerow([
            p.sku, p.name, p.unit, p.price, p.commodity_group,
            " ".join(b.code for b in p.barcodes),
            "" if p.reference_price is None else p.reference_price,
            _decimal_comma(p.reorder_point), _yes(p.tracks_expiry), _yes(p.allow_negative),
            _yes(p.active)])
    return out.getvalue()


def import_products(session: Session, content: bytes,
                    translate: Callable[[str], str] | None = None) -> ImportResult:
    """Add products with a new SKU, update those with a known one; report refused rows."""
    result = ImportResult()
    for row_number, row in _rows(content):
        try:
            with session.begin_nested():
                data = _product_data(row)
                existing = session.scalar(select(Product).where(
                    Product.sku == catalogue.normalise_sku(str(data.get("sku") or ""))))
                if existing is None:
                    catalogue.create_product(session, data)
                    result.imported += 1
                else:
                    catalogue.update_product(session, existing.id, data)
                    result.updated += 1
        except AppError as exc:
            fields = exc.details.get("fields", {})
            message = exc.message(translate)
            if fields:
                message = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in fields.items())
            result.rejected.append({"row": row_number, "code": exc.code, "message": message})
    return result


def _header(cells: Sequence[object]) -> list[str]:
    return [ALIASES.get(str(h).strip().lower().replace(" ", "_"), "") for h in cells]


def _rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    rows = read_rows(content, xlsx=False, delimiters=(";", ","),
                     header=lambda cells: "sku" in _header(cells))
    header = _header(next(rows, []))
    if "sku" not in header:
        errors = FieldErrors()
        errors.add("file", N_("Kolom sku tidak ada di baris judul."))
        errors.raise_if_any()
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        yield number, {name: _cell(value) for name, value in zip(header, cells, strict=False)
                       if name}


def _cell(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("'") else value


def _product_data(row: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = dict(row)
    if "commodity_group" in data:
        group = data["commodity_group"].strip().lower().replace(" ", "_")
        data["commodity_group"] = GROUP_ALIASES.get(group, group)
    for name in DECIMAL_FIELDS:
        if name in data:
            data[name] = data[name].replace(".", "").replace(",", ".") \
                if "," in data[name] else data[name]
    for name in ("reference_price",):
        if data.get(name) == "":
            data[name] = None
    return data


def _decimal_comma(value: Any) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _yes(flag: bool) -> str:
    return "ya" if flag else "tidak"
