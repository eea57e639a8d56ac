"""The print queue: one row per thing to print, written in the transaction that caused it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ewarung.db import Base, JsonDoc, UtcDateTime, utcnow

KINDS = ("receipt", "test", "report", "drawer")
STATES = ("queued", "printing", "done", "failed", "dropped")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PrintJob(Base):
    """Rendered ESC/POS bytes waiting for, or sent to, a printer."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("attempts >= 0", name="attempts"),
        #: the worker's question: which queued job is due next
        Index("ix_print_jobs_state_not_before", "state", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: receipt, test (page), report (shift or monthly) or drawer (kick)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    #: the printer URL at the time of queueing (network://…, serial://…)
    target: Mapped[str] = mapped_column(String(300))
    #: the python-escpos profile the bytes were rendered for
    profile: Mapped[str] = mapped_column(String(40))
    #: what the queue shows, e.g. "Struk EW-20261126-0042"
    title: Mapped[str] = mapped_column(String(200), default="")
    #: the rendered bytes, sent as they are on every attempt. Receipts are rendered by the
    #: worker before their first attempt (NULL until then), so the sale's transaction never
    #: waits for a QR code to be drawn.
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: the receipt as data (printer.receipt.receipt_to_dict), to render it, a copy or a preview
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    #: the profile's font ("a" or "b") the receipt is laid out for
    font: Mapped[str] = mapped_column(String(1), default="a")
    #: the sale printed (no foreign key until sales exist)
    sale_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: the job this one prints again
    reprint_of: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: not tried again before this moment (backoff after a failure)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: after this moment the job is dropped unsent (drawer kicks must never fire late)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    printed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    def public(self) -> dict[str, Any]:
        """The fields the API shows (not the bytes)."""
        return {"id": self.id, "kind": self.kind, "state": self.state, "title": self.title,
                "target": self.target, "sale_id": self.sale_id, "attempts": self.attempts,
                "last_error": self.last_error, "reprint_of": self.reprint_of,
                "created_at": self.created_at, "not_before": self.not_before,
                "printed_at": self.printed_at, "expires_at": self.expires_at}
