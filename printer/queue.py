"""Queueing print jobs in the caller's transaction; the worker prints them after the commit.

A sale calls `enqueue_receipt` inside its own unit of work: the job commits (or rolls
back) with the sale, and only a committed job wakes the worker. Nothing here touches the
printer, so a printer that is off, unplugged or out of paper never holds up a sale.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.db import get_or_404, on_commit, utcnow
from ewarung.errors import N_, AppError, Conflict
from printer.layout import ReportLine
from printer.models import PrintJob
from printer.receipt import Receipt, receipt_from_dict, receipt_to_dict
from printer.render import (
    paper_profile,
    render_drawer_kick,
    render_layout,
    render_lines,
    render_receipt,
)
from printer.setup import ARCHIVE_LABEL, PrinterSetup, printer_setup
from printer.transport import Target

#: a drawer kick that waited longer than this is dropped: a drawer opening late is a risk
DRAWER_KICK_LIMIT = timedelta(seconds=5)


class PrinterNotConfigured(AppError):
    code = "printer_not_configured"
    status = 409
    # said to cashiers too: where the printer is configured is the admin's business
    template = N_("Belum ada printer yang diatur. Minta admin mengaturnya di halaman Printer.")


class JobNotRetryable(Conflict):
    code = "print_job_not_retryable"
    template = N_("Pekerjaan cetak ini tidak bisa diulang.")


# Workers register here so a commit can wake the one serving its database.
_wakers: dict[int, list[Callable[[], None]]] = {}
_wakers_lock = threading.Lock()


def register_waker(engine: Any, wake: Callable[[], None]) -> None:
    """Call `wake` after every commit that queued a job on `engine`."""
    with _wakers_lock:
        _wakers.setdefault(id(engine), []).append(wake)


def unregister_waker(engine: Any, wake: Callable[[], None]) -> None:
    """Undo `register_waker`."""
    with _wakers_lock:
        found = _wakers.get(id(engine), [])
        if wake in found:
            found.remove(wake)


def _wake_workers(engine: Any) -> None:
    with _wakers_lock:
        wakers = list(_wakers.get(id(engine), []))
    for wake in wakers:
        wake()


def enqueue(session: Session, kind: str, data: bytes | None, *, target: Target, profile: str,
            title: str = "", payload: dict[str, Any] | None = None, font: str = "a",
            sale_id: int | None = None, reprint_of: int | None = None,
            expires_at: datetime | None = None) -> PrintJob:
    """Add a job in the caller's transaction; the worker is woken once it commits.

    `data` None (receipts only): the worker renders `payload` before the first attempt.
    """
    if data is None and (kind != "receipt" or payload is None):
        raise ValueError("only receipts with a payload may be queued unrendered")
    job = PrintJob(kind=kind, state="queued", target=target.url, profile=profile,
                   title=title[:200], data=data, payload=payload, font=font, sale_id=sale_id,
                   reprint_of=reprint_of, attempts=0, not_before=utcnow(),
                   expires_at=expires_at)
    session.add(job)
    session.flush()
    enqueue_wake(session)
    return job


def _setup(session: Session, setup: PrinterSetup | None) -> PrinterSetup:
    return setup or printer_setup(session)


def enqueue_receipt(session: Session, receipt: Receipt, *, sale_id: int | None = None,
                    setup: PrinterSetup | None = None) -> PrintJob | None:
    """Queue a sale's receipt (and the drawer kick, and the archive copy, as set up).

    Returns the customer's receipt job; None when printing is off.
    """
    setup = _setup(session, setup)
    target = setup.target
    if target is None:
        return None
    paper = setup.paper
    is_new_sale = not receipt.copy and not receipt.voided
    if is_new_sale and setup.cash_drawer and any(t.kind == "cash" for t in receipt.tenders):
        # Queued first: the cashier needs the drawer open while the receipt prints.
        enqueue(session, "drawer", render_drawer_kick(paper), target=target,
                profile=paper.name, title=f"Laci uang {receipt.sale_number}", sale_id=sale_id,
                expires_at=utcnow() + DRAWER_KICK_LIMIT)
    job = _enqueue_receipt_copy(session, receipt, target, setup, sale_id)
    if is_new_sale and setup.archive_copy and any(t.kind == "bpnt" for t in receipt.tenders):
        _enqueue_receipt_copy(session, replace(receipt, copy_label=ARCHIVE_LABEL), target,
                              setup, sale_id)
    return job


def _enqueue_receipt_copy(session: Session, receipt: Receipt, target: Target,
                          setup: PrinterSetup, sale_id: int | None,
                          reprint_of: int | None = None) -> PrintJob:
    # Rendered by the worker after the commit: drawing a QR code takes milliseconds that
    # the sale's write transaction should not spend.
    return enqueue(session, "receipt", None, target=target, profile=setup.paper.name,
                   font=setup.paper.font, title=f"Struk {receipt.sale_number}",
                   payload=receipt_to_dict(receipt), sale_id=sale_id, reprint_of=reprint_of)


def render_job(job: PrintJob) -> bytes:
    """The bytes of a job: as stored, or its receipt rendered for the job's profile."""
    if job.data is not None:
        return job.data
    if job.payload is None:
        raise ValueError(f"print job {job.id} has neither bytes nor a receipt")
    return render_receipt(receipt_from_dict(job.payload), paper_profile(job.profile, job.font))


