"""ESC/POS bytes from python-escpos's Dummy printer, read back with a small decoder."""

from __future__ import annotations

import pytest

from ewarung.i18n import format_rupiah
from printer.render import (
    PaperProfile,
    UnknownProfile,
    paper_profile,
    render_drawer_kick,
    render_lines,
    render_receipt,
)
from tests.factories import LONG_NAME, make_sale_receipt
from tests.printer.conftest import PROFILE_58, PROFILE_80
from tests.printer.escpos_decode import decode

ESC_INIT = b"\x1b@"


def _printed(receipt, profile):
    return decode(render_receipt(receipt, paper_profile(profile)))


def test_profiles_give_columns_paper_width_and_abilities():
    p80, p58 = paper_profile(PROFILE_80), paper_profile(PROFILE_58)
    assert (p80.columns, p80.paper_mm, p80.native_qr, p80.cutter) == (48, 80, True, True)
    assert (p58.columns, p58.paper_mm, p58.native_qr, p58.cutter) == (32, 58, False, False)
    assert paper_profile(PROFILE_58, "b").columns == 42
    with pytest.raises(UnknownProfile):
        paper_profile("NO-SUCH-PRINTER")


@pytest.mark.parametrize("profile", [PROFILE_80, PROFILE_58])
def test_every_job_starts_by_initialising_the_printer_and_pinning_one_code_page(profile):
    name = "Kopi Susu – Café Ünggul 日本"  # characters that tempt python-escpos to switch
    data = render_receipt(make_sale_receipt(items=[(name, "1", "gls", 5000, False)]),
                          paper_profile(profile))
    assert data.startswith(ESC_INIT)
    printed = decode(data)
    assert printed.names()[:2] == ["init", "codepage"]
    assert printed.names().count("codepage") == 1 and printed.codepage == 0
    assert "Kopi Susu - Cafe Unggul ??" in printed.text()


def test_a_native_qr_profile_gets_the_qr_store_and_print_commands():
    printed = _printed(make_sale_receipt(), PROFILE_80)
    names = printed.names()
    stored = dict(printed.commands)["qr_store"]
    assert stored == b"0" + b"http://127.0.0.1:8000/r/AbCdEfGhIjKlMnOp"
    assert names.index("qr_model") < names.index("qr_store") < names.index("qr_print")
    assert "raster_image" not in names


def test_a_profile_without_native_qr_gets_a_printed_image_instead():
    printed = _printed(make_sale_receipt(), PROFILE_58)
    names = printed.names()
    assert "raster_image" in names
    assert not {"qr_store", "qr_print", "qr_model"} & set(names)
    width_bytes = int.from_bytes(dict(printed.commands)["raster_image"][:2], "little")
    assert width_bytes * 8 <= paper_profile(PROFILE_58).pixels


def test_a_receipt_without_verification_address_has_no_qr_code():
    names = _printed(make_sale_receipt(verify_url=""), PROFILE_80).names()
    assert "qr_store" not in names and "raster_image" not in names


def test_paper_is_cut_only_when_the_profile_has_a_cutter():
    assert _printed(make_sale_receipt(), PROFILE_80).names()[-1] == "cut"
    no_cutter = _printed(make_sale_receipt(), PROFILE_58).names()
    assert "cut" not in no_cutter and no_cutter[-1] == "feed"


def test_a_receipt_never_kicks_the_drawer_itself():
    # the kick is its own job, so a late one can be dropped without losing the receipt
    for payment in ("cash", "bpnt", "mixed"):
        assert "drawer_kick" not in _printed(make_sale_receipt(payment), PROFILE_80).names()


def test_the_drawer_kick_is_the_pin_2_pulse():
    printed = decode(render_drawer_kick(paper_profile(PROFILE_58)))
    assert printed.commands == [("drawer_kick", b"\x00\x32\x32")]
    assert printed.lines == []


@pytest.mark.parametrize(("profile", "columns"), [(PROFILE_58, 32), (PROFILE_80, 48),
                                                  ("TM-T88V", 42)])
def test_decoded_receipt_fits_the_roll_and_its_totals_read_correctly(profile, columns):
    receipt = make_sale_receipt("mixed", items=[(LONG_NAME, "2", "sak", 75000, True),
                                           ("Gula Pasir 1 kg", "1", "pak", 17500, False)])
    lines = _printed(receipt, profile).lines
    assert lines and all(len(line) <= columns for line in lines)
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.endswith(format_rupiah(167500)) and len(total) == columns
    assert next(line for line in lines if line.startswith("Kembali")).endswith("Rp32.500")
    amount = next(line for line in lines if line.startswith("  2 sak x Rp75.000"))
    assert amount.endswith("Rp150.000")
    start = next(i for i, line in enumerate(lines) if line.startswith("Beras Premium"))
    name_lines = lines[start:lines.index(amount)]
    assert " ".join(name_lines) == LONG_NAME


def test_bold_is_switched_on_for_the_title_and_total_and_back_off():
    printed = _printed(make_sale_receipt(), PROFILE_80)
    bold = [params for name, params in printed.commands if name == "bold"]
    assert b"\x01" in bold and bold[-1] == b"\x00"


def test_a_report_prints_its_title_and_pairs_within_the_columns():
    data = render_lines("LAPORAN SHIFT (Z)", ["Shift: 26/11/2026 07.00-15.00",
                                              ("Penjualan tunai", "Rp1.250.000"),
                                              ("Penukaran BPNT", "Rp3.400.000")], PROFILE_58)
    printed = decode(data)
    assert printed.lines[0].strip() == "LAPORAN SHIFT (Z)"
    assert "Penukaran BPNT" in printed.text() and "Rp3.400.000" in printed.text()
    assert all(len(line) <= 32 for line in printed.lines)
    assert "cut" not in printed.names()


def test_a_profile_without_usable_font_data_falls_back_to_its_paper_width():
    paper = paper_profile("NT-80-V-UL")  # claims 12 columns for font A
    assert paper == PaperProfile(name="NT-80-V-UL", font="a", columns=48, paper_mm=80,
                                 native_qr=True, cutter=True, pixels=576)
