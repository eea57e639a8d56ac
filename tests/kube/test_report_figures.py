"""Acceptance: every figure of the monthly report equals a plain-SQL computation in the test.

The month (tests/kube/month.py) has cash, BPNT, mixed and QRIS sales, voids, returns (one
recorded in November), deliveries from four kinds of supplier with a reversed one, a
stocktake with shrinkage and a gain, write-offs, refusals, reconciliations and expenses,
with sales and expenses on both sides of the month's local-midnight boundaries.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from ewarung.money import split
from kube.report import monthly_report
from tests.kube.conftest import one, sql

pytestmark = pytest.mark.calendar

COMPLETED = "s.status = 'completed' AND s.business_day >= :first AND s.business_day <= :last"
RETURNED = ("FROM sale_return_lines rl JOIN sale_returns r ON r.id = rl.return_id "
            "JOIN sales s ON s.id = r.sale_id JOIN sale_lines l ON l.id = rl.sale_line_id "
            "WHERE s.status = 'completed' AND r.created_at >= :start AND r.created_at < :end")


def pct(part: int, whole: int) -> float:
    return round(float(Fraction(part, whole) * 100), 1) if whole else 0.0


def _report(db):
    with db.unit_of_work(write=False) as s:
        return monthly_report(s, "2026-10")


def test_sales_figures_equal_plain_sql(db, month):
    report = _report(db)["sales"]
    with db.unit_of_work(write=False) as s:
        count, gross = sql(s, f"SELECT count(*), sum(s.total) FROM sales s WHERE {COMPLETED}")[0]
        returned = one(s, f"SELECT sum(rl.amount) {RETURNED}")
        tenders = dict(sql(s, f"SELECT t.kind, sum(t.amount) FROM tenders t JOIN sales s "
                              f"ON s.id = t.sale_id WHERE {COMPLETED} GROUP BY t.kind"))
        cash_back, bpnt_back = sql(s, "SELECT sum(refund_cash), sum(refund_bpnt) FROM "
                                      "sale_returns r JOIN sales s ON s.id = r.sale_id WHERE "
                                      "s.status = 'completed' AND r.created_at >= :start "
                                      "AND r.created_at < :end")[0]
        days = {str(d): (n, t) for d, n, t in sql(
            s, f"SELECT s.business_day, count(*), sum(s.total) FROM sales s WHERE {COMPLETED} "
               "GROUP BY s.business_day")}
    assert (report["count"], report["gross"], report["returns"]) == (count, gross, returned)
    assert returned > 0 and count > 90
    assert report["total"] == gross - returned
    assert report["average_basket"] == int((Decimal(gross) / count).quantize(
        Decimal(1), ROUND_HALF_UP))
    assert report["by_tender"] == {
        "bpnt": {"gross": tenders["bpnt"], "refunds": bpnt_back,
                 "net": tenders["bpnt"] - bpnt_back},
        "cash": {"gross": tenders["cash"], "refunds": cash_back,
                 "net": tenders["cash"] - cash_back},
        "other": {"gross": tenders["qris"], "refunds": 0, "net": tenders["qris"]}}
    assert sum(t["net"] for t in report["by_tender"].values()) == report["total"]
    assert report["tender_difference"] == 0
    assert len(report["by_day"]) == 31
    for row in report["by_day"]:
        assert (row["count"], row["total"]) == days.get(row["day"], (0, 0))
    assert sum(row["total"] for row in report["by_day"]) == report["gross"]


def test_bpnt_figures_equal_plain_sql(db, month):
    report = _report(db)["bpnt"]
    with db.unit_of_work(write=False) as s:
        net = dict(sql(s, "SELECT beneficiary_id, sum(amount) FROM entitlement_entries WHERE "
                          "period = '2026-10' AND kind IN ('redemption', 'reversal') "
                          "GROUP BY beneficiary_id"))
        active = {bid for (bid,) in sql(s, "SELECT id FROM beneficiaries WHERE active")}
        lines = sql(s, f"SELECT l.sale_id, l.commodity_group, l.amount, t.amount FROM "
                       f"sale_lines l JOIN sales s ON s.id = l.sale_id JOIN tenders t ON "
                       f"t.sale_id = s.id AND t.kind = 'bpnt' WHERE {COMPLETED} AND "
                       f"l.commodity_group <> 'none' ORDER BY l.sale_id, l.id")
        bpnt_back = one(s, "SELECT sum(refund_bpnt) FROM sale_returns r JOIN sales s ON "
                           "s.id = r.sale_id WHERE s.status = 'completed' AND "
                           "r.created_at >= :start AND r.created_at < :end")
    served = {bid for bid, amount in net.items() if amount < 0}
    redeemed = -sum(amount for bid, amount in net.items() if bid in served)
    assert report["active_kpm"] == len(active) and report["served_kpm"] == len(served)
    assert report["served_active_kpm"] == len(served & active)
    assert report["served_share"] == pct(len(served & active), len(active))
    assert report["redeemed"] == redeemed > 0
    assert report["average_per_kpm"] == round(Fraction(redeemed, len(served)))
    assert [k["id"] for k in report["not_served"]] and \
        {k["id"] for k in report["not_served"]} == active - served
    assert month.kpm[-5].id in {k["id"] for k in report["not_served"]}  # its sale was voided
    by_sale = defaultdict(list)
    for sale_id, group, amount, bpnt in lines:
        by_sale[sale_id].append((group, amount, bpnt))
    groups: dict[str, int] = defaultdict(int)
    for rows in by_sale.values():
        for (group, _, _), part in zip(rows, split(rows[0][2], [a for _, a, _ in rows]),
                                       strict=True):
            groups[group] += part
    assert report["by_group"] == {g: groups.get(g, 0) for g in report["by_group"]}
    assert report["paid_at_till"] == sum(groups.values())
    assert report["refunds"] == bpnt_back


def test_profit_expenses_and_shu_equal_plain_sql(db, month):
    full = _report(db)
    report, shu = full["profit"], full["shu"]
    with db.unit_of_work(write=False) as s:
        sold = {g: (a, c) for g, a, c in sql(
            s, f"SELECT l.commodity_group, sum(l.amount), sum(l.cost) FROM sale_lines l JOIN "
               f"sales s ON s.id = l.sale_id WHERE {COMPLETED} GROUP BY l.commodity_group")}
        back = {g: (a, c) for g, a, c in sql(
            s, f"SELECT l.commodity_group, sum(rl.amount), sum(rl.cost) {RETURNED} "
               "GROUP BY l.commodity_group")}
        per_product = {p: [a, c] for p, a, c in sql(
            s, f"SELECT l.product_id, sum(l.amount), sum(l.cost) FROM sale_lines l JOIN "
               f"sales s ON s.id = l.sale_id WHERE {COMPLETED} GROUP BY l.product_id")}
        for p, a, c in sql(s, f"SELECT l.product_id, sum(rl.amount), sum(rl.cost) {RETURNED} "
                              "GROUP BY l.product_id"):
            per_product[p][0] -= a
            per_product[p][1] -= c
        expenses = dict(sql(s, "SELECT category, sum(amount) FROM expenses WHERE voided_at IS "
                               "NULL AND spent_on >= :first AND spent_on <= :last "
                               "GROUP BY category"))
    net = {g: (a - back.get(g, (0, 0))[0], c - back.get(g, (0, 0))[1])
           for g, (a, c) in sold.items()}
    sales, cogs = sum(a for a, _ in net.values()), sum(c for _, c in net.values())
    assert (report["sales"], report["cogs"]) == (sales, cogs)
    assert report["sales"] == full["sales"]["total"]
    assert report["gross_profit"] == sales - cogs and report["margin"] == pct(sales - cogs,
                                                                              sales)
    for group, (a, c) in net.items():
        assert report["by_group"][group] == {"sales": a, "cogs": c, "gross_profit": a - c,
                                             "margin": pct(a - c, a)}
    ranked = sorted(per_product.items(), key=lambda kv: (-kv[1][0], kv[0]))[:10]
    assert [(p["product_id"], p["sales"], p["cogs"]) for p in report["top_products"]] == \
        [(pid, a, c) for pid, (a, c) in ranked]
    assert full["expenses"]["total"] == sum(expenses.values()) == 192_345
    assert {k: v for k, v in full["expenses"]["by_category"].items() if v} == expenses
    assert report["net_profit"] == sales - cogs - sum(expenses.values())
    assert shu["net_profit"] == report["net_profit"] > 0 and shu["loss"] is False
    assert sum(shu["buckets"].values()) == report["net_profit"]
    for bucket, amount in shu["buckets"].items():
        exact = Fraction(report["net_profit"]) * Fraction(shu["percentages"][bucket]) / 100
        assert abs(amount - exact) < 1
    assert sum(m["amount"] for m in shu["members"]) == shu["buckets"]["members"]
    assert [m["name"] for m in shu["members"]] == ["Sri", "Tini", "Wati", "Yuni"]


def test_stock_identity_holds_to_the_rupiah_against_the_ledger(db, month):
    report = _report(db)["stock"]
    with db.unit_of_work(write=False) as s:
        opening = one(s, "SELECT sum(value) FROM stock_moves WHERE at < :start")
        kinds = dict(sql(s, "SELECT kind, sum(value) FROM stock_moves WHERE at >= :start "
                            "AND at < :end GROUP BY kind"))
        closing = one(s, "SELECT sum(value) FROM stock_moves WHERE at < :end")
        held = one(s, "SELECT sum(value_left) FROM stock_batches")
        later = one(s, "SELECT sum(value) FROM stock_moves WHERE at >= :end")
    assert held - later == closing
    expected = {
        "opening": opening, "purchases": kinds["receipt"] + kinds["receipt_reversal"],
        "cogs": -kinds["sale"], "returns": kinds["return"],
        "adjustments": kinds.get("adjustment", 0), "shrinkage": -kinds["stocktake"],
        "write_offs": -kinds["write_off"], "closing": closing}
    assert {k: report[k] for k in expected} == expected
    assert kinds["receipt_reversal"] < 0 and expected["shrinkage"] > 0
    assert expected["write_offs"] > 0 and opening > 0
    assert report["opening"] + report["purchases"] - report["cogs"] + report["returns"] \
        + report["adjustments"] - report["shrinkage"] - report["write_offs"] \
        == report["closing"]
    assert report["difference"] == 0
    full = _report(db)
    assert report["cogs"] - report["returns"] == full["profit"]["cogs"]


def test_supplier_figures_equal_plain_sql(db, month):
    report = _report(db)["suppliers"]
    with db.unit_of_work(write=False) as s:
        rows = sql(s, "SELECT g.supplier_id, sp.kind, sum(l.value) FROM goods_receipt_lines l "
                      "JOIN goods_receipts g ON g.id = l.receipt_id JOIN suppliers sp ON "
                      "sp.id = g.supplier_id WHERE g.received_on >= :first AND "
                      "g.received_on <= :last GROUP BY g.supplier_id, sp.kind")
    total = sum(v for _, _, v in rows)
    assert report["total"] == total
    assert {s["id"]: s["value"] for s in report["suppliers"]} == {i: v for i, _, v in rows}
    by_kind: dict[str, int] = defaultdict(int)
    for _, kind, value in rows:
        by_kind[kind] += value
    assert {k: v["value"] for k, v in report["by_kind"].items() if v["value"]} == by_kind
    assert report["local_share"] == pct(by_kind["local_producer"] + by_kind["kube_member"],
                                        total)
    assert report["top_supplier"]["share"] == pct(max(v for _, _, v in rows), total)
    hhi = sum((Fraction(v * 100, total)) ** 2 for _, _, v in rows)
    assert report["hhi"] == round(float(hhi), 1)
    assert [t["month"] for t in report["trend"]] == [
        "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def test_integrity_figures_equal_plain_sql(db, month):
    report = _report(db)["integrity"]
    with db.unit_of_work(write=False) as s:
        above = sql(s, f"SELECT count(*), sum((l.unit_price - l.reference_price) * l.quantity) "
                       f"FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE {COMPLETED} "
                       "AND l.unit_price > l.reference_price")[0]
        refused = dict(sql(s, "SELECT code, count(*) FROM sale_refusals WHERE at >= :start "
                              "AND at < :end GROUP BY code"))
        voids = sql(s, "SELECT s.total, s.void_reason FROM sales s WHERE s.status = 'voided' "
                       "AND s.business_day >= :first AND s.business_day <= :last")
        returns = sql(s, f"SELECT r.id, sum(rl.amount), r.reason {RETURNED} GROUP BY r.id, "
                         "r.reason")
        runs = sql(s, "SELECT matched, shop_only, bank_total FROM reconciliation_runs WHERE "
                      "first_day <= :last AND last_day >= :first")
    assert report["above_reference"]["count"] == above[0] == 1
    assert report["above_reference"]["excess"] == round(Fraction(above[1], 1000)) == 2_500
    assert report["refusals"] == {"count": sum(refused.values()), "by_code": refused}
    assert refused == {"not_eligible_for_bpnt": 2, "bpnt_balance_exceeded": 1}
    assert report["voids"]["count"] == len(voids) == 2
    assert report["voids"]["total"] == sum(t for t, _ in voids)
    assert sorted(v["reason"] for v in report["voids"]["list"]) == sorted(r for _, r in voids)
    assert report["returns"]["count"] == len(returns) == 2
    assert report["returns"]["total"] == sum(a for _, a, _ in returns)
    assert sorted(r["reason"] for r in report["returns"]["list"]) == sorted(
        r for _, _, r in returns)
    recon = report["reconciliation"]
    assert len(recon["runs"]) == len(runs) == 2
    assert (recon["matched"], recon["shop_only"], recon["bank_total"]) == (
        sum(r[0] for r in runs), sum(r[1] for r in runs), sum(r[2] for r in runs))


def test_sign_off_names_the_ketua_and_bendahara(db, month):
    sign = _report(db)["sign_off"]
    assert (sign["ketua"], sign["bendahara"], sign["place"]) == ("Sri", "Tini", "Sukamaju")
