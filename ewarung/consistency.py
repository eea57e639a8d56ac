"""The shop's data holds together: each domain's checks, run on a restore and by the doctor."""

from __future__ import annotations

from sqlalchemy.orm import Session


def problems(session: Session) -> list[str]:
    """Every domain's faults in the data of `session`'s database (none: it holds together)."""
    from ewarung.domains import DOMAINS

    return [found for domain in DOMAINS if domain.problems is not None
            for found in domain.problems(session)]
