"""Fixtures of the pos tests: signed-in clients and the app's card-hash key."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import card_key, make_token
from tests.helpers import ApiClient


def _client_with_token(app: Any, db: Any, role: str) -> ApiClient:
    client = ApiClient(app.test_client())
    with db.unit_of_work() as s:
        client.token = make_token(s, role)
    return client


@pytest.fixture
def manager(app: Any, db: Any) -> ApiClient:
    """A client with a manager's bearer token."""
    return _client_with_token(app, db, "manager")


@pytest.fixture
def cashier(app: Any, db: Any) -> ApiClient:
    """A client with a cashier's bearer token."""
    return _client_with_token(app, db, "cashier")


@pytest.fixture
def key(app: Any) -> bytes:
    """The app's card-hash key."""
    return card_key(app)


def run_cli(app: Any, *args: str) -> Any:
    """Invoke `ewarung ARGS` (the command line carries every domain's commands)."""
    from ewarung.cli import cli

    return app.test_cli_runner().invoke(cli, list(args), obj=app)


class Shop:
    """A small shop to sell from: rice and eggs (BPNT-eligible), cooking oil (not), a KPM."""

    def __init__(self, app: Any, db: Any) -> None:
        from tests.factories import credit, make_beneficiary, make_card_number, make_product
        from tests.factories import make_stock as stock

        self.card = make_card_number()
        with db.unit_of_work() as s:
            self.rice = make_product(s, "Beras Medium 5 kg", price=62_500, reference_price=65_000)
            self.eggs = make_product(s, "Telur Ayam", unit="kg", price=28_000,
                                     commodity_group="animal_protein", barcode="8991234567890")
            self.oil = make_product(s, "Minyak Goreng 1 L", price=18_000, commodity_group="none")
            self.rice_batch = stock(s, self.rice, 20, 55_000)
            self.eggs_batch = stock(s, self.eggs, "10.5", 24_000)
            self.oil_batch = stock(s, self.oil, 30, 15_000)
            self.kpm = make_beneficiary(s, card_key(app), card=self.card)
            credit(s, self.kpm, 200_000)
            self.kpm_id = self.kpm.id

    def body(self, lines: list[tuple[Any, Any]], tenders: list[dict[str, Any]],
             **extra: Any) -> dict[str, Any]:
        """An API sale body."""
        import uuid

        return {"client_ref": str(uuid.uuid4()),
                "lines": [{"product_id": p.id, "quantity": q} for p, q in lines],
                "tenders": tenders, **extra}

    def bpnt(self, amount: int | None = None, **extra: Any) -> dict[str, Any]:
        """A BPNT tender with this shop's KPM card."""
        tender = {"kind": "bpnt", "card": self.card, "edc_ref": "004512", **extra}
        if amount is not None:
            tender["amount"] = amount
        return tender


@pytest.fixture
def shop(app: Any, db: Any) -> Shop:
    """Products with stock and a KPM with Rp200.000 this month."""
    return Shop(app, db)


class LiveServer:
    """The app served by waitress on a loopback port, for real concurrent HTTP clients."""

    def __init__(self, app: Any) -> None:
        import threading

        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=8)
        self.port = self.server.effective_port  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def post(self, path: str, body: Any, token: str) -> tuple[int, Any]:
        """POST JSON on a fresh connection; (status, decoded body)."""
        import http.client
        import json

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", path, json.dumps(body), {
                "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        finally:
            conn.close()

    def stop(self) -> None:
        """Close every socket from the server's own loop thread, so it ends cleanly.

        Closing them from here races the loop's select() (a closed descriptor is an error
        in the server thread).
        """
        from waitress import wasyncore

        sockets = self.server._map  # type: ignore[union-attr]
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(sockets))  # type: ignore[union-attr]
        self.thread.join(timeout=5)
        self.server.task_dispatcher.shutdown()  # type: ignore[union-attr]


@pytest.fixture
def live(app: Any) -> Any:
    """The app over real HTTP (waitress, 8 threads)."""
    server = LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def cashier_token(db: Any) -> str:
    """A cashier's bearer token."""
    with db.unit_of_work() as s:
        return make_token(s, "cashier")
