"""`ewarung report monthly YYYY-MM --format html|pdf|xlsx|csv|json -o FILE`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy.orm import Session

from ewarung.errors import AppError

FORMATS = ("html", "pdf", "xlsx", "csv", "json")


def register(cli: click.Group) -> None:
    """Add the report commands to the `ewarung` command line."""
    cli.add_command(report)


@click.group()
def report() -> None:
    """Reports of the KUBE."""


@report.command("monthly")
@click.argument("month")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="pdf", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the file to write")
def monthly(month: str, fmt: str, output: Path) -> None:
    """Write the monthly KUBE report of MONTH (YYYY-MM) to a file."""
    from ewarung import commands

    try:
        with commands.app().test_request_context(), \
                commands.db().unit_of_work(write=False) as session:
            data = render(month, fmt, session)
    except AppError as exc:
        click.echo(click.style(exc.message(), fg="red"), err=True)
        sys.exit(1)
    output.write_bytes(data)
    click.echo(f"Monthly report {month} written to {output} ({fmt}, {len(data)} bytes).")


def render(month: str, fmt: str, session: Session) -> bytes:
    """The report of `month` in `fmt`, in Indonesian (needs an app and request context)."""
    from kube.report.closing import report_of, stored_file
    from kube.report.files import write_csv, write_xlsx
    from kube.report.pdf import write_pdf
    from kube.report.views import report_document

    if fmt != "json" and (stored := stored_file(session, month, fmt)) is not None:
        return stored  # a closed month: the files kept when it was closed
    data = report_of(session, month)
    if fmt == "html":
        return report_document(data).encode("utf-8")
    if fmt == "pdf":
        return write_pdf(data)
    if fmt == "xlsx":
        return write_xlsx(data)
    if fmt == "csv":
        return write_csv(data)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
