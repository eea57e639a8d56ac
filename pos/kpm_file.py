"""Reading a beneficiary list (CSV or XLSX) into checked rows. Pure: no Flask, no session.

District lists are often made in Indonesian-locale Excel: `;` separators, a `'` before long
numbers, a BOM, title lines above the header, and 16-digit numbers that the spreadsheet
turned into `3.52701E+15` (their last digits are gone for good). Each row is checked on
its own; a bad row is rejected with a code and a message and never stops the others.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.text import has_unwritable
from pos.cards import validate_card_number
from pos.identity import validate_nik, validate_no_kk

REQUIRED = ("nik", "nama", "no_kks", "desa")
OPTIONAL = ("no_kk", "id_dtks", "alamat", "kecamatan")
#: other header spellings seen in district exports, mapped to ours
ALIASES = {"nama_kpm": "nama", "nama_penerima": "nama", "kelurahan": "desa",
           "desa_kelurahan": "desa", "nomor_kks": "no_kks", "no_kartu": "no_kks",
           "nomor_kk": "no_kk", "nokk": "no_kk", "nokks": "no_kks", "iddtks": "id_dtks"}
#: how many lines above the header may hold titles
HEADER_SEARCH = 20
MAX_LENGTHS = {"nama": 120, "desa": 120, "alamat": 300, "kecamatan": 120, "id_dtks": 40}
#: the text columns kept as written, and whether they may break lines
TEXT_COLUMNS = {"nama": False, "desa": False, "alamat": True, "kecamatan": False,
                "id_dtks": False}
#: the columns whose runs of spaces (tabs, line breaks) are kept as one space
SPACED = frozenset({"nama", "desa"})
#: the rejection of a row whose text holds a control character
UNWRITABLE_COLUMN = N_("Kolom %(column)s berisi karakter kendali yang tidak bisa disimpan atau "
                       "dicetak.")
_DESTROYED = re.compile(r"^[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+$")
_NUMBER_NOISE = re.compile(r"[\s\-]+")
_FLOAT_EXACT = 2 ** 53  # above this a spreadsheet number has lost digits


@dataclass(frozen=True)
class BeneficiaryRow:
    """One good row. `card_number` is the full number: keep it in memory only."""

    row: int
    nik: str
    name: str
    village: str
    card_number: str
    no_kk: str | None = None
    id_dtks: str | None = None
    address: str | None = None
    kecamatan: str | None = None


@dataclass(frozen=True)
class Rejection:
    """Why one row was not imported: a stable code and an Indonesian message template."""

    row: int
    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, translate: Any = None) -> str:
        """The message, translated by `translate` when given."""
        text = translate(self.template) if translate else self.template
        return text % self.params if self.params else text


@dataclass
class ImportPlan:
    """The good rows, the rejected rows, and which optional columns the file has."""

    rows: list[BeneficiaryRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    columns: frozenset[str] = frozenset()


class _RowRejected(Exception):
    def __init__(self, code: str, template: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.template, self.params = code, template, params


def header_key(name: object) -> str:
    """A header cell as a column key: `No. KKS` → `no_kks`."""
    key = re.sub(r"[^a-z0-9]+", "_", cell_text(name).lower()).strip("_")
    return ALIASES.get(key, key)


def cell_text(value: object) -> str:
    """A cell as clean text: spaces and a leading `'` stripped, whole numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _FLOAT_EXACT:
            return str(int(value))
        return repr(value).upper()  # 3.52701e+15 → 3.52701E+15: rejected as destroyed
    return str(value).strip().lstrip("'").strip()


def _number(cells: dict[str, str], key: str) -> str:
    text = _NUMBER_NOISE.sub("", cells.get(key, ""))
    if _DESTROYED.match(text):
        raise _RowRejected("number_destroyed", N_(
            "Kolom %(column)s berisi angka yang sudah dirusak spreadsheet (%(value)s): "
            "angka belakangnya hilang dan tidak bisa dipulihkan. Ketik ulang angka lengkapnya "
            "sebagai teks (awali dengan ') lalu impor lagi."), column=key, value=text[:20])
    return text


def _required(cells: dict[str, str], key: str) -> str:
    if not cells.get(key):
        raise _RowRejected("missing_value", N_("Kolom %(column)s kosong."), column=key)
    return cells[key]


def _check_lengths(cells: dict[str, str]) -> None:
    for key, limit in MAX_LENGTHS.items():
        if len(cells.get(key, "")) > limit:
            raise _RowRejected("value_too_long", N_(
                "Kolom %(column)s terlalu panjang (paling banyak %(limit)s huruf)."),
                column=key, limit=limit)


def unwritable_column(stored: Mapping[str, str | None]) -> str | None:
    """The first text column whose value, as it would be stored, holds a control character
    (a printer's ESC, PostgreSQL's NUL); None when all are writable."""
    for key, multiline in TEXT_COLUMNS.items():
        if has_unwritable(stored.get(key) or "", multiline=multiline):
            return key
    return None


