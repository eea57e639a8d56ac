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
    """Invoke `ewarung ARGS` with the domain commands registered, as `main()` does."""
    import importlib

    from ewarung.cli import DOMAIN_COMMANDS, cli

    for name in DOMAIN_COMMANDS:
        importlib.import_module(name).register(cli)
    return app.test_cli_runner().invoke(cli, list(args), obj=app)
