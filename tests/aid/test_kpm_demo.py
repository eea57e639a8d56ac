"""The demo shop's beneficiaries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from aid.cards import luhn_valid
from aid.models import Beneficiary
from tests.pos.conftest import run_cli

pytestmark = pytest.mark.calendar


def test_demo_loads_kpm_in_three_villages_and_prints_cards_that_look_up(app, db, cashier):
    result = run_cli(app, "demo")
    assert result.exit_code == 0, result.output
    cards = [m.replace(" ", "") for m in re.findall(r"^\s+((?:\d{4} ){3}\d{4})\s", result.output,
                                                    re.M)]
    assert len(cards) == 2 and all(luhn_valid(c) for c in cards)
    with db.unit_of_work(write=False) as s:
        per_village = dict(s.execute(select(Beneficiary.village, func.count())
                                     .group_by(Beneficiary.village)).all())
    assert per_village == {"Sukamaju": 20, "Mekarsari": 20, "Cibeureum": 20}
    for card in cards:
        body = cashier.get(f"/api/v1/beneficiaries/lookup?card={card}").get_json()
        assert body["entitlement"]["remaining"] == 200_000, body
