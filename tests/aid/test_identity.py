"""NIK and No. KK validation."""

from __future__ import annotations

import pytest

from aid.identity import InvalidNik, InvalidNoKk, make_nik, validate_nik, validate_no_kk


@pytest.mark.parametrize(("nik", "female", "day", "month"), [
    ("3527011204850001", False, 12, 4),
    ("3527015204850002", True, 12, 4),    # a woman: 40 added to the day
    ("3202017112990003", True, 31, 12),
    ("9101012902000004", False, 29, 2),   # 29 February 2000
    ("1101010101010001", False, 1, 1),
])
def test_valid_niks_tell_sex_and_birthday(nik, female, day, month):
    info = validate_nik(nik)
    assert (info.female, info.birth_day, info.birth_month) == (female, day, month)
    assert info.region == nik[:6]


@pytest.mark.parametrize(("nik", "fragment"), [
    ("352701120485000", "16 angka"), ("35270112048500011", "16 angka"),
    ("3527O11204850001", "16 angka"), ("", "16 angka"),
    ("0027011204850001", "kode wilayah"), ("3500011204850001", "kode wilayah"),
    ("3527001204850001", "kode wilayah"),
    ("3527013204850001", "tanggal lahir"),   # day 32
    ("3527011213850001", "tanggal lahir"),   # month 13
    ("3527017204850001", "tanggal lahir"),   # a woman's day 32
    ("3527013002850001", "tanggal lahir"),   # 30 February
    ("3527012902010001", "tanggal lahir"),   # 29 February 1901/2001
    ("3527011204850000", "nomor urut"),
])
def test_invalid_niks_are_refused_with_the_part_that_is_wrong(nik, fragment):
    with pytest.raises(InvalidNik) as err:
        validate_nik(nik)
    assert err.value.code == "invalid_nik" and fragment in err.value.message()


def test_make_nik_builds_niks_that_validate():
    nik = make_nik("320201", 5, 7, 80, 12, female=True)
    assert nik == "3202014507800012" and validate_nik(nik).female


@pytest.mark.parametrize(("no_kk", "ok"), [
    ("3527011204850001", True), ("352701120485000", False), ("0027011204850001", False),
    ("35270112048500x1", False),
])
def test_no_kk_must_be_16_digits_with_a_known_province(no_kk, ok):
    if ok:
        assert validate_no_kk(no_kk) == no_kk
    else:
        with pytest.raises(InvalidNoKk):
            validate_no_kk(no_kk)
