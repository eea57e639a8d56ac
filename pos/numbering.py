"""Sale numbers: `EW-20261126-0042`, sequential per outlet and local business day.

The outlet's `code` comes first, then the shop's local date (setting `shop.timezone`), then
the day's sequence. The sequence comes from the day's counter row, taken inside the sale's
own transaction in one statement (an upsert returning the new value): a refused sale rolls
its increment back with everything else, so the numbers of a day have no gaps and a number
is never given twice. On PostgreSQL the statement keeps the day's row locked until the sale
commits, so a shop's sales pass it one at a time; it is therefore the last lock a sale takes,
just before commit, which also keeps the lock order fixed (see `pos.sales`).
"""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Date, Table, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pos.models import SaleCounter

DEFAULT_CODE = "EW"

_counters = cast(Table, SaleCounter.__table__)


def format_number(code: str, day: date, sequence: int) -> str:
    """EW-YYYYMMDD-NNNN (more digits after the 9,999th sale of a day)."""
    return f"{code or DEFAULT_CODE}-{day:%Y%m%d}-{sequence:04d}"


#: per dialect: count the day up by one, creating its row on the first sale
_NEXT = {name: insert_(_counters).values(business_day=bindparam("day", type_=Date()), last=1)
         .on_conflict_do_update(index_elements=[_counters.c.business_day],
                                set_={"last": _counters.c.last + 1})
         .returning(_counters.c.last)
         for name, insert_ in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


def next_sequence(session: Session, day: date) -> int:
    """The next sequence number of `day`, counted in the caller's transaction."""
    stmt = _NEXT[session.get_bind().dialect.name]
    return int(session.execute(stmt, {"day": day}).scalar_one())
