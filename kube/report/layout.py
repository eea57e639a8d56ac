"""What the report's files show, section by section: figures and tables with their labels.

The XLSX, CSV and PDF writers walk this one description, so the same figure has the same
label and the same value in every file. Labels are Indonesian (`N_`), translated when laid
out. Keys are dotted paths into the report's JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from babel.dates import format_date
from babel.numbers import format_decimal

from ewarung.errors import N_
from ewarung.money import format_quantity, format_rupiah
from inventory.labels import COMMODITY_GROUP_LABELS, SUPPLIER_KIND_LABELS
from kube.labels import BUCKET_LABELS, CATEGORY_LABELS, REFUSAL_LABELS, TENDER_LABELS

Kind = Literal["money", "int", "percent", "number", "quantity", "text", "date", "items"]


@dataclass(frozen=True)
class Field:
    """One value: where it is, what it is called, what kind of number it is."""

    key: str
    label: str
    kind: Kind = "money"
    #: labels of a text field's stored codes (supplier kinds)
    codes: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Table:
    """A list of rows, or a mapping {code: row or value} whose codes have labels."""

    key: str
    label: str
    columns: tuple[Field, ...]
    #: labels of the codes of a mapping (shown as the first column)
    codes: Mapping[str, str] | None = None
    #: the column that names a list's row in the CSV (the row number when None)
    row_key: str | None = None


@dataclass(frozen=True)
class Section:
    """One part of the report: a sheet of the XLSX, a heading of the PDF."""

    key: str
    title: str
    figures: tuple[Field, ...]
    tables: tuple[Table, ...] = ()


def _f(key: str, label: str, kind: Kind = "money",
       codes: Mapping[str, str] | None = None) -> Field:
    return Field(key, label, kind, codes)


AMOUNT = (_f("", N_("Jumlah")),)
COUNT = (_f("", N_("Jumlah"), "int"),)
PROFIT_COLUMNS = (_f("sales", N_("Penjualan")), _f("cogs", N_("HPP")),
                  _f("gross_profit", N_("Laba kotor")), _f("margin", N_("Margin"), "percent"))

SECTIONS: tuple[Section, ...] = (
    Section("sales", N_("Penjualan"), (
        _f("gross", N_("Penjualan kotor")), _f("returns", N_("Retur")),
        _f("total", N_("Penjualan bersih")), _f("count", N_("Jumlah transaksi"), "int"),
        _f("average_basket", N_("Rata-rata belanja")),
        _f("tender_difference", N_("Selisih pembayaran (harus 0)"))), (
        Table("by_tender", N_("Menurut cara bayar"), (
            _f("gross", N_("Dibayar")), _f("refunds", N_("Dikembalikan")),
            _f("net", N_("Bersih"))), TENDER_LABELS),
        Table("by_day", N_("Penjualan per hari"), (
            _f("day", N_("Tanggal"), "date"), _f("count", N_("Transaksi"), "int"),
            _f("total", N_("Penjualan"))), row_key="day"))),
    Section("bpnt", N_("BPNT"), (
        _f("active_kpm", N_("KPM aktif"), "int"), _f("served_kpm", N_("KPM dilayani"), "int"),
        _f("served_share", N_("KPM aktif yang dilayani"), "percent"),
        _f("redeemed", N_("Total penukaran BPNT")),
        _f("average_per_kpm", N_("Rata-rata per KPM dilayani")),
        _f("paid_at_till", N_("Dibayar BPNT di kasir")),
        _f("refunds", N_("Dikembalikan ke kartu"))), (
        Table("by_group", N_("Menurut kelompok komoditas"), AMOUNT, COMMODITY_GROUP_LABELS),
        Table("not_served", N_("KPM aktif yang belum dilayani"), (
            _f("name", N_("Nama"), "text"), _f("village", N_("Desa"), "text")), row_key="id"))),
    Section("profit", N_("Laba"), (
        _f("sales", N_("Penjualan bersih")), _f("cogs", N_("Harga pokok penjualan (HPP)")),
        _f("gross_profit", N_("Laba kotor")), _f("margin", N_("Margin kotor"), "percent"),
        _f("expenses", N_("Biaya operasional")), _f("net_profit", N_("Laba bersih"))), (
        Table("by_group", N_("Menurut kelompok komoditas"), PROFIT_COLUMNS,
              COMMODITY_GROUP_LABELS),
        Table("top_products", N_("Produk terlaris"), (
            _f("name", N_("Produk"), "text"), _f("quantity", N_("Jumlah"), "quantity"),
            _f("unit", N_("Satuan"), "text"), *PROFIT_COLUMNS), row_key="product_id"))),
    Section("expenses", N_("Biaya"), (_f("total", N_("Total biaya operasional")),), (
        Table("by_category", N_("Menurut kategori"), AMOUNT, CATEGORY_LABELS),)),
    Section("shu", N_("SHU"), (_f("net_profit", N_("Laba bersih (SHU)")),), (
        Table("buckets", N_("Pembagian SHU"), AMOUNT, BUCKET_LABELS),
        Table("members", N_("Bagian anggota"), (
            _f("name", N_("Anggota"), "text"), _f("weight", N_("Bobot"), "quantity"),
            _f("amount", N_("Bagian"))), row_key="id"))),
    Section("stock", N_("Persediaan"), (
        _f("opening", N_("Nilai awal bulan")), _f("purchases", N_("Pembelian")),
        _f("cogs", N_("HPP (keluar karena penjualan)")),
        _f("returns", N_("Kembali (retur dan pembatalan)")),
        _f("adjustments", N_("Penyesuaian")), _f("shrinkage", N_("Susut (stok opname)")),
        _f("write_offs", N_("Penghapusan")), _f("closing", N_("Nilai akhir bulan")),
        _f("difference", N_("Selisih persamaan stok (harus 0)")))),
    Section("suppliers", N_("Pemasok"), (
        _f("total", N_("Total pembelian")),
        _f("local_share", N_("Dari produsen lokal & anggota KUBE"), "percent"),
        _f("top_supplier.name", N_("Pemasok terbesar"), "text"),
        _f("top_supplier.share", N_("Bagian pemasok terbesar"), "percent"),
        _f("hhi", N_("Indeks konsentrasi pemasok"), "number")), (
        Table("suppliers", N_("Pembelian per pemasok"), (
            _f("name", N_("Pemasok"), "text"),
            _f("kind", N_("Jenis"), "text", SUPPLIER_KIND_LABELS),
            _f("value", N_("Pembelian")), _f("share", N_("Bagian"), "percent")), row_key="id"),
        Table("by_kind", N_("Menurut jenis pemasok"), (
            _f("value", N_("Pembelian")), _f("share", N_("Bagian"), "percent")),
            SUPPLIER_KIND_LABELS),
        Table("trend", N_("Enam bulan terakhir"), (
            _f("month", N_("Bulan"), "text"), _f("total", N_("Pembelian")),
            _f("third_party_share", N_("Pihak ketiga"), "percent"),
            _f("local_share", N_("Lokal & KUBE"), "percent"),
            _f("top_share", N_("Terbesar"), "percent"), _f("hhi", N_("Konsentrasi"), "number")),
            row_key="month"))),
    Section("integrity", N_("Integritas 6T"), (
        _f("above_reference.count", N_("Baris di atas harga acuan"), "int"),
        _f("above_reference.excess", N_("Kelebihan di atas harga acuan")),
        _f("refusals.count", N_("Transaksi ditolak"), "int"),
        _f("voids.count", N_("Transaksi dibatalkan"), "int"),
        _f("voids.total", N_("Nilai transaksi dibatalkan")),
        _f("returns.count", N_("Retur"), "int"), _f("returns.total", N_("Nilai retur")),
        _f("reconciliation.matched", N_("Rekonsiliasi bank: cocok"), "int"),
        _f("reconciliation.amount_differs", N_("Rekonsiliasi bank: nominal berbeda"), "int"),
        _f("reconciliation.bank_only", N_("Rekonsiliasi bank: hanya di bank"), "int"),
        _f("reconciliation.shop_only", N_("Rekonsiliasi bank: hanya di toko"), "int")), (
        Table("bundles.baskets", N_("Kemungkinan paket"), (
            _f("items", N_("Isi keranjang"), "items"), _f("kpm", N_("KPM"), "int"),
            _f("sales", N_("Transaksi"), "int"))),
        Table("refusals.by_code", N_("Penolakan menurut aturan"), COUNT, REFUSAL_LABELS),
        Table("above_reference.lines", N_("Penjualan di atas harga acuan"), (
            _f("sale", N_("No. transaksi"), "text"), _f("day", N_("Tanggal"), "date"),
            _f("product", N_("Produk"), "text"), _f("quantity", N_("Jumlah"), "quantity"),
            _f("unit_price", N_("Harga")), _f("reference_price", N_("Harga acuan")))),
        Table("voids.list", N_("Transaksi dibatalkan"), (
            _f("sale", N_("No. transaksi"), "text"), _f("day", N_("Tanggal"), "date"),
            _f("total", N_("Nilai")), _f("reason", N_("Alasan"), "text"))),
        Table("returns.list", N_("Retur"), (
            _f("sale", N_("No. transaksi"), "text"), _f("day", N_("Tanggal"), "date"),
            _f("amount", N_("Nilai")), _f("reason", N_("Alasan"), "text"))),
        Table("reconciliation.runs", N_("Rekonsiliasi bank"), (
            _f("first_day", N_("Dari"), "date"), _f("last_day", N_("Sampai"), "date"),
            _f("matched", N_("Cocok"), "int"), _f("amount_differs", N_("Beda"), "int"),
            _f("bank_only", N_("Hanya bank"), "int"), _f("shop_only", N_("Hanya toko"), "int"),
            _f("bank_total", N_("Total bank")), _f("shop_total", N_("Total toko"))),
            row_key="id"))),
    Section("adjustments", N_("Penyesuaian bulan sebelumnya"), (
        _f("count", N_("Retur penjualan bulan yang sudah ditutup"), "int"),
        _f("total", N_("Nilai retur")), _f("cost", N_("HPP kembali")),
        _f("bpnt_refunds", N_("BPNT dikembalikan ke kartu")),
        _f("cash_refunds", N_("Tunai dikembalikan")),
        _f("void_count", N_("Pembatalan penjualan bulan yang sudah ditutup"), "int"),
        _f("void_total", N_("Nilai pembatalan"))), (
        Table("returns", N_("Retur"), (
            _f("sale", N_("No. transaksi"), "text"), _f("month", N_("Bulan"), "text"),
            _f("sale_day", N_("Tanggal jual"), "date"), _f("day", N_("Tanggal retur"), "date"),
            _f("amount", N_("Nilai")), _f("cost", N_("HPP")),
            _f("refund_bpnt", N_("BPNT")), _f("refund_cash", N_("Tunai")),
            _f("reason", N_("Alasan"), "text"))),
        Table("voids", N_("Pembatalan"), (
            _f("sale", N_("No. transaksi"), "text"), _f("month", N_("Bulan"), "text"),
            _f("sale_day", N_("Tanggal jual"), "date"),
            _f("day", N_("Tanggal batal"), "date"), _f("total", N_("Nilai")),
            _f("reason", N_("Alasan"), "text"))))),
)


def value_at(data: Any, key: str) -> Any:
    """The value at a dotted `key` ("" is `data` itself; None when a step is missing)."""
    for part in key.split(".") if key else ():
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def rows_of(data: Any, table: Table) -> Iterator[tuple[str, Any]]:
    """(row name, row) of a table: codes of a mapping, or the row key / number of a list."""
    found = value_at(data, table.key)
    if isinstance(found, Mapping):
        for code, row in found.items():
            yield str(code), row
        return
    for n, row in enumerate(found or [], start=1):
        yield str(row.get(table.row_key) if table.row_key else n), row


def basket_text(items: list[dict[str, Any]]) -> str:
    """A basket in one line: Beras Medium 5 kg, Telur Ayam 1 kg."""
    return ", ".join(f"{i['name']} {format_quantity(i['quantity'])} {i['unit']}"
                     for i in items)


def same(text: str) -> str:
    """No translation: the report's own Indonesian."""
    return text


def shown(value: Any, f: Field, translate: Callable[[str], str] = same) -> str:
    """A value as the report prints it: Rp12.500, 23,2%, 1,5, 31/10/2026."""
    if value is None:
        return "–"
    if f.codes is not None:
        return translate(f.codes[value]) if value in f.codes else str(value)
    if f.kind == "money":
        return format_rupiah(int(value))
    if f.kind == "int":
        return format_decimal(value, format="#,##0", locale="id_ID")
    if f.kind in ("percent", "number"):
        text = format_decimal(value, format="#,##0.0", locale="id_ID")
        return text + "%" if f.kind == "percent" else text
    if f.kind == "quantity":
        return format_quantity(Decimal(value))
    if f.kind == "date":
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if f.kind == "items":
        return basket_text(value)
    return str(value)


def month_title(month: str) -> str:
    """The month written out in Indonesian: Oktober 2026."""
    return format_date(date.fromisoformat(f"{month}-01"), "MMMM yyyy", locale="id_ID")
