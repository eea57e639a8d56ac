"""`ewarung backup|restore|key|doctor|service`: keeping the shop's data safe on its computer."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click

from ewarung.config import Config
from ewarung.errors import AppError
from ewarung.fields import ClickParsed, whole


def register(cli: click.Group) -> None:
    """Add the maintenance commands to the `ewarung` command line."""
    for command in (backup, restore, key, doctor, service):
        cli.add_command(command)


def _config() -> Config:
    from ewarung import commands

    config: Config = commands.app().extensions["ewarung.config"]
    return config


def _os_failure(exc: OSError) -> NoReturn:
    click.echo(click.style(f"Tidak bisa menulis atau membaca {exc.filename or ''}: "
                           f"{exc.strerror or exc}", fg="red"), err=True)
    sys.exit(1)


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rotate", "rotate_dir", metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="write a dated backup into DIR (e.g. a USB disk) instead of FILE")
@click.option("--keep", type=ClickParsed(whole(1, 10_000).parse, "keep"), default=None,
              help="with --rotate: how many dated backups to keep  [default: 7]")
def backup(file: Path | None, rotate_dir: Path | None, keep: int | None) -> None:
    """Write a consistent, signed, verified copy of all data to FILE (or into --rotate DIR)."""
    from ewarung import commands
    from ewarung.backup import verify_file, write_backup
    from ewarung.db import utcnow
    from ewarung.installation import record_backup
    from ewarung.rotation import rotate

    if (file is None) == (rotate_dir is None):
        raise click.UsageError("Give FILE or --rotate DIR (one of them).")
    if keep is not None and rotate_dir is None:
        raise click.UsageError("--keep goes with --rotate DIR.")
    commands.check_key()
    secret, db = _config().secret_key, commands.db()
    try:
        if rotate_dir is not None:
            done = rotate(db, rotate_dir, keep or 7, secret)
            click.echo(f"Backup written and verified: {done.path} ({done.rows} rows).")
            for old in done.removed:
                click.echo(f"Removed an older backup: {old}")
            return
        assert file is not None
        counts = write_backup(db, file, secret)
        verify_file(file, secret)
        with db.unit_of_work() as session:
            record_backup(session, secret, str(file.resolve()), utcnow())
    except AppError as exc:
        commands.fail(exc)
    except OSError as exc:
        _os_failure(exc)
    click.echo(f"Backup written to {file}: {sum(counts.values())} rows in {len(counts)} tables.")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(file: Path) -> None:
    """Restore FILE into an empty database (SQLite or PostgreSQL), under the key that made it."""
    from ewarung import commands
    from ewarung.backup import restore_backup

    try:
        counts = restore_backup(commands.db(), file, _config().secret_key)
    except AppError as exc:
        commands.fail(exc)
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {file}.")


ADOPT_COSTS = """\
Kunci rahasia yang dipakai sekarang akan menjadi kunci data toko ini. Akibatnya:
  - kartu KKS yang sudah terdaftar tidak dikenali lagi: impor ulang daftar KPM
    (`ewarung kpm import`); setiap kartu akan tercatat sebagai kartu pengganti;
    sisa hak BPNT tiap KPM tetap;
  - kode QR pada struk yang sudah dicetak tidak bisa diperiksa lagi di /r/;
  - cadangan yang dibuat dengan kunci lama tidak bisa dipulihkan dengan kunci ini;
  - semua pengguna harus masuk lagi.
Lakukan ini hanya jika kunci asli benar-benar hilang."""


@click.group()
def key() -> None:
    """The secret key the shop's data is keyed with."""


@key.command("adopt")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def key_adopt(yes: bool) -> None:
    """Key the data with the secret key in use now (when the original key is lost)."""
    from ewarung import commands
    from ewarung.installation import (
        adopt_secret_key,
        has_installation_table,
        key_fingerprint,
        short,
    )

    with commands.db().unit_of_work(write=False) as session:
        if not has_installation_table(session):
            raise click.ClickException("The database is not up to date: run `ewarung init`.")
    click.echo(ADOPT_COSTS)
    if not yes:
        click.confirm("Lanjutkan?", default=False, abort=True)
    secret = _config().secret_key
    with commands.db().unit_of_work() as session:
        previous = adopt_secret_key(session, secret)
    click.echo(f"Kunci rahasia bersidik {short(key_fingerprint(secret))} sekarang dipakai "
               f"(sebelumnya: {short(previous) if previous else 'belum ada'}).")


