"""`ewarung kpm ...`: import beneficiary lists and credit entitlements from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aid.ledger import MAX_ENTITLEMENT, credit_period
from ewarung import commands
from ewarung.clock import month_text
from ewarung.errors import AppError
from ewarung.fields import ClickParsed, money


def register(cli: click.Group) -> None:
    """Add the `kpm` commands to the `ewarung` command line."""
    cli.add_command(kpm)


@click.group()
def kpm() -> None:
    """Beneficiaries (KPM) and their BPNT entitlements."""


@kpm.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(file: Path) -> None:
    """Import KPM from a CSV or XLSX FILE; re-imports update by NIK."""
    from aid.beneficiaries import import_beneficiaries
    from aid.cards import derive_card_key
    from aid.kpm_file import parse_file
    from aid.settings import bpnt_settings
    from ewarung.tabular import read_upload

    app = commands.app()
    # under another key every card would look new and the real ones replaced
    commands.check_key()
    key = derive_card_key(app.config["SECRET_KEY"])
    try:
        with app.app_context(), commands.db().unit_of_work() as session:
            with file.open("rb") as stream:
                data = read_upload(stream)
            plan = parse_file(data, luhn_check=bpnt_settings(session).luhn_check)
            with click.progressbar(length=len(plan.rows), label="Mengimpor KPM",
                                   show_pos=True, file=sys.stderr) as bar:
                result = import_beneficiaries(session, key, plan, progress=bar.update)
    except AppError as exc:
        commands.fail(exc)
        return
    click.echo(f"Impor selesai: {result.imported} baru, {result.updated} diperbarui, "
               f"{result.unchanged} tidak berubah, {len(result.rejected)} ditolak.")
    for r in result.rejected:
        click.echo(f"  baris {r.row}: {r.code}: {r.message()}")


@kpm.command("credit")
@click.argument("period", type=ClickParsed(month_text, "period"))
@click.argument("amount", type=ClickParsed(
    money(low=1, high=MAX_ENTITLEMENT).parse, "amount"))
def credit(period: str, amount: int) -> None:
    """Credit AMOUNT Rupiah for PERIOD (YYYY-MM) to every active KPM not yet credited."""
    try:
        with commands.app().app_context(), commands.db().unit_of_work() as session:
            credited, skipped = credit_period(session, period, amount)
    except AppError as exc:
        commands.fail(exc)
        return
    click.echo(f"Hak {period} dikreditkan ke {credited} KPM ({skipped} sudah menerima).")
