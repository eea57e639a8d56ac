"""After a day of sales, no full card number is in the database, its files, or any log."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from ewarung.db import Database
from printer.worker import process_pending
from tests.aid.test_card_privacy import _dump
from tests.conftest import make_app
from tests.factories import (
    PIN,
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_product,
    make_stock,
    make_token,
    make_user,
)
from tests.helpers import ApiClient
from tests.printer.printers import TcpPrinter


def test_a_day_of_sales_leaves_no_full_card_number(database_url, tmp_path):
    printer = TcpPrinter()
    app = make_app(tmp_path / "data", database_url, printer=printer.url)
    db: Database = app.extensions["ewarung.db"]
    log_dir = Path(app.extensions["ewarung.config"].data_dir) / "logs"
    sql_log = logging.FileHandler(log_dir / "sql.log")
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.addHandler(sql_log)
    engine_log.setLevel(logging.INFO)  # every statement with its parameters
    try:
        cards = _a_day_of_sales(app, db)
        process_pending(db)  # the receipts are rendered and printed
    finally:
        engine_log.removeHandler(sql_log)
        engine_log.setLevel(logging.WARNING)
        sql_log.close()
        printer.close()
    logs = "\n".join(p.read_text("utf-8", "replace") for p in log_dir.glob("*"))
    dump = _dump(db)
    db.dispose()
    assert "INSERT INTO tenders" in logs and "******" in dump
    printed = b"".join(printer.jobs()).decode("latin-1")
    assert "******" in printed
    for card in cards:
        spaced = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
        for haystack, where in ((dump, "database"), (logs, "logs"), (printed, "receipts")):
            assert card not in haystack, f"full card number in the {where}"
            assert spaced not in haystack, f"spaced card number in the {where}"


def _a_day_of_sales(app, db) -> list[str]:
    cards = [make_card_number() for _ in range(8)]
    with db.unit_of_work() as s:
        rice = make_product(s, "Beras 5 kg", price=60_000)
        oil = make_product(s, "Minyak 1 L", price=18_000, commodity_group="none")
        make_stock(s, rice, 200, 50_000)
        make_stock(s, oil, 200, 15_000)
        for card in cards[:6]:
            credit(s, make_beneficiary(s, card_key(app), card=card), 200_000)
        make_user(s, "manager", "ketua")
        token = make_token(s, "cashier")
    till = ApiClient(app.test_client())
    till.token = token

    def sell(card: str, *, cash: bool = True, ref: str | None = None) -> dict:
        tenders = [{"kind": "bpnt", "card": card, "edc_ref": "00" + card[-4:]}]
        if cash:
            tenders.append({"kind": "cash", "amount": 50_000})
        return till.post("/api/v1/sales", json={
            "client_ref": ref or str(uuid.uuid4()),
            "lines": [{"product_id": rice.id, "quantity": 1}, {"product_id": oil.id,
                                                              "quantity": 1}],
            "tenders": tenders}).get_json()

    sales = [sell(card) for card in cards[:5]]
    swiped = f"%B{cards[5]}^KPM/ENAM^2512101?;{cards[5]}=2512101?"
    sell(swiped, ref="same-sale")
    sell(swiped, ref="same-sale")                      # a replay
    sell(cards[6])                                     # not registered
    sell(cards[7][:-1] + str((int(cards[7][-1]) + 1) % 10))  # bad check digit
    sell(cards[0], cash=False)                         # oil without cash: refused
    for _ in range(3):
        sell(cards[1])                                 # the card runs out
    approver = {"username": "ketua", "pin": PIN}
    till.post(f"/api/v1/sales/{sales[0]['id']}/void", json={"reason": "salah",
                                                            "approver": approver})
    till.post(f"/api/v1/sales/{sales[2]['id']}/returns", json={
        "lines": [{"sale_line_id": sales[2]["lines"][0]["id"], "quantity": 1}],
        "reason": "rusak", "approver": approver})
    till.post(f"/api/v1/sales/{sales[3]['id']}/print")
    return [*cards, swiped]
