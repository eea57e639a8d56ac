"""`ewarung sync join|push|status`: the outlet's side of the district."""

from __future__ import annotations

import sys

import click

from ewarung import commands
from ewarung.errors import AppError


@click.group()
def sync() -> None:
    """Push this outlet's events to the district (Dinas Sosial)."""


@sync.command("join")
@click.argument("url")
@click.argument("key")
@click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False),
              envvar="EWARUNG_DISTRICT_CA", help="CA certificates to verify the district with")
@click.option("--allow-http", is_flag=True,
              help="allow plain http:// to a host that is not this computer")
def sync_join(url: str, key: str, ca_bundle: str | None, allow_http: bool) -> None:
    """Join the district at URL with the outlet KEY it gave."""
    from district.sync import join

    try:
        joined = join(commands.db(), url, key, ca_bundle=ca_bundle, allow_http=allow_http)
    except AppError as exc:
        commands.fail(exc)
    click.echo(f"Joined {joined.district_url} as outlet {joined.outlet_code}.")


@sync.command("push")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 500))
@click.option("--attempts", default=6, show_default=True, type=click.IntRange(1, 100))
def sync_push(batch: int, attempts: int) -> None:
    """Push every pending event; exit 0 when the district holds them all."""
    from district.sync import push

    try:
        result = push(commands.db(), batch=batch, attempts=attempts)
    except AppError as exc:
        commands.fail(exc)
    click.echo(f"sent {result.sent}, stored {result.stored}, duplicates {result.duplicates}, "
               f"held through {result.held_through}, pending {result.pending}")
    if result.pending:
        sys.exit(1)


@sync.command("status")
def sync_status() -> None:
    """Pending events, last success, last error."""
    from district.sync import state
    from ewarung.outbox import pending_count

    db = commands.db()
    with db.unit_of_work(write=False) as s:
        pending = pending_count(s)
    st = state(db)
    if st is None:
        click.echo(f"not joined; pending {pending}")
        return
    click.echo(f"district {st.district_url} outlet {st.outlet_code}")
    click.echo(f"pending {pending}, held through {st.held_through}")
    click.echo(f"last success {st.last_success_at.isoformat() if st.last_success_at else '-'}")
    click.echo(f"last error {st.last_error or '-'}")
