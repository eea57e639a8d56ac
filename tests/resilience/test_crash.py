"""Crash safety: `ewarung serve` killed with SIGKILL in the middle of a busy till.

Eight clients post sales (cash and BPNT, each with its own client_ref) to the real server;
the server process is killed outright mid-load and started again; the clients then re-send
every sale whose answer they never got, as the tablet's outbox does. Afterwards: every sale
that was answered 201 is in the database, re-sent sales were not duplicated, no sale is
half-written, on-hand stock equals the stock ledger and every card's remaining entitlement
equals its credits minus its redemptions. Five rounds per database.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from aid.models import EntitlementEntry
from bench.server import serve
from ewarung.db import Database
from inventory.models import StockBatch, StockMove
from pos.models import Sale, SaleLine, Tender
from tests.conftest import make_app
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_product,
    make_stock,
    make_token,
)

pytestmark = pytest.mark.slow

CLIENTS = 8
SECRET = "crash-test-secret-" + "k" * 40
KILL_AFTER_S = 1.5


@pytest.fixture
def shop(app, db):
    """Products with plenty of stock and KPM with cards and Rp200.000 each."""
    cards = [make_card_number() for _ in range(40)]
    with db.unit_of_work() as s:
        products = []
        for i, group in enumerate(["carbohydrate", "animal_protein", "plant_protein",
                                   "vitamins_minerals", "none"] * 2):
            product = make_product(s, f"Barang {i}", price=5000 + 500 * i,
                                   commodity_group=group)
            make_stock(s, product, 100000, unit_cost=3000)
            products.append(product.id)
        for card in cards:
            credit(s, make_beneficiary(s, card_key(app), card=card), 200_000)
        token = make_token(s, "cashier")
    return {"products": products, "cards": cards, "token": token}


@pytest.fixture
def app(database_url, tmp_path):
    application = make_app(tmp_path / "data", database_url, secret_key=SECRET)
    yield application
    application.extensions["ewarung.db"].dispose()


def _body(rng: random.Random, shop: dict[str, Any], bpnt_card: str | None) -> dict[str, Any]:
    lines = [{"product_id": pid, "quantity": str(rng.randint(1, 3))}
             for pid in rng.sample(shop["products"], 3)]
    tenders: list[dict[str, Any]] = []
    if bpnt_card:
        tenders.append({"kind": "bpnt", "card": bpnt_card, "edc_ref": str(rng.randint(1, 10**6)),
                        "amount": 5000})
    tenders.append({"kind": "cash", "amount": 200000})
    return {"client_ref": str(uuid.uuid4()), "lines": lines, "tenders": tenders}


class Client(threading.Thread):
    """Posts sales until told to stop; remembers which were answered and which were not."""

    def __init__(self, base: str, shop: dict[str, Any], seed: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.base, self.shop, self.stop = base, shop, stop
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {shop['token']}"
        self.created: dict[str, int] = {}
        self.unknown: list[dict[str, Any]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            card = self.rng.choice(self.shop["cards"]) if self.rng.random() < 0.5 else None
            body = _body(self.rng, self.shop, card)
            try:
                resp = self.http.post(self.base + "/api/v1/sales", json=body, timeout=10)
            except requests.RequestException:
                self.unknown.append(body)  # no answer: the outbox keeps it
                continue
            if resp.status_code == 201:
                self.created[body["client_ref"]] = resp.json()["id"]
            elif resp.status_code >= 500:
                self.unknown.append(body)


def _resend(base: str, token: str, bodies: list[dict[str, Any]]) -> dict[str, int]:
    answered = {}
    for body in bodies:
        resp = requests.post(base + "/api/v1/sales", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code in (200, 201, 409, 422), resp.text
        if resp.status_code in (200, 201):
            answered[body["client_ref"]] = resp.json()["id"]
    return answered


def _check_consistency(db: Database, acknowledged: dict[str, int]) -> None:
    with db.unit_of_work(write=False) as s:
        refs = dict(s.execute(select(Sale.client_ref, Sale.id)).all())
        missing = {ref for ref in acknowledged if ref not in refs}
        assert missing == set(), f"{len(missing)} acknowledged sales lost"
        assert all(refs[ref] == sid for ref, sid in acknowledged.items())
        for sale in s.scalars(select(Sale)):
            lines = s.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id)).all()
            tenders = s.scalars(select(Tender).where(Tender.sale_id == sale.id)).all()
            assert lines and tenders, f"sale {sale.number} is half-written"
            assert sum(ln.amount for ln in lines) == sale.total
            assert sum(t.amount for t in tenders) == sale.total
            for ln in lines:
                moved = s.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0)).where(
                    StockMove.ref_type == "sale_line", StockMove.ref_id == ln.id))
                assert -moved == ln.quantity, f"line {ln.id}: stock moved {moved}"
            for t in tenders:
                if t.kind == "bpnt":
                    entry = s.get(EntitlementEntry, t.entitlement_entry_id)
                    assert entry is not None and entry.amount == -t.amount
        for batch in s.scalars(select(StockBatch)):
            ledger = s.scalar(select(func.coalesce(func.sum(StockMove.quantity), 0))
                              .where(StockMove.batch_id == batch.id))
            assert batch.quantity_left == ledger, f"batch {batch.id}"
        per_card = s.execute(select(EntitlementEntry.beneficiary_id,
                                    func.sum(EntitlementEntry.amount))
                             .group_by(EntitlementEntry.beneficiary_id)).all()
        for beneficiary_id, remaining in per_card:
            credits = s.scalar(select(func.sum(EntitlementEntry.amount)).where(
                EntitlementEntry.beneficiary_id == beneficiary_id,
                EntitlementEntry.kind == "credit"))
            redeemed = s.scalar(select(func.coalesce(func.sum(Tender.amount), 0))
                                .join(Sale, Sale.id == Tender.sale_id).where(
                Tender.kind == "bpnt", Tender.beneficiary_id == beneficiary_id,
                Sale.status == "completed"))
            assert remaining == credits - redeemed
            assert remaining >= 0


@pytest.mark.parametrize("round_", range(1, 6))
def test_a_killed_server_loses_no_acknowledged_sale(app, db, database_url, shop, tmp_path,
                                                     round_):
    env = {"EWARUNG_SECRET_KEY": SECRET}
    data_dir = Path(tmp_path / "serve")
    stop = threading.Event()
    with serve(database_url, data_dir, env) as served:
        clients = [Client(served.url, shop, round_ * 100 + i, stop) for i in range(CLIENTS)]
        for c in clients:
            c.start()
        time.sleep(KILL_AFTER_S)
        os.kill(served.pid, signal.SIGKILL)  # no shutdown, no flush: the power goes
        time.sleep(0.5)
        stop.set()
        for c in clients:
            c.join(timeout=30)
    acknowledged = {ref: sid for c in clients for ref, sid in c.created.items()}
    unknown = [body for c in clients for body in c.unknown]
    assert len(acknowledged) > 20, "the load never got going"
    with serve(database_url, data_dir, env) as served:
        resent = _resend(served.url, shop["token"], unknown)
    _check_consistency(db, {**acknowledged, **resent})
    with db.unit_of_work(write=False) as s:
        total = s.scalar(select(func.count()).select_from(Sale))
    # Every sale in the database was either acknowledged or re-sent by its client.
    assert total == len({**acknowledged, **resent})
