"""The KUBE behind the shop: members, operating expenses, the SHU split and the monthly report."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.orm import Session

from ewarung.domain import Domain


def _init_app(app: Any) -> None:
    from kube.api import bp as api
    from kube.report.api import bp as report_api
    from kube.report.views import bp as report_views
    from kube.views import bp as views

    for bp in (api, views, report_api, report_views):
        app.register_blueprint(bp)


def _commands(cli: click.Group) -> None:
    from kube.report.cli import register

    register(cli)


def _demo(session: Session) -> list[str]:
    from kube.demo import load_demo

    return load_demo(session)


def _models() -> object:
    import kube.models

    return kube.models


DOMAIN = Domain("kube", init_app=_init_app, commands=_commands, demo=_demo, models=_models)
