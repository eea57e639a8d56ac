"""One examination of the shop computer by `ewarung doctor`: what it looks at and what it
found. The shell's checks (`ewarung.doctor`) and each domain's (its face's `doctor`) add to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ewarung.config import Config
from ewarung.db import Database


@dataclass(frozen=True)
class Limits:
    """What counts as enough."""

    min_free_mb: int = 1024
    max_backup_age: timedelta = timedelta(hours=36)


@dataclass
class Checkup:
    """One examination of the shop computer."""

    db: Database
    config: Config
    limits: Limits
    now: datetime
    problems: list[str] = field(default_factory=list)
    fine: list[str] = field(default_factory=list)
