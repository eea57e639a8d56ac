"""The SHU's weight column agrees with the amounts beside it (issue 12).

Split equally, every member counts once, whatever capital weight is on file; split by
weight, each share is the weight's part of the members' bucket, to the Rupiah.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from kube import services
from kube.report import monthly_report
from kube.shu import DEFAULT_PERCENTAGES, allocate
from tests.factories import PASSWORD, make_user

MEMBERS = [(1, "Sri", Decimal("2")), (2, "Tini", Decimal("1")), (3, "Wati", Decimal("1.5"))]


def _agrees(bucket: int, shares) -> bool:
    total = sum(Fraction(s.weight if hasattr(s, "weight") else s["weight"]) for s in shares)
    for s in shares:
        weight = Fraction(s.weight if hasattr(s, "weight") else s["weight"])
        amount = s.amount if hasattr(s, "amount") else s["amount"]
        if abs(amount - bucket * weight / total) >= 1:
            return False
    return True


@pytest.mark.parametrize("mode", ["equal", "weight"])
def test_allocated_weights_are_the_ones_the_split_used(mode):
    shu = allocate(1_000_000, DEFAULT_PERCENTAGES, MEMBERS, mode)
    assert _agrees(shu.buckets["members"], shu.members)
    if mode == "equal":
        assert {s.weight for s in shu.members} == {Decimal(1)}
        assert len({s.amount for s in shu.members}) <= 2  # equal, give or take a Rupiah


@pytest.mark.parametrize("mode", ["equal", "weight"])
def test_the_report_and_its_page_show_weights_that_match_the_amounts(client, db, month, mode):
    with db.unit_of_work() as s:
        services.set_shu_settings(s, dict(DEFAULT_PERCENTAGES), mode)
        report = monthly_report(s, "2026-10")
        make_user(s, "manager", "bendahara1")
    shu = report["shu"]
    assert shu["net_profit"] > 0 and len(shu["members"]) == 4
    assert _agrees(shu["buckets"]["members"], shu["members"])
    client.login("bendahara1", password=PASSWORD)
    html = client.get("/kube/report?month=2026-10").get_data(as_text=True)
    section = re.search(r'(?s)id="section-shu".*?</section>', html)[0]
    for member in shu["members"]:
        row = re.search(rf"(?s)<tr>\s*<td>{member['name']}</td>.*?</tr>", section)[0]
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        shown_weight = Decimal(cells[1].replace(".", "").replace(",", "."))
        assert shown_weight == Decimal(member["weight"]), (mode, member, cells)
