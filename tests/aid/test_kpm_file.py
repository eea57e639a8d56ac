"""Reading beneficiary lists: the messy shapes district spreadsheets arrive in."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from aid.kpm_file import (
    cell_text,
    cut_by_excel,
    parse_beneficiaries,
    parse_file,
    read_table,
    rows_to_csv,
)
from bench.gen.xlsx import excel_xlsx
from ewarung.errors import ValidationFailed
from tests.factories import make_card_number, make_nik

HEADER = ["NIK", "Nama", "No_KKS", "Desa", "No_KK", "Alamat"]


def codes(plan):
    return {r.row: r.code for r in plan.rejected}


def good_row(nik=None, card=None, name="Siti Aminah", village="Sukamaju"):
    return [nik or make_nik(), name, card or make_card_number(), village, "", "RT 01"]


def test_semicolons_bom_quote_prefixes_and_spaces_are_understood():
    nik, card = make_nik(), make_card_number()
    text = f"nik;nama;no_kks;desa\r\n'{nik} ; Siti  Aminah ;' {card[:4]} {card[4:]};Sukamaju\r\n"
    plan = parse_file(b"\xef\xbb\xbf" + text.encode())
    assert plan.rejected == []
    [row] = plan.rows
    assert (row.nik, row.name, row.card_number, row.village) == (nik, "Siti Aminah", card,
                                                                 "Sukamaju")


def test_headers_are_found_in_any_order_and_case_below_title_lines():
    nik, card = make_nik(), make_card_number()
    rows = [["DAFTAR KPM BPNT DESA SUKAMAJU"], [], ["Desa", "NO. KKS", "nama", "NIK"],
            ["Sukamaju", card, "Budi", nik]]
    plan = parse_file(rows_to_csv(rows, ",").encode())
    assert [(r.row, r.nik, r.card_number) for r in plan.rows] == [(4, nik, card)]


def test_a_file_without_the_required_columns_is_refused_as_a_whole():
    with pytest.raises(ValidationFailed) as err:
        parse_file(b"nik;nama\n3527011204850001;Siti\n")
    assert "no_kks, desa" in err.value.message()
    assert "file" in err.value.details["fields"]


def test_a_number_destroyed_by_the_spreadsheet_is_rejected_with_a_reason():
    rows = [HEADER, ["3.52701E+15", "Siti", make_card_number(), "Sukamaju"],
            [make_nik(), "Budi", "5,26422E+15", "Sukamaju"], good_row()]
    plan = parse_beneficiaries(rows)
    assert codes(plan) == {2: "number_destroyed", 3: "number_destroyed"}
    message = plan.rejected[0].message()
    assert "nik" in message and "tidak bisa dipulihkan" in message
    assert [r.row for r in plan.rows] == [4]


def nik_ending_in(last: str) -> str:
    """A valid NIK whose last digit is `last`."""
    return next(n for n in iter(make_nik, None) if n.endswith(last))


def card_ending_in(last: str) -> str:
    """A valid KKS number (Luhn) whose last digit is `last`."""
    return next(c for c in iter(make_card_number, None) if c.endswith(last))


def test_xlsx_numbers_stored_as_numbers_are_read_as_digits():
    nik, card = nik_ending_in("7"), make_card_number()
    book = Workbook()
    sheet = book.active
    sheet.append(["nik", "nama", "no_kks", "desa", "no_kk"])
    sheet.append([int(nik), "Siti", card, "Sukamaju", float(nik)])
    sheet.append(["3.52701E+15", "Rusak", make_card_number(), "Sukamaju"])
    sheet.append([make_nik(), "Kartu jadi angka", 5.264221000001232e15 * 10, "Sukamaju"])
    buf = io.BytesIO()
    book.save(buf)
    plan = parse_file(buf.getvalue())
    assert [(r.nik, r.no_kk, r.card_number) for r in plan.rows] == [(nik, nik, card)]
    assert codes(plan) == {3: "number_destroyed", 4: "number_destroyed"}


def test_a_16_digit_number_cell_ending_in_0_is_rejected_as_cut_by_excel():
    cut_nik, whole_nik = nik_ending_in("0"), nik_ending_in("3")
    cut_card, whole_card = card_ending_in("0"), card_ending_in("4")
    rows = [["nik", "nama", "no_kks", "desa", "no_kk"],
            [int(cut_nik), "Angka terpotong", make_card_number(), "Sukamaju"],      # 2
            [float(cut_nik), "Angka pecahan", make_card_number(), "Sukamaju"],      # 3
            [make_nik(), "Kartu terpotong", int(cut_card), "Sukamaju"],             # 4
            [make_nik(), "KK terpotong", make_card_number(), "Sukamaju", int(cut_nik)],  # 5
            [cut_nik, "Teks tetap teks", make_card_number(), "Sukamaju", cut_nik],  # 6
            [int(whole_nik), "Tidak terpotong", int(whole_card), "Sukamaju"],       # 7
            [nik_ending_in("5"), "Kartu teks", cut_card, "Sukamaju"]]               # 8
    plan = parse_file(excel_xlsx(rows))
    assert codes(plan) == {2: "number_unreliable", 3: "number_unreliable",
                           4: "number_unreliable", 5: "number_unreliable"}
    assert [(r.row, r.nik, r.card_number) for r in plan.rows][1:] == [
        (7, whole_nik, whole_card), (8, plan.rows[2].nik, cut_card)]
    columns = [r.params["column"] for r in plan.rejected]
    assert columns == ["nik", "nik", "no_kks", "no_kk"]
    message = plan.rejected[2].message()
    assert "15 digit" in message and "Format kolom no_kks sebagai Teks" in message
    assert cut_card not in message and cut_card[:15] not in message
    assert parse_beneficiaries([HEADER, good_row(nik=cut_nik)]).rejected == []  # text: as is


def test_only_number_cells_of_16_digits_or_more_ending_in_0_count_as_cut():
    assert cut_by_excel(3528010101700000) and cut_by_excel(3528010101700000.0)
    assert cut_by_excel(52642212345678900)
    assert not cut_by_excel(3528010101700001) and not cut_by_excel("3528010101700000")
    assert not cut_by_excel(352801010170000) and not cut_by_excel(True)
    assert not cut_by_excel(3.52701e15 + 0.5) and not cut_by_excel(None)


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (3527011204850001, "3527011204850001"), (3527011204850001.0, "3527011204850001"),
    (3.52701e15 + 0.5, "3527010000000000.5"), (1e20, "1E+20"), ("  'abc ", "abc"),
    (True, "True"),
])
def test_cells_become_clean_text(value, text):
    assert cell_text(value) == text


def test_each_bad_row_gets_its_own_code_and_the_good_rows_stay():
    nik = make_nik()
    card = make_card_number()
    bad_luhn = card[:-1] + str((int(card[-1]) + 1) % 10)
    rows = [HEADER,
            good_row(nik=nik),                                    # 2 good
            good_row(nik=nik),                                    # 3 duplicate NIK
            good_row(card=bad_luhn),                              # 4 bad Luhn
            good_row(nik="3527011204850000"),                     # 5 bad NIK
            [make_nik(), "", make_card_number(), "Sukamaju"],     # 6 no name
            [make_nik(), "X", make_card_number(), "Sukamaju", "123"],  # 7 bad No. KK
            good_row(card=card),                                  # 8 good
            good_row(card=card),                                  # 9 duplicate card
            ["", "", "", ""],                                     # an empty line
            good_row()]                                           # 11 good
    plan = parse_beneficiaries(rows)
    assert codes(plan) == {3: "duplicate_nik", 4: "invalid_card_number", 5: "invalid_nik",
                           6: "missing_value", 7: "invalid_no_kk", 9: "duplicate_card"}
    assert [r.row for r in plan.rows] == [2, 8, 11]
    assert "baris 2" in plan.rejected[0].message()
    assert all(bad_luhn not in r.message() and card not in r.message() for r in plan.rejected)


def test_luhn_can_be_switched_off():
    card = make_card_number()
    bad = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert len(parse_beneficiaries([HEADER, good_row(card=bad)], luhn_check=False).rows) == 1


def test_optional_columns_present_are_reported():
    plan = parse_beneficiaries([HEADER, good_row()])
    assert plan.columns == {"no_kk", "alamat"}


def test_old_xls_files_are_refused_with_advice():
    with pytest.raises(ValidationFailed) as err:
        read_table(b"\xd0\xcf\x11\xe0rest")
    assert ".xlsx" in err.value.message()


def test_windows_1252_csv_is_read():
    nik, card = make_nik(), make_card_number()
    data = f"nik;nama;no_kks;desa\n{nik};Ibu Ani Fitrî;{card};Sukamaju\n".encode("cp1252")
    assert parse_file(data).rows[0].name == "Ibu Ani Fitrî"


cells = st.one_of(st.text(max_size=30), st.none(), st.integers(), st.floats(allow_nan=True),
                  st.booleans())
garbage_rows = st.lists(st.lists(cells, max_size=8), max_size=12)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(garbage=garbage_rows, n_good=st.integers(0, 6), data=st.data(),
       delimiter=st.sampled_from([",", ";"]), bom=st.booleans())
def test_arbitrary_cells_never_crash_the_parser_and_never_lose_a_good_row(
        garbage, n_good, data, delimiter, bom):
    good = [good_row(name=f"KPM {i}") for i in range(n_good)]
    taken = {r[0] for r in good} | {r[2] for r in good}
    safe_garbage = [g for g in garbage if not any(cell_text(c).replace(" ", "") in taken
                                                  for c in g)]
    body = data.draw(st.permutations(good + safe_garbage))
    table = [HEADER, *body]
    plan = parse_beneficiaries(table)
    got = {(r.nik, r.card_number) for r in plan.rows}
    assert {(g[0], g[2]) for g in good} <= got
    assert len(plan.rows) + len(plan.rejected) <= len(body)
    # the same through a CSV file
    text = rows_to_csv([[cell_text(c) for c in row] for row in table], delimiter)
    try:
        encoded = (("\ufeff" if bom else "") + text).encode("utf-8")
    except UnicodeEncodeError:
        return
    from_file = parse_file(encoded)
    assert {(g[0], g[2]) for g in good} <= {(r.nik, r.card_number) for r in from_file.rows}
