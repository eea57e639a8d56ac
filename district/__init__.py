"""The district: outlets push their events (a transactional outbox), the district keeps them.

On the district server (PostgreSQL): outlets and their keys, an idempotent ingest and the
events partitioned by month, on their own metadata and Alembic environment. On an outlet:
the outbox table in the shop's database and the push (`ewarung sync ...`).
"""

from __future__ import annotations

from typing import Any

from ewarung.domain import Domain


def init_app(app: Any) -> None:
    """Register the district's API (and put the outlet's outbox on the shop's metadata)."""
    from district.api import bp as api

    load_models()
    app.register_blueprint(api)


def commands(cli: Any) -> None:
    """Add `ewarung district ...` and `ewarung sync ...`."""
    from district.cli import register

    register(cli)


# (not named `models`: importing district.models would put the module in its place)
def load_models() -> object:
    """The outlet's outbox on the shop's metadata (the district's tables have their own)."""
    from district import outbox

    return outbox


DOMAIN = Domain(name="district", init_app=init_app, commands=commands, models=load_models)
