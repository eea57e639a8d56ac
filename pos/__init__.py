"""Selling: the till, sales with their tenders, voids and returns, shifts, receipts and
their verification. It builds on the aid (`aid`), stock (`inventory`) and the printer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ewarung.domain import Domain


def _init_app(app: Any) -> None:
    from pos.api.sales import bp as sales_api
    from pos.api.shifts import bp as shifts_api
    from pos.views.sales import bp as sale_views
    from pos.views.till import bp as till
    from pos.views.verify import bp as verify

    for bp in (till, sales_api, shifts_api, sale_views, verify):
        app.register_blueprint(bp)


def _demo(session: Session) -> list[str]:
    from pos.demo import load_demo

    return load_demo(session)


def _problems(session: Session) -> list[str]:
    from pos.consistency import problems

    return problems(session)


def _models() -> object:
    import pos.models

    return pos.models


def _last_recorded(session: Session) -> datetime | None:
    from sqlalchemy import func, select

    from pos.models import Sale

    return session.scalar(select(func.max(Sale.created_at)))


DOMAIN = Domain("pos", init_app=_init_app, demo=_demo, models=_models, problems=_problems,
                last_recorded=_last_recorded)
