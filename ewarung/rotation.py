"""Dated, verified backups in one directory (a USB disk), keeping the newest N."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ewarung.backup import verify_file, write_backup
from ewarung.db import Database, utcnow
from ewarung.installation import record_backup
from ewarung.shop import shop_timezone

#: ewarung-20261202-213000.ewbackup, or -2, -3 ... for a second one in the same second
DATED = re.compile(r"ewarung-(\d{8}-\d{6})(?:-(\d+))?\.ewbackup")


@dataclass
class Rotated:
    """What one rotation did."""

    path: Path
    rows: int
    removed: list[Path] = field(default_factory=list)


def _sort_key(path: Path) -> tuple[str, int]:
    found = DATED.fullmatch(path.name)
    assert found is not None
    return found[1], int(found[2] or 1)


def dated_backups(directory: Path) -> list[Path]:
    """Our dated backups in `directory`, oldest first (other files are never touched)."""
    return sorted((p for p in directory.iterdir() if DATED.fullmatch(p.name) and p.is_file()),
                  key=_sort_key)


def _new_path(directory: Path, local: datetime) -> Path:
    """A name after every backup of the same second already there: a name freed by an
    earlier rotation is never taken again, or the newest backup would sort as the oldest."""
    stem = f"ewarung-{local:%Y%m%d-%H%M%S}"
    taken = [int(m[2] or 1) for p in directory.iterdir()
             if (m := DATED.fullmatch(p.name.removesuffix(".partial"))) and m[1] == stem[8:]]
    n = max(taken, default=0) + 1
    return directory / (f"{stem}.ewbackup" if n == 1 else f"{stem}-{n}.ewbackup")


def rotate(db: Database, directory: Path, keep: int, secret_key: str,
           now: datetime | None = None) -> Rotated:
    """Write a dated backup into `directory`, check it, then delete all but the newest `keep`.

    Older backups are deleted only after the new one verified, so a failed night never
    leaves the disk with fewer good backups than the night before.
    """
    now = now or utcnow()
    with db.unit_of_work(write=False) as session:
        local = now.astimezone(shop_timezone(session))
    directory.mkdir(parents=True, exist_ok=True)
    path = _new_path(directory, local)
    try:
        counts = write_backup(db, path, secret_key)
        verify_file(path, secret_key)
    except BaseException:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".partial").unlink(missing_ok=True)
        raise
    with db.unit_of_work() as session:
        record_backup(session, secret_key, str(path), now)
    kept = dated_backups(directory)
    removed = kept[:-keep]
    for old in removed:
        old.unlink()
    return Rotated(path, sum(counts.values()), removed)
