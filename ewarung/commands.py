"""What every command of the `ewarung` command line shares: the app it runs on, its
database, the red one-line refusal, and the secret-key check. Domains' commands use these;
the command line itself (`ewarung.cli`) says how the app is made."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from ewarung.db import Database
from ewarung.errors import AppError

_factory: Callable[[], Any] | None = None


def use_factory(factory: Callable[[], Any]) -> None:
    """How to make the app when the command was not handed one (`ewarung.cli` sets it)."""
    global _factory
    _factory = factory


def app() -> Any:
    """The app of this command run: the one handed in (`obj=`), or one made once."""
    root = click.get_current_context().find_root()
    if root.obj is None:
        if _factory is None:
            raise RuntimeError("no app: import ewarung.cli, or pass obj=app")
        root.obj = _factory()
    return root.obj


def db() -> Database:
    """The database of this command run."""
    database: Database = app().extensions["ewarung.db"]
    return database


def fail(exc: AppError) -> NoReturn:
    """Print the refusal in red on standard error and exit 1."""
    click.echo(click.style(exc.message(), fg="red"), err=True)
    sys.exit(1)


def check_key() -> None:
    """Refuse to go on under a secret key other than the one the data is keyed with."""
    from ewarung.installation import check_secret_key, key_fingerprint, short

    config = app().extensions["ewarung.config"]
    try:
        first_use = check_secret_key(db(), config.secret_key, config.secret_key_source)
    except AppError as exc:
        fail(exc)
    if first_use:
        click.echo(f"Kunci rahasia dari {config.secret_key_source} dicatat untuk data ini "
                   f"(sidik {short(key_fingerprint(config.secret_key))}).", err=True)
