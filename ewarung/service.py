"""The shop computer as an appliance: systemd units that start the shop at boot and back it up.

`ewarung.service` runs `ewarung init` (a no-op unless the software was updated) and then
`ewarung serve`, restarting it on failure; `ewarung-backup.timer` runs
`ewarung-backup.service` every night (`ewarung backup --rotate DIR --keep N`), or at the
next boot when the computer was off at that hour. The EWARUNG_* variables go into an
owner-only file in the data directory, not into the world-readable unit files.
"""

from __future__ import annotations

import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from ewarung.errors import N_, AppError

SERVICE = "ewarung.service"
BACKUP_SERVICE = "ewarung-backup.service"
BACKUP_TIMER = "ewarung-backup.timer"
ENV_FILE = "ewarung.env"
#: what `ewarung serve` and the backup read from the environment
PASSED_ON = ("EWARUNG_DATABASE_URL", "EWARUNG_SECRET_KEY", "EWARUNG_PRINTER",
             "EWARUNG_PRINTER_PROFILE")
HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
USER = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


class UnknownUser(AppError):
    code = "unknown_user"
    template = N_("Pengguna %(user)s tidak ada di komputer ini: buat dulu (`sudo adduser "
                  "%(user)s`) atau pilih pengguna lain dengan --user.")


class UnsafeSetting(AppError):
    code = "unsafe_setting"
    template = N_("%(name)s berisi tanda kutip tunggal atau baris baru: layanan tidak bisa "
                  "membawanya. Ubah nilainya, lalu pasang lagi.")


@dataclass(frozen=True)
class Appliance:
    """How the shop computer runs e-Warung."""

    exe: Path
    data_dir: Path
    user: str
    host: str
    port: int
    backup_dir: Path
    keep: int
    backup_at: str
    database_url: str


def _quoted(value: object) -> str:
    """A word of a list setting: quoted (a space inside stays), % escaped from specifiers."""
    text = str(value).replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _arg(value: object) -> str:
    """One command-line word (ExecStart=): quoted, with $ escaped from variable expansion."""
    return _quoted(value).replace("$", "$$")


def _path(value: Path) -> str:
    """A path setting (WorkingDirectory=, EnvironmentFile=): % escaped, no quotes allowed."""
    return str(value).replace("%", "%%")


def units(a: Appliance) -> dict[str, str]:
    """The unit files by name."""
    after = "network-online.target"
    if a.database_url.startswith("postgresql"):
        after += " postgresql.service"
    common = (f"User={a.user}\nWorkingDirectory={_path(a.data_dir)}\n"
              f"EnvironmentFile={_path(a.data_dir / ENV_FILE)}\n")
    exe = _arg(a.exe)
    return {
        SERVICE: (
            "[Unit]\nDescription=e-Warung POS: kasir toko\n"
            f"Wants=network-online.target\nAfter={after}\n\n"
            f"[Service]\nType=simple\n{common}"
            f"ExecStartPre={exe} init\n"
            f"ExecStart={exe} serve --host {_arg(a.host)} --port {a.port}\n"
            "Restart=on-failure\nRestartSec=5\n"
            # time for the sale in flight to finish and its receipt to be queued
            "TimeoutStopSec=30\n\n"
            "[Install]\nWantedBy=multi-user.target\n"),
        BACKUP_SERVICE: (
            "[Unit]\nDescription=e-Warung POS: cadangan harian\n"
            f"After={after}\nRequiresMountsFor={_quoted(a.backup_dir)}\n\n"
            f"[Service]\nType=oneshot\n{common}"
            f"ExecStart={exe} backup --rotate {_arg(a.backup_dir)} --keep {a.keep}\n"),
        BACKUP_TIMER: (
            f"[Unit]\nDescription=e-Warung POS: cadangan harian pukul {a.backup_at}\n\n"
            f"[Timer]\nOnCalendar=*-*-* {a.backup_at}:00\n"
            # the shop computer is often off at night: then run at the next boot
            "Persistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n"),
    }


def _value(name: str, value: str) -> str:
    # Single quotes keep every character as it is (a password with $ or # in a URL).
    if "'" in value or "\n" in value or "\r" in value:
        raise UnsafeSetting(name=name)
    return f"{name}='{value}'"


def environment(a: Appliance, env: dict[str, str]) -> str:
    """The EnvironmentFile: the data directory and the EWARUNG_* settings given now."""
    lines = [_value("EWARUNG_DATA_DIR", str(a.data_dir))]
    lines += [_value(name, env[name]) for name in PASSED_ON if env.get(name)]
    return "\n".join(lines) + "\n"


def _hand_over(a: Appliance, account: pwd.struct_passwd) -> None:
    """Installed by root for another account: the data becomes the account's.

    Run with sudo, the data directory, its key and its logs may have just been made by
    root, and the service (running as `account`) could not read its own key.
    """
    if os.geteuid() != 0 or account.pw_uid == 0:
        return
    paths = [a.data_dir]
    for root, dirs, files in os.walk(a.data_dir):
        paths += [Path(root) / name for name in (*dirs, *files)]
    url = make_url(a.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        db_file = Path(url.database).resolve()
        paths += [f for f in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"))
                  if f.exists()]
    for path in paths:
        os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)


def install(a: Appliance, directory: Path, env: dict[str, str]) -> list[Path]:
    """Write the units into `directory` and the environment file into the data directory."""
    try:
        account = pwd.getpwnam(a.user)
    except KeyError:
        raise UnknownUser(user=a.user) from None
    settings = environment(a, env)  # refused before anything is written
    directory.mkdir(parents=True, exist_ok=True)
    if a.backup_dir.is_relative_to(a.data_dir):
        a.backup_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in units(a).items():
        path = directory / name
        path.write_text(body, encoding="utf-8")
        written.append(path)
    env_path = a.data_dir / ENV_FILE
    fd = os.open(env_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(settings)
    os.chmod(env_path, 0o600)  # an older file may have been readable by others
    written.append(env_path)
    _hand_over(a, account)
    return written
