"""Schema creation and upgrades through Alembic, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> AlembicConfig:
    """An Alembic configuration pointing at our migrations."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str | None:
    """The newest migration in the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """Whether `revision` is exactly the id of one of the migrations in the code."""
    script = ScriptDirectory.from_config(alembic_config())
    return revision in {s.revision for s in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None when empty)."""
    with engine.connect() as conn:
        return current_revision_on(conn)


def current_revision_on(conn: Connection) -> str | None:
    """The migration the database is at, read on `conn` (inside its transaction)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema; a database already at head is left untouched."""
    with engine.begin() as conn:
        upgrade_on(conn, revision)


def upgrade_on(conn: Connection, revision: str = "head") -> None:
    """Migrate inside the caller's transaction: a rollback undoes the schema too."""
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def migrate_on(conn: Connection, revision: str) -> None:
    """Bring the schema up or down to `revision` inside the caller's transaction.

    Down is only for an empty database (a restore of an older backup into a freshly
    initialised one): a downgrade drops what later migrations added, data included.
    """
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    current = current_revision_on(conn)
    script = ScriptDirectory.from_config(cfg)
    if revision == "head":
        revision = script.get_current_head() or revision
    if current == revision:
        return
    newest_first = [s.revision for s in script.walk_revisions()]
    if current is not None and newest_first.index(current) < newest_first.index(revision):
        command.downgrade(cfg, revision)
    else:
        command.upgrade(cfg, revision)


def schema_drift(engine: Engine) -> list[object]:
    """What autogenerate would change to make the database match the models."""
    from ewarung.db import Base
    from ewarung.domains import load_models

    load_models()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, Base.metadata))
