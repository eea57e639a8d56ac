"""The district's commands (`ewarung district ...`) and the outlet's (`ewarung sync ...`)."""

from __future__ import annotations

import sys

import click

from ewarung import commands
from ewarung.errors import AppError


@click.group()
def district() -> None:
    """The district server (Dinas Sosial): its database and its outlets."""


@district.command("init")
def district_init() -> None:
    """Create or upgrade the district database (PostgreSQL; safe to run again)."""
    from district import migrate as district_migrate
    from ewarung.migrate import upgrade as shell_upgrade

    db = commands.db()
    if db.is_sqlite:
        click.echo("The district needs PostgreSQL: set EWARUNG_DATABASE_URL to "
                   "postgresql+psycopg://...", err=True)
        sys.exit(1)
    before = district_migrate.current_revision(db.engine)
    shell_upgrade(db.engine)  # the shell's own tables: district users, tokens, sessions
    district_migrate.upgrade(db.engine)
    after = district_migrate.current_revision(db.engine)
    if before == after:
        click.echo(f"District database already at {after}; nothing to do.")
    else:
        click.echo(f"District database upgraded from {before or 'empty'} to {after}.")


@district.group("outlet")
def outlet() -> None:
    """Register and revoke outlets."""


@outlet.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kecamatan", default="")
@click.option("--desa", default="")
def outlet_add(code: str, name: str, kecamatan: str, desa: str) -> None:
    """Register an outlet; prints its join key alone on standard output."""
    from district.services import add_outlet

    try:
        with commands.db().unit_of_work() as session:
            _outlet, key = add_outlet(session, code, name, kecamatan, desa)
    except AppError as exc:
        commands.fail(exc)
    click.echo(key)


@outlet.command("revoke")
@click.argument("code")
def outlet_revoke(code: str) -> None:
    """Stop an outlet pushing (what it pushed stays)."""
    from district.services import revoke_outlet

    try:
        with commands.db().unit_of_work() as session:
            found = revoke_outlet(session, code)
            click.echo(f"Outlet {found.code} revoked.", err=True)
    except AppError as exc:
        commands.fail(exc)


def register(cli: click.Group) -> None:
    """Add `district` and `sync` to the `ewarung` command line."""
    from district.sync_cli import sync

    cli.add_command(district)
    cli.add_command(sync)
