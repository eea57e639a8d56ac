"""Stock: catalogue, suppliers, goods receipts, the stock ledger, stocktakes."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.orm import Session

from ewarung.domain import Domain


def _init_app(app: Any) -> None:
    from inventory.api import bp as api
    from inventory.views import bp as views

    app.register_blueprint(api)
    app.register_blueprint(views)


def _commands(cli: click.Group) -> None:
    from inventory.cli import register

    register(cli)


def _demo(session: Session) -> list[str]:
    from inventory.demo import load_demo

    return load_demo(session)


def _problems(session: Session) -> list[str]:
    from inventory.consistency import problems

    return problems(session)


def _models() -> object:
    import inventory.models

    return inventory.models


DOMAIN = Domain("inventory", init_app=_init_app, commands=_commands, demo=_demo,
                models=_models, problems=_problems)
