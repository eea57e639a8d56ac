"""The district's schema through its own Alembic environment (`district/migrations`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: the district's own version table: a shop's `alembic_version` is never touched
VERSION_TABLE = "district_alembic_version"


class NotPostgres(Exception):
    """The district runs on PostgreSQL only (its events are partitioned by month)."""


def alembic_config() -> AlembicConfig:
    """An Alembic configuration pointing at the district's migrations."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str | None:
    """The newest district migration in the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The district migration the database is at (None when it holds no district)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the district's tables; a database at head is left untouched."""
    if engine.dialect.name != "postgresql":
        raise NotPostgres(engine.dialect.name)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def schema_drift(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the district's models."""
    from district.models import DistrictBase

    ours = set(DistrictBase.metadata.tables)

    def include_name(name: str | None, kind: str, _parent: object) -> bool:
        # the shell's tables share the database; monthly partitions are made on demand
        return kind != "table" or name in ours

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True, "version_table": VERSION_TABLE,
            "include_name": include_name})
        return list(compare_metadata(ctx, DistrictBase.metadata))
