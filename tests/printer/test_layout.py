"""The receipt layout: what the paper says, and that it always fits the roll."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ewarung.i18n import format_rupiah
from printer.layout import MIN_COLUMNS, layout_receipt, layout_report, pair, printable, wrap
from printer.receipt import (
    Receipt,
    ReceiptHeader,
    ReceiptLine,
    ReceiptTender,
    receipt_from_dict,
    receipt_to_dict,
)
from tests.factories import LONG_NAME, make_sale_receipt

COLUMNS = (32, 42, 48)


def _text(receipt: Receipt, columns: int = 32) -> str:
    return "\n".join(layout_receipt(receipt, columns).all_lines())


@pytest.mark.parametrize("columns", COLUMNS)
def test_header_shows_outlet_kube_address_and_ewarong_id(columns):
    text = _text(make_sale_receipt(), columns)
    for part in ("e-Warong KUBE Sejahtera Makmur", "ID e-Warong: EW-3202-0147",
                 "Telp. 0812-0000-1471", "RT 02/RW 03"):
        assert part in text
    assert "KUBE Sejahtera Makmur" in text.split("\n")[1]


def test_sale_number_date_time_and_cashier_are_printed():
    receipt = make_sale_receipt(sale_number="EW-20261126-0042", sold_at=datetime(2026, 1, 5, 7, 9))
    lines = layout_receipt(receipt, 32).lines
    assert "No.    : EW-20261126-0042" in lines
    assert "Tanggal: 05/01/2026 07.09" in lines
    assert "Kasir  : Siti Aminah" in lines


@pytest.mark.parametrize("columns", COLUMNS)
def test_each_line_has_quantity_times_price_and_the_amount_right_aligned(columns):
    lines = layout_receipt(make_sale_receipt(), columns).lines
    row = next(line for line in lines if "1,5 kg x Rp28.000" in line)
    assert row.startswith("  1,5 kg x Rp28.000") and row.endswith("Rp42.000")
    assert len(row) == columns


@pytest.mark.parametrize("columns", COLUMNS)
def test_a_long_name_wraps_at_word_boundaries(columns):
    receipt = make_sale_receipt(items=[(LONG_NAME, "1", "sak", 75000, True)])
    lines = layout_receipt(receipt, columns).lines
    start = lines.index(next(line for line in lines if line.startswith("Beras Premium")))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("  1 sak x"))
    name_lines = lines[start:end]
    assert len(name_lines) >= 2  # 60 characters never fit one line of 48
    assert " ".join(name_lines) == LONG_NAME  # joined at spaces: no word was cut
    assert all(len(line) <= columns for line in name_lines)


def test_only_a_word_longer_than_the_line_is_cut():
    word = "X" * 40
    assert wrap(f"ab {word} cd", 32) == ["ab " + "X" * 29, "X" * 11 + " cd"]
    assert wrap("ab cd ef", 4) == ["ab", "cd", "ef"]


def test_total_tenders_cash_given_and_change():
    receipt = make_sale_receipt("mixed")  # BPNT pays 110.000, cash 37.000 of 50.000 given
    lines = layout_receipt(receipt, 32).lines
    assert pair("TOTAL", "Rp147.000", 32)[0] in lines
    assert pair("BPNT", "Rp110.000", 32)[0] in lines
    assert "  Kartu 526422******1234" in lines
    assert "  Ref. EDC 004512" in lines
    assert pair("Sisa saldo BPNT", "Rp90.000", 32, "  ")[0] in lines
    assert pair("Tunai", "Rp50.000", 32)[0] in lines
    assert pair("Kembali", "Rp13.000", 32)[0] in lines


def test_a_bpnt_only_sale_shows_no_change():
    text = _text(make_sale_receipt("bpnt"))
    assert "Kembali" not in text and "Tunai" not in text
    assert "Sisa saldo BPNT" in text


def test_other_tenders_show_their_reference():
    tender = ReceiptTender("qris", 147000, reference="QR-889911")
    text = _text(make_sale_receipt(tenders=(tender,), change=0))
    assert "QRIS" in text and "Ref. QR-889911" in text


@pytest.mark.parametrize(("overrides", "banner", "absent"), [
    ({"copy": True}, "*** SALINAN ***", "DIBATALKAN"),
    ({"voided": True}, "*** DIBATALKAN ***", "SALINAN"),
    ({"copy_label": "ARSIP TOKO"}, "*** ARSIP TOKO ***", "SALINAN"),
])
def test_reprints_voids_and_archive_copies_are_marked_at_the_top(overrides, banner, absent):
    lines = layout_receipt(make_sale_receipt(**overrides), 32).lines
    assert lines[0].strip() == banner
    assert absent not in "\n".join(lines)


def test_an_original_receipt_has_no_marker():
    text = _text(make_sale_receipt())
    assert "SALINAN" not in text and "DIBATALKAN" not in text and "***" not in text


def test_the_qr_code_holds_the_verification_address_and_the_footer_follows():
    layout = layout_receipt(make_sale_receipt(), 32)
    assert layout.qr == "http://127.0.0.1:8000/r/AbCdEfGhIjKlMnOp"
    assert layout.tail[-1].strip() == "Terima kasih"


def test_labels_follow_the_given_translation():
    english = {"Kembali": "Change", "Tunai": "Cash"}
    lines = layout_receipt(make_sale_receipt(), 32, lambda s: english.get(s, s)).lines
    assert any(line.startswith("Change") for line in lines)


def test_printable_strips_accents_controls_and_unprintable_characters():
    assert printable("Kopi\tSusu\nManis") == "Kopi Susu Manis"
    assert printable("Café ﬁne") == "Cafe fine"
    assert printable("Teh 日本") == "Teh ??"
    assert printable("a\u200bb") == "ab"
    assert printable("Kopi \u2013 \u201cSusu\u201d") == 'Kopi - "Susu"'


def test_too_few_columns_are_refused():
    with pytest.raises(ValueError):
        layout_receipt(make_sale_receipt(), MIN_COLUMNS - 1)


def test_a_report_pairs_labels_with_right_aligned_values():
    layout = layout_report("LAPORAN SHIFT (X)", ["Kasir: Siti", ("Penjualan", "Rp1.250.000"),
                                                 "-", ("Tunai", "Rp500.000")], 32)
    assert layout.lines[0].strip() == "LAPORAN SHIFT (X)" and 0 in layout.bold
    assert pair("Penjualan", "Rp1.250.000", 32)[0] in layout.lines
    assert layout.lines.count("-" * 32) == 3


def test_a_receipt_survives_being_stored_as_json():
    receipt = make_sale_receipt("mixed", copy_label="ARSIP TOKO")
    assert receipt_from_dict(receipt_to_dict(receipt)) == receipt


names = st.text(min_size=0, max_size=120)
amounts = st.integers(min_value=0, max_value=10 ** 13)


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    lines = tuple(ReceiptLine(name=draw(names),
                              quantity=draw(st.decimals(min_value=Decimal("0.001"),
                                                        max_value=Decimal("99999"), places=3)),
                              unit=draw(st.text(max_size=12)), unit_price=draw(amounts),
                              amount=draw(amounts))
                  for _ in range(draw(st.integers(0, 4))))
    tenders = tuple(ReceiptTender(kind=draw(st.sampled_from(["bpnt", "cash", "qris", "x"])),
                                  amount=draw(amounts), reference=draw(st.text(max_size=40)),
                                  masked_card=draw(st.text(max_size=30)),
                                  remaining_after=draw(st.none() | amounts),
                                  given=draw(st.none() | amounts))
                    for _ in range(draw(st.integers(0, 3))))
    header = ReceiptHeader(*(draw(names) for _ in range(4)), phone=draw(names))
    return Receipt(header=header, sale_number=draw(names), sold_at=datetime(2026, 11, 26),
                   cashier=draw(names), lines=lines, total=draw(amounts), tenders=tenders,
                   change=draw(amounts), verify_url=draw(st.text(max_size=60)),
                   copy=draw(st.booleans()), voided=draw(st.booleans()),
                   copy_label=draw(names), footer=tuple(draw(st.lists(names, max_size=3))))


@settings(max_examples=150, deadline=None)
@given(receipt=receipts(), columns=st.sampled_from(COLUMNS) | st.integers(MIN_COLUMNS, 80))
def test_no_line_ever_exceeds_the_width_whatever_the_names(receipt, columns):
    for line in layout_receipt(receipt, columns).all_lines():
        assert len(line) <= columns
        line.encode("cp437")  # the pinned code page prints every character
        assert line.isprintable()


@settings(max_examples=60, deadline=None)
@given(total=amounts, columns=st.sampled_from(COLUMNS))
def test_the_total_always_reads_back(total, columns):
    lines = list(layout_receipt(make_sale_receipt(total=total), columns).lines)
    expected = pair("TOTAL", format_rupiah(total), columns)
    start = lines.index(expected[0])
    assert lines[start:start + len(expected)] == expected
