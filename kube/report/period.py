"""The month a report covers: its local days and the UTC instants that bound them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from ewarung.clock import day_start_utc, month_label, next_month, parse_month
from ewarung.shop import shop_timezone


@dataclass(frozen=True)
class Period:
    """One calendar month in the shop's time zone."""

    #: the first local day of the month
    first: date
    #: the first local day of the next month
    after: date
    tz: ZoneInfo

    @property
    def label(self) -> str:
        """YYYY-MM."""
        return month_label(self.first)

    @property
    def last(self) -> date:
        """The last local day of the month."""
        return self.after - timedelta(days=1)

    @property
    def start(self) -> datetime:
        """The UTC instant the month begins."""
        return day_start_utc(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The UTC instant the next month begins."""
        return day_start_utc(self.after, self.tz)

    def days(self) -> list[date]:
        """Every local day of the month."""
        return [self.first + timedelta(days=n) for n in range((self.after - self.first).days)]

    def local_day(self, moment: datetime) -> date:
        """The shop's local date of a UTC moment."""
        return moment.astimezone(self.tz).date()


def period_of(session: Session, month: str) -> Period:
    """The period of `month` (YYYY-MM); refused with `validation_error` on the field `month`."""
    first = parse_month(month)
    return Period(first, next_month(first), shop_timezone(session))
