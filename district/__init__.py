"""The district: outlets push their events (a transactional outbox), the district keeps them.

On the district server (PostgreSQL): outlets and their keys, an idempotent ingest and the
events partitioned by month, on their own metadata and Alembic environment. On an outlet:
the push (`ewarung sync ...`) of the outbox every domain writes its facts to (`ewarung.outbox`,
in the shop's database).
"""

from __future__ import annotations

from typing import Any

from ewarung.domain import Domain


def init_app(app: Any) -> None:
    """Register the district's API."""
    from district.api import bp as api

    app.register_blueprint(api)


def commands(cli: Any) -> None:
    """Add `ewarung district ...` and `ewarung sync ...`."""
    from district.cli import register

    register(cli)


DOMAIN = Domain(name="district", init_app=init_app, commands=commands)
