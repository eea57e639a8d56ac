"""Receipt verification codes: short, signed, and refusing any change."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printer.codes import CODE_LENGTH, MAX_SALE_ID, make_code, read_code

SECRET = "kunci-rahasia-toko"
URL_SAFE = set(string.ascii_letters + string.digits + "-_")


@pytest.mark.parametrize("sale_id", [1, 2, 42, 10 ** 6, MAX_SALE_ID])
def test_a_code_reads_back_to_its_sale(sale_id):
    code = make_code(SECRET, sale_id)
    assert len(code) == CODE_LENGTH and set(code) <= URL_SAFE
    assert read_code(SECRET, code) == sale_id


@given(st.integers(1, MAX_SALE_ID))
def test_every_sale_id_round_trips(sale_id):
    assert read_code(SECRET, make_code(SECRET, sale_id)) == sale_id


def test_changing_any_one_character_gives_nothing():
    code = make_code(SECRET, 1234)
    for i in range(len(code)):
        for replacement in "A0_-z":
            if code[i] == replacement:
                continue
            changed = code[:i] + replacement + code[i + 1:]
            assert read_code(SECRET, changed) is None, (i, replacement)


def test_another_shops_secret_cannot_read_or_forge_codes():
    assert read_code("another-secret", make_code(SECRET, 7)) is None


def test_consecutive_sales_get_unrelated_codes():
    codes = [make_code(SECRET, n) for n in range(1, 50)]
    assert len({c[:4] for c in codes}) > 40  # no shared prefix reveals the sequence
    assert len({c[-4:] for c in codes}) > 40


@pytest.mark.parametrize("garbage", ["", "abc", "A" * 15, "A" * 17, "A" * 16, "====" * 4,
                                     "AAAAAAAAAAAAAA+/", "ÄAAAAAAAAAAAAAAA", None, 12])
def test_malformed_codes_give_nothing(garbage):
    assert read_code(SECRET, garbage) is None


@pytest.mark.parametrize("bad", [0, -1, MAX_SALE_ID + 1])
def test_only_real_sale_ids_get_codes(bad):
    with pytest.raises(ValueError):
        make_code(SECRET, bad)
