"""The benchmark's KPM generator writes what the till can look up."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aid.cards import luhn_valid
from aid.models import Beneficiary, KksCard
from bench.gen.beneficiaries import generate_beneficiaries

pytestmark = pytest.mark.calendar


def test_generated_kpm_look_up_with_their_credit(app, db, cashier):
    with db.unit_of_work() as s:
        made = generate_beneficiaries(s, 300, seed=3, secret=app.config["SECRET_KEY"])
    assert len(made.ids) == len(set(made.card_numbers)) == 300
    assert all(luhn_valid(c) for c in made.card_numbers)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Beneficiary)) == 300
        assert s.scalar(select(func.count(KksCard.id.distinct()))) == 300
    for i in (0, 150, 299):
        body = cashier.get(f"/api/v1/beneficiaries/lookup?card={made.card_numbers[i]}"
                           ).get_json()
        assert body["id"] == made.ids[i]
        assert body["entitlement"]["remaining"] == made.amount
