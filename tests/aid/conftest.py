"""The aid's tests use the selling kit (a small shop, signed-in clients, the card key): a
KPM's ledger is credited here and redeemed by sales."""

from tests.pos.conftest import (  # noqa: F401  (fixtures)
    cashier,
    cashier_token,
    key,
    live,
    manager,
    shop,
)
