"""KKS card numbers: Luhn, validation, masking, the keyed hash, magnetic-stripe text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aid.cards import (
    InvalidCardNumber,
    card_hash,
    derive_card_key,
    luhn_check_digit,
    luhn_valid,
    mask_card_number,
    masked_parts,
    parse_card_input,
    read_card,
    validate_card_number,
)

CARD = "5264221000001232"  # valid Luhn
CARD19 = "6011000000000000001"


@pytest.mark.parametrize(("digits", "valid"), [
    ("4111111111111111", True), ("79927398713", True), (CARD, True), (CARD19, True),
    ("5264221000001233", False), ("4111111111111112", False), ("", False), ("12a4", False),
    ("٤١١١١١١١١١١١١١١١", False),  # Arabic-Indic digits are digits to Python, not to a bank
])
def test_luhn_accepts_only_numbers_whose_check_digit_fits(digits, valid):
    assert luhn_valid(digits) is valid


@given(st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_the_computed_check_digit_always_passes(partial):
    assert luhn_valid(partial + luhn_check_digit(partial))


@pytest.mark.parametrize(("typed", "digits"), [
    (CARD, CARD), ("5264 2210 0000 1232", CARD), ("5264-2210-0000-1232", CARD),
    ("  5264221000001232\n", CARD), ("'5264221000001232", CARD), (CARD19, CARD19),
])
def test_typed_numbers_lose_their_spaces_and_dashes(typed, digits):
    assert validate_card_number(typed) == digits


@pytest.mark.parametrize(("typed", "fragment"), [
    ("", "kosong"), ("5264 2210 0000 123X", "hanya boleh berisi angka"),
    ("526422100000123", "16 sampai 19"), ("52642210000012320000", "16 sampai 19"),
    ("5264221000001233", "angka terakhirnya tidak cocok"),
])
def test_bad_numbers_are_refused_with_a_reason_that_does_not_repeat_the_number(typed, fragment):
    with pytest.raises(InvalidCardNumber) as err:
        validate_card_number(typed)
    assert err.value.code == "invalid_card_number" and err.value.status == 422
    assert fragment in err.value.message()
    digits = typed.replace(" ", "")
    assert not digits or digits not in err.value.message()


def test_the_luhn_check_can_be_turned_off_for_issuers_that_do_not_follow_it():
    assert validate_card_number("5264221000001233", luhn_check=False) == "5264221000001233"


@pytest.mark.parametrize(("digits", "masked"), [
    (CARD, "526422******1232"), (CARD19, "601100*********0001"),
    ("5264221234567891", "526422******7891"),
])
def test_masked_form_keeps_first_six_and_last_four(digits, masked):
    assert mask_card_number(digits) == masked


def test_card_hash_is_keyed_stable_and_never_the_number():
    key = derive_card_key("secret-a")
    assert card_hash(key, CARD) == card_hash(derive_card_key("secret-a"), CARD)
    assert card_hash(key, CARD) != card_hash(derive_card_key("secret-b"), CARD)
    assert card_hash(key, CARD) != card_hash(key, "5264221234567891")
    assert len(card_hash(key, CARD)) == 64 and CARD not in card_hash(key, CARD)


@pytest.mark.parametrize(("raw", "digits"), [
    (f"%B{CARD}^AMINAH/SITI^2512101000000000000000?", CARD),
    (f";{CARD}=25121010000000000?", CARD),
    (f"%B{CARD}^AMINAH/SITI^2512101?;{CARD}=2512101?", CARD),
    (f"%B{CARD}^AMINAH/SITI^2512101?;{CARD}=2512101?\r\n", CARD),
    (f"B{CARD}^AMINAH/SITI^2512101", CARD),   # a reader that drops the sentinels
    (f"{CARD}=25121010000", CARD),
    (f";{CARD19}=2512101?", CARD19),
    ("5264 2210 0000 1232", "5264221000001232"),
])
def test_swiped_track_text_and_typed_numbers_give_the_card_number(raw, digits):
    assert parse_card_input(raw) == digits
    assert read_card(raw) == digits


@pytest.mark.parametrize("raw", [
    f"%B{CARD}^SITI^2512?;5264221234567891=2512?",  # tracks disagree: a bad swipe
    "%E?",                                           # the reader's read-error answer
    ";E?",
])
def test_unreadable_or_inconsistent_swipes_are_refused(raw):
    with pytest.raises(InvalidCardNumber):
        read_card(raw)


@given(st.text())
def test_any_input_either_reads_or_is_refused_cleanly(raw):
    try:
        digits = read_card(raw)
    except InvalidCardNumber:
        return
    assert digits.isdigit() and 16 <= len(digits) <= 19 and luhn_valid(digits)


@pytest.mark.parametrize(("text", "parts"), [
    ("526422******1232", ("526422", "1232")), ("************1232", (None, "1232")),
    ("5264 22XX XXXX 1232", ("526422", "1232")), ("xxxx-xxxx-xxxx-1232", (None, "1232")),
    (CARD, ("526422", "1232")), ("abc", None),
])
def test_masked_parts_read_the_forms_banks_print(text, parts):
    assert masked_parts(text) == parts