def _check_text(cells: dict[str, str]) -> None:
    # runs of spaces in a name or a village (tabs, line breaks too) are stored as one space
    column = unwritable_column({**cells, **{k: " ".join(cells.get(k, "").split())
                                            for k in SPACED}})
    if column is not None:
        raise _RowRejected("validation_error", UNWRITABLE_COLUMN, column=column)


def _check_row(row: int, cells: dict[str, str], luhn_check: bool) -> BeneficiaryRow:
    nik = _number(cells, "nik")
    if not nik:
        raise _RowRejected("missing_value", N_("Kolom %(column)s kosong."), column="nik")
    try:
        validate_nik(nik)
        no_kk = _number(cells, "no_kk") or None
        if no_kk is not None:
            validate_no_kk(no_kk)
        name, village = _required(cells, "nama"), _required(cells, "desa")
        _check_lengths(cells)
        _check_text(cells)
        card = _number(cells, "no_kks")
        if not card:
            raise _RowRejected("missing_value", N_("Kolom %(column)s kosong."), column="no_kks")
        card = validate_card_number(card, luhn_check=luhn_check)
    except AppError as exc:
        raise _RowRejected(exc.code, exc.message_template, **exc.params) from None
    return BeneficiaryRow(
        row=row, nik=nik, name=" ".join(name.split()), village=" ".join(village.split()),
        card_number=card, no_kk=no_kk, id_dtks=cells.get("id_dtks") or None,
        address=cells.get("alamat") or None, kecamatan=cells.get("kecamatan") or None)


def _find_header(table: Sequence[Sequence[object]]) -> int | None:
    for i, cells in enumerate(islice(table, HEADER_SEARCH)):
        keys = {header_key(c) for c in cells}
        if "nik" in keys and "nama" in keys:
            return i
    return None


def parse_beneficiaries(table: Sequence[Sequence[object]], *,
                        luhn_check: bool = True) -> ImportPlan:
    """Check every row under the header; ValidationFailed when required columns are missing.

    Row numbers are those a spreadsheet shows (the first line is 1). A NIK or a card number
    already taken by an earlier good row of the same file rejects the later row.
    """
    at = _find_header(table)
    keys = [header_key(c) for c in table[at]] if at is not None else []
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise ValidationFailed.field("file", N_(
            "Kolom wajib tidak ditemukan: %(columns)s. Baris judul harus memuat nik, nama, "
            "no_kks dan desa."), columns=", ".join(missing))
    assert at is not None
    index = {k: i for i, k in reversed(list(enumerate(keys))) if k in REQUIRED + OPTIONAL}
    plan = ImportPlan(columns=frozenset(k for k in OPTIONAL if k in index))
    seen_nik: dict[str, int] = {}
    seen_card: dict[str, int] = {}
    for offset, raw in enumerate(table[at + 1:], start=at + 2):
        cells = {k: cell_text(raw[i]) if i < len(raw) else "" for k, i in index.items()}
        if not any(cells.values()) and not any(cell_text(c) for c in raw):
            continue  # an empty line, not a row
        try:
            good = _check_row(offset, cells, luhn_check)
            if good.nik in seen_nik:
                raise _RowRejected("duplicate_nik", N_(
                    "NIK %(nik)s sudah ada di baris %(first)s berkas ini."),
                    nik=good.nik, first=seen_nik[good.nik])
            if good.card_number in seen_card:
                raise _RowRejected("duplicate_card", N_(
                    "Nomor KKS yang sama sudah ada di baris %(first)s berkas ini."),
                    first=seen_card[good.card_number])
        except _RowRejected as exc:
            plan.rejected.append(Rejection(offset, exc.code, exc.template, exc.params))
            continue
        seen_nik[good.nik] = seen_card[good.card_number] = offset
        plan.rows.append(good)
    return plan


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # "CSV (Comma delimited)" from Excel on Windows
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_csv(data: bytes) -> list[list[Any]]:
    text = _decode(data).replace("\x00", "")
    best: list[list[Any]] | None = None
    for delimiter in (";", ",", "\t"):
        rows: list[list[Any]] = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        if _find_header(rows) is not None:
            return rows
        if best is None:
            best = rows
    return best or []


def _read_xlsx(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ValidationFailed.field("file", N_(
            "Berkas XLSX tidak bisa dibaca; simpan ulang dari spreadsheet lalu coba lagi.")
        ) from exc
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_table(data: bytes) -> list[list[object]]:
    """The rows of a CSV (`,`, `;` or tab; UTF-8 with or without BOM) or XLSX file."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationFailed.field("file", N_(
            "Format .xls lama tidak didukung; simpan sebagai .xlsx atau CSV."))
    return list(_read_csv(data))


def parse_file(data: bytes, *, luhn_check: bool = True) -> ImportPlan:
    """Read and check a beneficiary file."""
    return parse_beneficiaries(read_table(data), luhn_check=luhn_check)


def rows_to_csv(rows: Iterable[Sequence[object]], delimiter: str = ";") -> str:
    """Rows as CSV text (for exports and tests)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()
