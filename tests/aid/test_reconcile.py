"""The settlement matcher and the reading of bank files (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from aid.reconcile import (
    SETTLEMENT_LIMITS,
    Txn,
    match,
    normal_reference,
    parse_amount,
    parse_day,
    read_settlement,
    safe_masked,
    same_card,
    summary,
)
from ewarung.errors import ValidationFailed
from ewarung.tabular import FileRefused

D1, D2 = date(2026, 11, 2), date(2026, 11, 3)
A = "526422******1232"
B = "526422******7891"


def statuses(items):
    return sorted((i.status, i.bank.key if i.bank else None, i.shop.key if i.shop else None,
                   i.matched_by) for i in items)


@pytest.mark.parametrize(("bank", "shop", "expected"), [
    ([Txn(2, D1, "004512", 50_000, A)], [Txn(10, D1, "004512", 50_000, A)],
     [("matched", 2, 10, "reference")]),
    ([Txn(2, D1, "4512", 50_000, A)], [Txn(10, D1, "004512", 50_000, A)],
     [("matched", 2, 10, "reference")]),                      # a spreadsheet ate the zeros
    ([Txn(2, D1, "004512", 55_000, A)], [Txn(10, D1, "004512", 50_000, A)],
     [("amount_differs", 2, 10, "reference")]),
    ([Txn(2, D1, "004599", 50_000, A)], [Txn(10, D1, "004512", 50_000, A)],
     [("matched", 2, 10, "date_amount_card")]),               # the cashier mistyped the ref
    ([Txn(2, D1, "", 50_000, "************1232")], [Txn(10, D1, "", 50_000, A)],
     [("matched", 2, 10, "date_amount_card")]),
    ([Txn(2, D1, "", 60_000, A)], [Txn(10, D1, "", 50_000, A)],
     [("amount_differs", 2, 10, "date_card")]),
    ([Txn(2, D1, "", 50_000, A)], [Txn(10, D2, "", 50_000, A)],
     [("bank_only", 2, None, ""), ("shop_only", None, 10, "")]),   # another day
    ([Txn(2, D1, "", 50_000, A)], [Txn(10, D1, "", 50_000, B)],
     [("bank_only", 2, None, ""), ("shop_only", None, 10, "")]),   # another card
    ([], [Txn(10, D1, "1", 50_000, A)], [("shop_only", None, 10, "")]),
    ([Txn(2, D1, "1", 50_000, A)], [], [("bank_only", 2, None, "")]),
    # the same approval code twice: each bank line takes the shop line that fits best
    ([Txn(2, D1, "111", 30_000, A), Txn(3, D2, "111", 70_000, B)],
     [Txn(10, D2, "111", 70_000, B), Txn(11, D1, "111", 30_000, A)],
     [("matched", 2, 11, "reference"), ("matched", 3, 10, "reference")]),
])
def test_matching_table(bank, shop, expected):
    assert statuses(match(bank, shop)) == sorted(expected)


def test_every_line_of_both_sides_appears_exactly_once():
    bank = [Txn(i, D1, f"{i:06d}", 10_000 * i, A) for i in range(2, 30)]
    shop = [Txn(100 + i, D1, f"{i:06d}", 10_000 * i, A) for i in range(10, 40)]
    items = match(bank, shop)
    assert sorted(i.bank.key for i in items if i.bank) == [t.key for t in bank]
    assert sorted(i.shop.key for i in items if i.shop) == [t.key for t in shop]
    assert summary(items) == {"matched": 20, "amount_differs": 0, "bank_only": 8,
                              "shop_only": 10}


@pytest.mark.parametrize(("text", "amount"), [
    ("50000", 50_000), ("50.000", 50_000), ("Rp50.000", 50_000), ("Rp 50.000,00", 50_000),
    ("50,000.00", 50_000), ("1.250.000", 1_250_000), ("50000.00", 50_000), ("50000,00", 50_000),
    ("IDR 600,000", 600_000),
])
def test_amounts_as_banks_write_them(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["", "abc", "50.000,50", "-5"])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-02", D1), ("02/11/2026", D1), ("02-11-2026 10:15:00", D1), ("20261102", D1),
    ("2026-11-02T10:15:00", D1), ("02/11/26", D1),
])
def test_dates_are_read_day_first(text, day):
    assert parse_day(text) == day


def test_full_card_numbers_in_a_bank_file_are_masked_at_once():
    assert safe_masked("5264221000001232") == "526422******1232"
    assert safe_masked("5264 2210 0000 1232") == "526422******1232"
    assert safe_masked("526422XXXXXX1232") == "526422XXXXXX1232"


def test_same_card_compares_what_both_sides_show():
    assert same_card(A, "************1232")
    assert not same_card(A, B)
    assert not same_card(A, "999999******1232")


def test_normal_reference():
    assert normal_reference(" 00 4512 ") == normal_reference("4512") == "4512"


def test_reading_a_settlement_file_with_a_column_mapping():
    data = (b"Tgl Transaksi;Approval;Jumlah;Kartu\n"
            b"02/11/2026 09:00;004512;Rp50.000;526422******1232\n"
            b"bad date;1;2;3\n\n"
            b"03/11/2026;004513;75.000;5264221234567891\n")
    columns = {"date": "Tgl Transaksi", "reference": "approval", "amount": "jumlah",
               "card": "kartu"}
    got = read_settlement(data, columns)
    assert got.txns == [Txn(2, D1, "004512", 50_000, A), Txn(5, D2, "004513", 75_000, B)]
    assert [p[0] for p in got.problems] == [3]


def test_a_settlement_file_without_the_mapped_columns_is_refused():
    with pytest.raises(ValidationFailed) as err:
        read_settlement(b"a,b,c\n1,2,3\n", {})
    assert "tanggal" in err.value.message()


def test_a_settlement_file_longer_than_its_limit_is_refused_whole():
    line = "01/11/2026;004512;50.000;526422******1234\n"
    header = "tanggal;kode_approval;nominal;no_kartu\n"
    limit = SETTLEMENT_LIMITS.rows
    assert len(read_settlement((header + line * (limit - 1)).encode(), {}).txns) == limit - 1
    with pytest.raises(FileRefused) as caught:
        read_settlement((header + line * limit).encode(), {})
    assert "10.000 baris" in caught.value.message()
