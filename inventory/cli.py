"""`ewarung product import|export`: the catalogue as CSV from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ewarung.errors import AppError


def register(cli: click.Group) -> None:
    """Add the stock commands to the `ewarung` command line."""
    cli.add_command(product)


@click.group()
def product() -> None:
    """The product catalogue."""


@product.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_products(file: Path) -> None:
    """Write every product to FILE (CSV, semicolons, UTF-8 with BOM: opens in Excel)."""
    from ewarung import commands
    from inventory.csvio import export_products as export

    with commands.db().unit_of_work(write=False) as session:
        text = export(session)
    file.write_text("\ufeff" + text, encoding="utf-8", newline="")
    click.echo(f"{text.count(chr(10)) - 1} products written to {file}.")


@product.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_products(file: Path) -> None:
    """Add or update products from FILE (CSV); refused rows are listed, the rest are saved."""
    from ewarung import commands
    from ewarung.tabular import read_upload
    from inventory.csvio import import_products as load

    try:
        with commands.db().unit_of_work() as session, file.open("rb") as stream:
            result = load(session, read_upload(stream))
    except AppError as exc:
        click.echo(click.style(exc.message(), fg="red"), err=True)
        sys.exit(1)
    click.echo(f"{result.imported} added, {result.updated} updated, "
               f"{len(result.rejected)} rows refused.")
    for row in result.rejected:
        click.echo(f"  row {row['row']}: {row['message']}", err=True)
