"""The shop's data holds together: each domain's checks, run on a restore and by the doctor."""

from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

#: modules with a `problems(session) -> list[str]` function (Indonesian sentences)
CHECK_MODULES: tuple[str, ...] = ("pos.consistency", "inventory.consistency")


def problems(session: Session) -> list[str]:
    """Every domain's faults in the data of `session`'s database (none: it holds together)."""
    return [found for name in CHECK_MODULES
            for found in importlib.import_module(name).problems(session)]