@click.command()
@click.option("--min-free-mb", type=ClickParsed(whole(0, 10**9).parse, "min-free-mb"),
              default=1024, show_default=True,
              help="free disk space below this is a problem")
@click.option("--max-backup-age", type=ClickParsed(whole(1, 10**6).parse, "max-backup-age"),
              default=36, show_default=True,
              metavar="HOURS", help="a newest backup older than this is a problem")
def doctor(min_free_mb: int, max_backup_age: int) -> None:
    """Check the database, disk space, backups, secret key, printer and clock."""
    from ewarung import commands
    from ewarung.db import utcnow
    from ewarung.doctor import Limits, examine

    limits = Limits(min_free_mb, timedelta(hours=max_backup_age))
    checkup = examine(commands.db(), _config(), limits, utcnow())
    if not checkup.problems:
        click.echo("Semua baik: " + ", ".join(checkup.fine) + ".")
        return
    click.echo(f"Ada {len(checkup.problems)} hal yang perlu diperbaiki:")
    for n, problem in enumerate(checkup.problems, 1):
        click.echo(f"  {n}. {problem}")
    sys.exit(1)


@click.group()
def service() -> None:
    """Run the shop as a system service (systemd)."""


@service.command("install")
@click.option("--dir", "unit_dir", default="/etc/systemd/system", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="where the units go")
@click.option("--user", default=None, help="the account the shop runs as  [default: you]")
@click.option("--host", default="0.0.0.0", show_default=True, help="where the shop listens")
@click.option("--port", default=8000, show_default=True,
              type=ClickParsed(whole(1, 65535).parse, "port"))
@click.option("--backup-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="the nightly backups' folder, best on a USB disk  [default: DATA_DIR/backups]")
@click.option("--keep", type=ClickParsed(whole(1, 10_000).parse, "keep"), default=14,
              show_default=True,
              help="how many nightly backups to keep")
@click.option("--backup-at", default="21:00", show_default=True, metavar="HH:MM",
              help="when the nightly backup runs (or at the next boot, when the computer is off)")
@click.option("--enable/--no-enable", default=True, show_default=True,
              help="run systemctl to enable and start the service and the timer")
def service_install(unit_dir: Path, user: str | None, host: str, port: int,
                    backup_dir: Path | None, keep: int, backup_at: str, enable: bool) -> None:
    """Start the shop at boot, restart it on failure, and back it up every night."""
    from ewarung import commands
    from ewarung.service import BACKUP_TIMER, HHMM, SERVICE, USER, Appliance, install

    config = _config()
    user = user or os.environ.get("SUDO_USER") or getpass.getuser()
    if not USER.fullmatch(user):
        raise click.BadParameter(f"not a user name: {user!r}", param_hint="--user")
    if not HHMM.fullmatch(backup_at):
        raise click.BadParameter("use HH:MM, e.g. 21:00", param_hint="--backup-at")
    appliance = Appliance(
        exe=Path(sys.executable).with_name("ewarung"), data_dir=config.data_dir, user=user,
        host=host, port=port, backup_dir=(backup_dir or config.data_dir / "backups").resolve(),
        keep=keep, backup_at=backup_at, database_url=config.database_url)
    try:
        written = install(appliance, unit_dir, _service_env(config))
    except AppError as exc:
        commands.fail(exc)
    except OSError as exc:
        _os_failure(exc)
    for path in written:
        click.echo(f"Written: {path}")
    if backup_dir is None:
        click.echo("Tip: back up onto a USB disk with --backup-dir (a disk that fails takes "
                   "its own backups with it).")
    systemctl = [["systemctl", "daemon-reload"],
                 ["systemctl", "enable", "--now", SERVICE, BACKUP_TIMER]]
    if not enable:
        click.echo("To start now and at every boot: "
                   + " && ".join(" ".join(c) for c in systemctl))
        return
    for command in systemctl:
        if subprocess.run(command, check=False).returncode != 0:
            click.echo(f"`{' '.join(command)}` failed (run as root, e.g. with sudo).", err=True)
            sys.exit(1)
    click.echo(f"The shop starts at boot and now listens on port {port}.")


def _service_env(config: Config) -> dict[str, str]:
    """The settings the service needs to find the same database with the same key."""
    env = {"EWARUNG_DATABASE_URL": config.database_url}
    if config.secret_key_source == "EWARUNG_SECRET_KEY":
        env["EWARUNG_SECRET_KEY"] = config.secret_key
    if config.printer != "none":
        env["EWARUNG_PRINTER"] = config.printer
        env["EWARUNG_PRINTER_PROFILE"] = config.printer_profile
    return env
