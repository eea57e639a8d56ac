"""Indonesian civil identifiers: NIK (person) and No. KK (family card). Pure functions.

A NIK is 16 digits: a region code of 6 (province 2, regency 2, district 2), the birth date
as DDMMYY with 40 added to the day for women, and a serial of 4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ewarung.errors import N_, AppError

#: province codes (the first two digits of a region code), including the Papua provinces of 2022
PROVINCES = frozenset({
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
    61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96, 97,
})
_DIGITS16 = re.compile(r"^\d{16}$", re.ASCII)


class InvalidNik(AppError):
    code = "invalid_nik"
    status = 422
    template = N_("NIK tidak valid.")


class InvalidNoKk(AppError):
    code = "invalid_no_kk"
    status = 422
    template = N_("Nomor KK tidak valid.")


@dataclass(frozen=True)
class NikInfo:
    """What a NIK says about its holder."""

    region: str
    female: bool
    #: day and month of birth; the century is not in the NIK
    birth_day: int
    birth_month: int
    birth_yy: int


def _real_day(day: int, month: int, yy: int) -> bool:
    # The century is unknown: a 29 February is fine if either 19YY or 20YY was a leap year.
    for century in (1900, 2000):
        try:
            date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def validate_nik(text: str) -> NikInfo:
    """Check a NIK's length, region code, birth date and serial; InvalidNik says which."""
    if not _DIGITS16.match(text):
        raise InvalidNik(N_("NIK harus tepat 16 angka."))
    if int(text[:2]) not in PROVINCES or text[2:4] == "00" or text[4:6] == "00":
        raise InvalidNik(N_("NIK tidak valid: kode wilayah (6 angka pertama) tidak dikenal."))
    day, month, yy = int(text[6:8]), int(text[8:10]), int(text[10:12])
    female = day > 40
    if female:
        day -= 40
    if not (1 <= month <= 12 and 1 <= day <= 31 and _real_day(day, month, yy)):
        raise InvalidNik(N_("NIK tidak valid: tanggal lahir (angka ke-7 sampai ke-12) "
                            "bukan tanggal yang ada."))
    if text[12:] == "0000":
        raise InvalidNik(N_("NIK tidak valid: nomor urut (4 angka terakhir) tidak boleh 0000."))
    return NikInfo(region=text[:6], female=female, birth_day=day, birth_month=month,
                   birth_yy=yy)


def validate_no_kk(text: str) -> str:
    """A No. KK is 16 digits and starts with a known province code."""
    if not _DIGITS16.match(text):
        raise InvalidNoKk(N_("Nomor KK harus tepat 16 angka."))
    if int(text[:2]) not in PROVINCES:
        raise InvalidNoKk(N_("Nomor KK tidak valid: kode wilayah tidak dikenal."))
    return text


def make_nik(region: str, day: int, month: int, yy: int, serial: int, *,
             female: bool = False) -> str:
    """Compose a NIK (for demos and tests)."""
    return f"{region}{day + (40 if female else 0):02d}{month:02d}{yy:02d}{serial:04d}"


def mask_id_number(number: str | None) -> str:
    """A NIK or No. KK with all but its first 4 and last 4 digits hidden: 3528********0001.

    The first 4 digits name the province and regency, the last 4 a serial: together they let
    a manager tell KPM apart without the page showing the whole number.
    """
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
