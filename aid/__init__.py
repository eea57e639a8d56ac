"""The aid: beneficiaries (KPM), their KKS cards, the BPNT entitlement ledger, bank
reconciliation and the program's settings. Selling (`pos`) builds on it; it knows no sale."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.orm import Session

from ewarung.domain import Domain


def _init_app(app: Any) -> None:
    from aid.api import bp as api
    from aid.views.bpnt import bp as bpnt
    from aid.views.kpm import bp as kpm

    for bp in (api, kpm, bpnt):
        app.register_blueprint(bp)


def _commands(cli: click.Group) -> None:
    from aid.cli import register

    register(cli)


def _demo(session: Session) -> list[str]:
    from aid.demo import load_demo

    return load_demo(session)


def _models() -> object:
    import aid.models

    return aid.models


DOMAIN = Domain("aid", init_app=_init_app, commands=_commands, demo=_demo, models=_models)
