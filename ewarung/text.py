"""What stored text may hold: names, notes and reasons as people type or import them."""

from __future__ import annotations

import unicodedata

from ewarung.errors import N_, ValidationFailed

#: characters no name or note may hold: controls (a printer's ESC, NUL, which PostgreSQL
#: cannot store), surrogates and Unicode's line and paragraph separators
_UNWRITABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})
#: what a note or an address may hold of those: line breaks and tabs
_MULTILINE = frozenset("\n\r\t")
#: the refusal of such text, shown next to its field
UNWRITABLE = N_("Berisi karakter kendali yang tidak bisa disimpan atau dicetak.")


def has_unwritable(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a character that has no place in stored text."""
    return any(unicodedata.category(ch) in _UNWRITABLE
               and not (multiline and ch in _MULTILINE) for ch in value)


def writable(value: str, field: str, *, multiline: bool = False) -> str:
    """`value` itself, or ValidationFailed naming `field` when it holds such a character."""
    if has_unwritable(value, multiline=multiline):
        raise ValidationFailed.field(field, UNWRITABLE)
    return value
