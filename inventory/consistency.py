"""Whether the stock holds together: each batch's balance equals the sum of its movements."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ewarung.errors import N_
from inventory import stock

#: batch ids named in a message
NAMED = 5


def problems(session: Session) -> list[str]:
    """What does not hold together (run on a restored backup and by `ewarung doctor`)."""
    found = [str(row[0]) for row in stock.discrepancies(session)]
    if not found:
        return []
    named = ", ".join(found[:NAMED]) + (", ..." if len(found) > NAMED else "")
    return [N_("%(count)d batch stok yang saldonya tidak sama dengan riwayat geraknya "
               "(batch %(ids)s)") % {"count": len(found), "ids": named}]
