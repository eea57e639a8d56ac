"""Reading a beneficiary list (CSV or XLSX) into checked rows. Pure: no Flask, no session.

District lists are often made in Indonesian-locale Excel: `;` separators, a `'` before long
numbers, a BOM, title lines above the header, and 16-digit numbers that the spreadsheet
turned into `3.52701E+15` (their last digits are gone for good). Excel keeps 15 significant
digits, so a 16-digit NIK typed into a column not formatted as text is stored as a whole
number whose last digit became 0: such a number cell cannot be trusted, while one that does
not end in 0 was never cut. Each row is checked on its own; a bad row is rejected with a
code and a message and never stops the others. The file is read by `ewarung.tabular`,
within its limits.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from aid.cards import validate_card_number
from aid.identity import validate_nik, validate_no_kk
from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.tabular import read_rows
from ewarung.text import has_unwritable

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
#: the 16-digit identifiers that Excel cuts to 15 significant digits when typed as numbers
IDENTIFIERS = ("nik", "no_kk", "no_kks")
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
    # a CSV cell may hold NULs (a file saved as UTF-16 and read byte by byte): dropped
    return str(value).replace("\x00", "").strip().lstrip("'").strip()


def cut_by_excel(value: object) -> bool:
    """Whether a cell is a number of 16 digits or more ending in 0: what Excel makes of a
    longer number typed into a column not formatted as text (the last digit becomes 0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    text = cell_text(value)
    return text.isdigit() and len(text) >= 16 and text.endswith("0")


def _number(cells: dict[str, str], key: str, cut: frozenset[str] = frozenset()) -> str:
    text = _NUMBER_NOISE.sub("", cells.get(key, ""))
    if _DESTROYED.match(text):
        raise _RowRejected("number_destroyed", N_(
            "Kolom %(column)s berisi angka yang sudah dirusak spreadsheet (%(value)s): "
            "angka belakangnya hilang dan tidak bisa dipulihkan. Ketik ulang angka lengkapnya "
            "sebagai teks (awali dengan ') lalu impor lagi."), column=key, value=text[:20])
    if key in cut:
        raise _RowRejected("number_unreliable", N_(
            "Kolom %(column)s berisi angka 16 digit yang disimpan sebagai angka, bukan teks. "
            "Excel hanya menyimpan 15 digit, jadi digit terakhirnya sudah diganti 0 dan angka "
            "aslinya tidak bisa dipastikan. Format kolom %(column)s sebagai Teks, ketik ulang "
            "angkanya, lalu impor lagi."), column=key)
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


def _check_row(row: int, cells: dict[str, str], luhn_check: bool,
               cut: frozenset[str]) -> BeneficiaryRow:
    nik = _number(cells, "nik", cut)
    if not nik:
        raise _RowRejected("missing_value", N_("Kolom %(column)s kosong."), column="nik")
    try:
        validate_nik(nik)
        no_kk = _number(cells, "no_kk", cut) or None
        if no_kk is not None:
            validate_no_kk(no_kk)
        name, village = _required(cells, "nama"), _required(cells, "desa")
        _check_lengths(cells)
        _check_text(cells)
        card = _number(cells, "no_kks", cut)
        if not card:
            raise _RowRejected("missing_value", N_("Kolom %(column)s kosong."), column="no_kks")
        card = validate_card_number(card, luhn_check=luhn_check)
    except AppError as exc:
        raise _RowRejected(exc.code, exc.message_template, **exc.params) from None
    return BeneficiaryRow(
        row=row, nik=nik, name=" ".join(name.split()), village=" ".join(village.split()),
        card_number=card, no_kk=no_kk, id_dtks=cells.get("id_dtks") or None,
        address=cells.get("alamat") or None, kecamatan=cells.get("kecamatan") or None)


def is_header(cells: Sequence[object]) -> bool:
    """Whether a line is the header: it names at least the NIK and the name."""
    keys = {header_key(c) for c in cells}
    return "nik" in keys and "nama" in keys


def _find_header(table: Sequence[Sequence[object]]) -> int | None:
    return next((i for i, cells in enumerate(table[:HEADER_SEARCH]) if is_header(cells)), None)


def parse_beneficiaries(table: Iterable[Sequence[object]], *,
                        luhn_check: bool = True) -> ImportPlan:
    """Check every row under the header; ValidationFailed when required columns are missing.

    Row numbers are those a spreadsheet shows (the first line is 1). A NIK or a card number
    already taken by an earlier good row of the same file rejects the later row. The rows
    are read one at a time, so a file is never held whole.
    """
    rows = iter(table)
    head = list(islice(rows, HEADER_SEARCH))
    at = _find_header(head)
    keys = [header_key(c) for c in head[at]] if at is not None else []
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
    for offset, raw in enumerate(chain(head[at + 1:], rows), start=at + 2):
        cells = {k: cell_text(raw[i]) if i < len(raw) else "" for k, i in index.items()}
        if not any(cells.values()) and not any(cell_text(c) for c in raw):
            continue  # an empty line, not a row
        cut = frozenset(k for k in IDENTIFIERS
                        if k in index and index[k] < len(raw) and cut_by_excel(raw[index[k]]))
        try:
            good = _check_row(offset, cells, luhn_check, cut)
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


def read_table(data: bytes) -> Iterator[list[object]]:
    """The rows of a CSV (`,`, `;` or tab; UTF-8 with or without BOM) or XLSX file, one at a
    time, within the import limits."""
    return read_rows(data, delimiters=(";", ",", "\t"), header=is_header)


def parse_file(data: bytes, *, luhn_check: bool = True) -> ImportPlan:
    """Read and check a beneficiary file."""
    return parse_beneficiaries(read_table(data), luhn_check=luhn_check)


def rows_to_csv(rows: Iterable[Sequence[object]], delimiter: str = ";") -> str:
    """Rows as CSV text (for exports and tests)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()