def enqueue_report(session: Session, title: str, lines: Sequence[ReportLine], *,
                   setup: PrinterSetup | None = None) -> PrintJob | None:
    """Queue a report (X/Z shift report, monthly summary); None when printing is off."""
    setup = _setup(session, setup)
    if setup.target is None:
        return None
    return enqueue(session, "report", render_lines(title, lines, setup.paper),
                   target=setup.target, profile=setup.paper.name, title=title)


def enqueue_test_page(session: Session, *, setup: PrinterSetup | None = None) -> PrintJob:
    """Queue a test page showing the profile, columns and a QR code."""
    from printer.layout import layout_report

    setup = _setup(session, setup)
    if setup.target is None:
        raise PrinterNotConfigured()
    paper = setup.paper
    ruler = "".join(str(i % 10) for i in range(1, paper.columns + 1))
    lines: list[ReportLine] = [
        ("Printer", setup.url), ("Profil", paper.name), ("Kolom", str(paper.columns)),
        ("Kertas", f"{paper.paper_mm} mm"), ruler, "Rp1.234.567 - 1,5 kg x Rp13.000",
        "Jika kode QR di bawah terbaca, printer siap dipakai."]
    layout = replace(layout_report("HALAMAN UJI PRINTER", lines, paper.columns),
                     qr=f"ewarung-test:{paper.name}")
    job = enqueue(session, "test", render_layout(layout, paper), target=setup.target,
                  profile=paper.name, title="Halaman uji")
    audit.record(session, "printer.test", entity="print_job", entity_id=job.id)
    return job


def get_job(session: Session, job_id: int) -> PrintJob:
    """A job by id, or not_found."""
    job = get_or_404(session, PrintJob, job_id)
    return job


def reprint_job(session: Session, job_id: int, *,
                setup: PrinterSetup | None = None) -> PrintJob:
    """Print a job again; a receipt is laid out anew as a copy (SALINAN) for today's printer."""
    job = get_job(session, job_id)
    if job.kind == "drawer":
        raise JobNotRetryable()
    setup = _setup(session, setup)
    if setup.target is None:
        raise PrinterNotConfigured()
    if job.kind == "receipt" and job.payload:
        receipt = replace(receipt_from_dict(job.payload), copy=True)
        copy = _enqueue_receipt_copy(session, receipt, setup.target, setup, job.sale_id,
                                     reprint_of=job.id)
    else:
        copy = enqueue(session, job.kind, render_job(job), target=setup.target,
                       profile=job.profile, font=job.font, title=job.title,
                       sale_id=job.sale_id, reprint_of=job.id)
    audit.record(session, "printer.reprint", entity="print_job", entity_id=job.id,
                 after={"job": copy.id})
    return copy


def retry_job(session: Session, job_id: int, *, setup: PrinterSetup | None = None) -> PrintJob:
    """Queue a failed job again, now, to the printer in force (it may have been fixed)."""
    job = get_job(session, job_id)
    if job.state != "failed":
        raise JobNotRetryable()
    setup = _setup(session, setup)
    if setup.target is None:
        raise PrinterNotConfigured()
    job.state, job.attempts, job.not_before = "queued", 0, utcnow()
    job.target = setup.target.url
    session.flush()
    enqueue_wake(session)
    return job


def enqueue_wake(session: Session) -> None:
    """Wake the worker after this transaction commits (a job was changed, not added)."""
    engine = session.get_bind()
    on_commit(session, lambda: _wake_workers(engine))


def queue_overview(session: Session, limit: int = 20) -> dict[str, Any]:
    """Counts of jobs by state and the most recent jobs."""
    rows = session.execute(select(PrintJob.state, func.count()).group_by(PrintJob.state))
    counts = {state: n for state, n in rows}
    recent = session.scalars(select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)).all()
    return {"counts": {state: counts.get(state, 0) for state in
                       ("queued", "printing", "done", "failed", "dropped")},
            "jobs": [job.public() for job in recent]}
