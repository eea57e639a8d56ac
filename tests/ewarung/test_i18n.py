"""Language: every visible string translated, English selectable, Rupiah written the local way."""

from __future__ import annotations

import importlib.util
import io
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from ewarung.domains import PACKAGES
from ewarung.i18n import format_quantity, format_rupiah
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("amount", "text"), [
    (12500, "Rp12.500"), (0, "Rp0"), (150000, "Rp150.000"), (600000, "Rp600.000"),
    (1234567890, "Rp1.234.567.890"), (-3000, "-Rp3.000"), (5, "Rp5"),
])
def test_rupiah_is_written_with_dots_and_no_decimals(amount, text):
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(("qty", "text"), [
    ("1.500", "1,5"), ("2", "2"), ("0.125", "0,125"), ("1000", "1.000"), (Decimal("10.0"), "10"),
])
def test_quantities_use_a_decimal_comma(qty, text):
    assert format_quantity(qty) == text


def _catalog(pkg: str):
    with open(ROOT / pkg / "translations/en/LC_MESSAGES/messages.po", "rb") as fh:
        return read_po(fh)


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts/i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("pkg", PACKAGES)
def test_every_source_string_has_an_english_translation(pkg):
    """What scripts/i18n.py extracts must all be translated in the package's catalogue."""
    wanted = _i18n_script().extract(pkg)
    have = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in _catalog(pkg) if m.id}
    missing = sorted(w for w in wanted if w not in have or not have[w].string
                     or have[w].fuzzy)
    assert missing == [], "run scripts/i18n.sh and translate these"


@pytest.mark.parametrize("pkg", PACKAGES)
def test_compiled_catalogue_matches_its_source(pkg):
    catalog = _catalog(pkg)
    mo = ROOT / pkg / "translations/en/LC_MESSAGES/messages.mo"
    compiled = read_mo(io.BytesIO(mo.read_bytes()))
    assert {m.id: m.string for m in compiled if m.id} == \
        {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def test_pages_are_indonesian_by_default_and_english_on_request(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert "Kata sandi" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Password" in english and 'lang="en"' in english
    assert "Password" in client.get("/login").get_data(as_text=True)  # remembered
    client.login("ketua", password=PASSWORD)
    resp = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer wrong"})
    assert resp.get_json()["error"]["message"] == "Invalid API token."
