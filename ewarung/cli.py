"""The `ewarung` command line."""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

import click
from apiflask import APIFlask

from ewarung.app import create_app
from ewarung.db import Database
from ewarung.errors import AppError
from ewarung.fields import ClickParsed, whole
from ewarung.maintenance_cli import register as register_maintenance
from ewarung.migrate import current_revision, head_revision, upgrade


def _app() -> APIFlask:
    ctx = click.get_current_context()
    app: APIFlask = ctx.find_root().obj or create_app()
    ctx.find_root().obj = app
    return app


def _db() -> Database:
    db: Database = _app().extensions["ewarung.db"]
    return db


def _fail(exc: AppError) -> NoReturn:
    click.echo(click.style(exc.message(), fg="red"), err=True)
    sys.exit(1)


def check_key() -> None:
    """Refuse to go on under a secret key other than the one the data is keyed with."""
    from ewarung.installation import check_secret_key, key_fingerprint, short

    config = _app().extensions["ewarung.config"]
    try:
        first_use = check_secret_key(_db(), config.secret_key, config.secret_key_source)
    except AppError as exc:
        _fail(exc)
    if first_use:
        click.echo(f"Kunci rahasia dari {config.secret_key_source} dicatat untuk data ini "
                   f"(sidik {short(key_fingerprint(config.secret_key))}).", err=True)


@click.group()
def cli() -> None:
    """e-Warung POS: point of sale, BPNT ledger, stock and KUBE reports."""


@cli.command()
def init() -> None:
    """Create or upgrade the database (safe to run again)."""
    db = _db()
    before = current_revision(db.engine)
    upgrade(db.engine)
    after = current_revision(db.engine)
    if before == after:
        click.echo(f"Database already at {after}; nothing to do.")
    else:
        click.echo(f"Database upgraded from {before or 'empty'} to {after}.")
    check_key()


@cli.command()
def demo() -> None:
    """Load a realistic demo shop (runs `init` first)."""
    from ewarung.demo import load_demo

    db = _db()
    upgrade(db.engine)
    check_key()
    with _app().app_context(), db.unit_of_work() as session:
        lines = load_demo(session)
    for line in lines:
        click.echo(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="EWARUNG_HOST")
@click.option("--port", default=8000, show_default=True, envvar="EWARUNG_PORT",
              type=ClickParsed(whole(1, 65535).parse, "port"))
@click.option("--threads", default=8, show_default=True,
              type=ClickParsed(whole(1, 64).parse, "threads"))
def serve(host: str, port: int, threads: int) -> None:
    """Serve the shop with waitress, a production WSGI server."""
    from waitress import serve as waitress_serve

    app = _app()
    db = _db()
    if current_revision(db.engine) != head_revision():
        click.echo("The database is not up to date: run `ewarung init` first.", err=True)
        sys.exit(1)
    check_key()
    db.checkpoint_in_background()
    try:
        for hook in app.extensions.get("ewarung.on_serve", []):
            hook(app)
    except AppError as exc:  # a setting that must not run (a printer that is a file)
        _fail(exc)
    # The app's long-lived objects (models, routes, catalogues) go out of the garbage
    # collector's sight: its full passes stay short during requests (bench/checkout.py).
    gc.collect()
    gc.freeze()
    click.echo(f"e-Warung POS on http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="ewarung")


@cli.group()
def user() -> None:
    """Manage users."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["cashier", "manager", "admin"]), required=True)
@click.option("--pin", help="4 to 6 digits (cashiers sign in with it; managers approve with it)")
@click.option("--password", help="at least 8 characters (managers and admins)")
@click.option("--full-name", default="")
def user_add(name: str, role: str, pin: str | None, password: str | None,
             full_name: str) -> None:
    """Add a user NAME."""
    from ewarung.auth.services import create_user

    db = _db()
    try:
        with db.unit_of_work() as session:
            created = create_user(session, name, role, full_name=full_name, pin=pin,
                                  password=password)
            click.echo(f"User {created.username} ({role}) added.")
    except AppError as exc:
        _fail(exc)


@cli.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Print a new API token for user NAME (the token alone on standard output)."""
    from sqlalchemy import select

    from ewarung.auth.models import User
    from ewarung.auth.services import create_token

    with _db().unit_of_work() as session:
        found = session.scalar(select(User).where(User.username == name.strip().lower()))
        if found is None:
            click.echo(f"No user named {name}.", err=True)
            sys.exit(1)
        click.echo(create_token(session, found))


#: modules with a `register(cli)` function that adds a domain's commands
DOMAIN_COMMANDS: tuple[str, ...] = ("inventory.cli", "pos.kpm_cli", "kube.report.cli", "district.cli")  # noqa: E501


def main() -> None:
    """Entry point of the console script."""
    import importlib

    for name in DOMAIN_COMMANDS:
        importlib.import_module(name).register(cli)
    cli()


register_maintenance(cli)
