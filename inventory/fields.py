"""Reading raw input (API bodies, forms, CSV cells) into typed values, collecting field errors.

Every refusal names its field, so the API answers `validation_error` with
`details.fields` and a form can show the message next to the right box.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from ewarung.errors import N_, ValidationFailed
from ewarung.numbers import parse_quantity, parse_rupiah, parse_whole
from ewarung.text import UNWRITABLE, has_unwritable

TRUE_WORDS = frozenset({"1", "true", "ya", "y", "yes", "on", "benar"})
FALSE_WORDS = frozenset({"0", "false", "tidak", "t", "n", "no", "off", "salah", ""})


class FieldErrors:
    """Errors of several fields, raised together as one `ValidationFailed`."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        #: the untranslated templates and parameters, so pages can show them translated
        self.templates: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._first: tuple[str, dict[str, Any]] | None = None

    def add(self, field: str, template: str, **params: Any) -> None:
        """Record that `field` breaks a rule."""
        self.fields.setdefault(field, []).append(template % params if params else template)
        self.templates.setdefault(field, []).append((template, params))
        if self._first is None:
            self._first = (template, params)

    def catch(self, exc: ValidationFailed) -> None:
        """Merge a single-field failure raised by a parser."""
        for field in exc.details.get("fields", {}):
            self.add(field, exc.message_template, **exc.params)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        """Raise the collected errors; the message is the first one's when only one field."""
        if not self.fields or self._first is None:
            return
        if len(self.fields) == 1:
            template, params = self._first
            exc = ValidationFailed(template, details={"fields": self.fields}, **params)
        else:
            exc = ValidationFailed(details={"fields": self.fields})
        exc.templates = self.templates  # type: ignore[attr-defined]
        raise exc


def text_value(raw: Any, field: str, errors: FieldErrors, *, min_len: int = 0,
               max_len: int = 120, multiline: bool = False) -> str:
    """A trimmed string between `min_len` and `max_len` characters, without control
    characters (line breaks and tabs allowed when `multiline`)."""
    value = "" if raw is None else str(raw).strip()
    if len(value) < min_len:
        errors.add(field, N_("Wajib diisi (minimal %(n)d karakter)."), n=min_len)
    elif len(value) > max_len:
        errors.add(field, N_("Terlalu panjang (maksimal %(n)d karakter)."), n=max_len)
    elif has_unwritable(value, multiline=multiline):
        errors.add(field, UNWRITABLE)
    return value


def money(raw: Any, field: str, errors: FieldErrors, *, required: bool = True) -> int | None:
    """Whole Rupiah, not negative: 12500, "12.500", "Rp12.500", "12500,00" (the shop's one
    money rule, `ewarung.numbers.parse_rupiah`)."""
    if not required and (raw is None or (isinstance(raw, str) and not raw.strip())):
        return None
    try:
        return parse_rupiah(raw, field)
    except ValidationFailed as exc:
        errors.catch(exc)
        return None


def quantity(raw: Any, field: str, errors: FieldErrors, *,
             allow_zero: bool = False) -> Decimal | None:
    """A quantity with at most 3 decimals (decimal point or comma)."""
    try:
        return parse_quantity(raw, field, allow_zero=allow_zero)
    except ValidationFailed as exc:
        errors.catch(exc)
        return None


def flag(raw: Any, field: str, errors: FieldErrors, default: bool = False) -> bool:
    """A yes/no value: true/false, 1/0, ya/tidak."""
    if raw is None:
        return default
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    errors.add(field, N_("Isi ya atau tidak."))
    return default


def day(raw: Any, field: str, errors: FieldErrors) -> date | None:
    """A date: 2026-11-26 or 26/11/2026; empty is None."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    match = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", text, re.ASCII)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        errors.add(field, N_("Tanggal tidak valid (contoh: 2026-12-31)."))
        return None


def integer(raw: Any, field: str, errors: FieldErrors, *, low: int, high: int,
            default: int | None = None) -> int | None:
    """A whole number between `low` and `high`."""
    if raw is None or raw == "":
        if default is None:
            errors.add(field, N_("Wajib diisi."))
        return default
    try:
        return parse_whole(raw, field, low=low, high=high)
    except ValidationFailed as exc:
        errors.catch(exc)
        return default


def choice(raw: Any, field: str, errors: FieldErrors, allowed: tuple[str, ...]) -> str:
    """One of `allowed`."""
    value = "" if raw is None else str(raw).strip().lower()
    if value not in allowed:
        errors.add(field, N_("Pilih salah satu: %(allowed)s."), allowed=", ".join(allowed))
    return value
