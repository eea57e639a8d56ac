"""Closing a month: the report is signed off and kept as it was, files and all.

`close_month` refuses a month that has not ended (`month_not_ended`) or is already closed
(`month_closed`). It stores the report's data and its files (PDF, XLSX, CSV and the
standalone HTML), rendered once by the caller, so every later answer for the month is the
same bytes: a PDF made again would carry another creation time. `report_of` answers a
closed month from the snapshot and any other month from the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ewarung.auth.models import User
from ewarung.clock import shop_today
from ewarung.db import utcnow
from ewarung.errors import N_, AppError
from ewarung.outbox import record_event
from kube.models import ClosedMonth
from kube.report import monthly_report
from kube.report.period import period_of

#: the stored files: format → (media type, column)
FILE_FORMATS = ("pdf", "xlsx", "csv", "html")
Render = Callable[[dict[str, Any]], dict[str, bytes]]


class MonthClosed(AppError):
    code = "month_closed"
    status = 409
    template = N_("Bulan %(month)s sudah ditutup; laporannya tidak berubah lagi.")


class MonthNotEnded(AppError):
    code = "month_not_ended"
    status = 409
    template = N_("Bulan %(month)s belum berakhir; bulan hanya dapat ditutup setelah hari "
                  "terakhirnya.")


def closed_month(session: Session, month: str) -> ClosedMonth | None:
    """The closing of `month`, if it was closed."""
    return session.scalar(select(ClosedMonth).where(ClosedMonth.month == month))


def closing_json(row: ClosedMonth, username: str | None) -> dict[str, Any]:
    """Who closed the month, when, and the names that signed it."""
    return {"month": row.month, "closed_at": row.closed_at.isoformat(),
            "closed_by": username, "ketua": row.ketua, "bendahara": row.bendahara}


def report_of(session: Session, month: str) -> dict[str, Any]:
    """The report of `month`: the stored snapshot of a closed month, else made from the data."""
    period = period_of(session, month)
    row = closed_month(session, period.label)
    if row is not None:
        data: dict[str, Any] = json.loads(row.data)
        return data
    return monthly_report(session, period.label)


def stored_file(session: Session, month: str, fmt: str) -> bytes | None:
    """The file `fmt` of a closed month as it was made when closing, or None when open."""
    row = closed_month(session, period_of(session, month).label)
    return None if row is None else bytes(getattr(row, fmt))


def close_month(session: Session, month: str, *, ketua: str, bendahara: str,
                user_id: int | None, render: Render) -> ClosedMonth:
    """Close `month`: sign its report with the two names and store it with its files."""
    return store_closing(session, prepare_closing(session, month, ketua=ketua,
                                                  bendahara=bendahara, user_id=user_id,
                                                  render=render))


def prepare_closing(session: Session, month: str, *, ketua: str, bendahara: str,
                    user_id: int | None, render: Render) -> ClosedMonth:
    """The closing of `month`, not yet stored: its signed report and files (reads only, so a
    web request makes it before its write transaction; rendering the PDF takes a while)."""
    period = period_of(session, month)
    if shop_today(session) < period.after:
        raise MonthNotEnded(month=period.label)
    if closed_month(session, period.label) is not None:
        raise MonthClosed(month=period.label)
    report = monthly_report(session, period.label)
    closed_at = utcnow()
    user = session.get(User, user_id) if user_id is not None else None
    report["sign_off"] |= {"ketua": ketua, "bendahara": bendahara}
    row = ClosedMonth(month=period.label, closed_at=closed_at, closed_by=user_id,
                      ketua=ketua, bendahara=bendahara)
    report["closed"] = closing_json(row, user.username if user else None)
    files = render(report)
    row.data = json.dumps(report, ensure_ascii=False)
    for fmt in FILE_FORMATS:
        setattr(row, fmt, files[fmt])
    return row


def store_closing(session: Session, row: ClosedMonth) -> ClosedMonth:
    """Store a prepared closing; refused when the month was closed in the meantime."""
    if closed_month(session, row.month) is not None:
        raise MonthClosed(month=row.month)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # closed at the same moment by another request
        raise MonthClosed(month=row.month) from None
    # The closed report as signed: the district takes a closed month as the outlet closed it.
    record_event(session, "report.month_closed", {"month": row.month,
                                                   "report": json.loads(row.data)})
    return row
