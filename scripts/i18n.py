"""Refresh each package's English catalogue from the Indonesian source strings, and compile it.

Each package keeps its own catalogue (<package>/translations/en/LC_MESSAGES/messages.po), so
domains never edit one shared file. New strings appear with an empty translation: fill them
in and run this again. Files are only rewritten when their messages change, so a run that
finds nothing new leaves the tree clean.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from ewarung.domains import PACKAGES

ROOT = Path(__file__).resolve().parent.parent
SHELL_TEMPLATES = ("base.html", "auth", "home", "errors", "admin")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]


def sources(pkg: str) -> list[Path]:
    """The code and templates whose strings belong to `pkg`."""
    if pkg == "ewarung":
        return [ROOT / "ewarung", *(ROOT / "templates" / t for t in SHELL_TEMPLATES)]
    return [ROOT / pkg, ROOT / "templates" / pkg]


def extract(pkg: str) -> list[str]:
    """Every msgid used by the package, sorted."""
    found: set[str] = set()
    for path in sources(pkg):
        if path.is_dir():
            for _file, _line, msg, _comments, _ctx in extract_from_dir(
                    str(path), METHODS, keywords=KEYWORDS):
                found.add(msg if isinstance(msg, str) else msg[0])
        elif path.is_file():
            from babel.messages.extract import extract_from_file
            method = "jinja2" if path.suffix == ".html" else "python"
            for _line, msg, _comments, _ctx in extract_from_file(method, str(path),
                                                                 keywords=KEYWORDS):
                found.add(msg if isinstance(msg, str) else msg[0])
    return sorted(m for m in found if m)


def refresh(pkg: str) -> list[str]:
    """Update one catalogue; returns the msgids still untranslated."""
    po_path = ROOT / pkg / "translations/en/LC_MESSAGES/messages.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    old = read_po(po_path.open("rb")) if po_path.exists() else Catalog(locale="en")
    new = Catalog(locale="en", project="e-Warung POS", header_comment=old.header_comment,
                  fuzzy=False)
    if po_path.exists():
        new.mime_headers = old.mime_headers  # keep the header stable between runs
    for msgid in extract(pkg):
        previous = old.get(msgid)
        new.add(msgid, previous.string if previous is not None and not previous.fuzzy else "")
    buf = io.BytesIO()
    write_po(buf, new, width=100, sort_output=True, no_location=True, omit_header=True)
    old_buf = io.BytesIO()
    write_po(old_buf, old, width=100, sort_output=True, no_location=True, omit_header=True,
             ignore_obsolete=True)
    if buf.getvalue() != old_buf.getvalue() or not po_path.exists():
        with po_path.open("wb") as fh:
            write_po(fh, new, width=100, sort_output=True, no_location=True)
    mo_path = po_path.with_suffix(".mo")
    mo = io.BytesIO()
    write_mo(mo, read_po(po_path.open("rb")))
    if not mo_path.exists() or mo_path.read_bytes() != mo.getvalue():
        mo_path.write_bytes(mo.getvalue())
    return [m.id for m in new if m.id and not m.string]


def main() -> int:
    missing = {pkg: refresh(pkg) for pkg in PACKAGES}
    for pkg, ids in missing.items():
        for msgid in ids:
            print(f"{pkg}: untranslated: {msgid}")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
