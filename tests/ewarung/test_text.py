"""What stored text may hold."""

from __future__ import annotations

import pytest

from ewarung.text import has_unwritable


@pytest.mark.parametrize("value", ["Beras Premium 5 kg", "Café Délima", "Kacang\u00a0Hijau",
                                   "Telur 🥚", "ꦧꦼꦫꦱ꧀", ""])
def test_names_people_write_are_writable(value):
    assert not has_unwritable(value)


@pytest.mark.parametrize("value", ["Beras\x1b@", "Gula\x00", "Tab\there", "baris\u2028baru",
                                   "a\ud800b", "line\nbreak"])
def test_controls_and_separators_are_not(value):
    assert has_unwritable(value)


def test_a_note_may_break_lines_but_not_hold_other_controls():
    assert not has_unwritable("baris satu\r\nbaris dua\tkolom", multiline=True)
    assert has_unwritable("catatan\x07", multiline=True)
    assert has_unwritable("catatan\u2029", multiline=True)
