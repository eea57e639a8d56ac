"""The printer over the JSON API: status and queue, test page, retry and reprint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apiflask import APIBlueprint
from pydantic import BaseModel, Field

from ewarung.web import db_session, requires
from printer.queue import enqueue_test_page, get_job, queue_overview, reprint_job, retry_job
from printer.setup import printer_setup
from printer.transport import query_status

bp = APIBlueprint("printer_api", __name__, url_prefix="/api/v1", tag="Printer")


class JobOut(BaseModel):
    id: int
    kind: str = Field(description="receipt, test, report or drawer")
    state: str = Field(description="queued, printing, done, failed or dropped")
    title: str
    target: str
    sale_id: int | None
    attempts: int
    last_error: str | None
    reprint_of: int | None
    created_at: datetime
    not_before: datetime
    printed_at: datetime | None
    expires_at: datetime | None


class QueueOut(BaseModel):
    counts: dict[str, int]
    jobs: list[JobOut] = Field(description="the most recent jobs, newest first")


class PrinterOut(BaseModel):
    configured: bool = Field(description="false when EWARUNG_PRINTER is none")
    target: str | None
    transport: str | None = Field(description="network, serial, usb, file or cups")
    profile: str
    columns: int
    paper_mm: int
    online: bool | None = Field(description="null where the transport cannot tell")
    paper: str | None = Field(description="ok, low or out; null where unknown")
    status_error: str | None
    worker_running: bool
    queue: QueueOut


@bp.get("/printer")
@requires("cashier")
@bp.output(PrinterOut)
def status() -> dict[str, Any]:
    """The printer in use, what it says about itself, and the print queue."""
    from flask import current_app

    s = db_session()
    setup = printer_setup(s)
    target = setup.target
    state = query_status(target, setup.paper.name) if target is not None else None
    worker = current_app.extensions.get("printer.worker")
    return {
        "configured": target is not None, "target": target.url if target else None,
        "transport": target.scheme if target else None, "profile": setup.paper.name,
        "columns": setup.paper.columns, "paper_mm": setup.paper.paper_mm,
        "online": state.online if state else None, "paper": state.paper if state else None,
        "status_error": state.error if state else None,
        "worker_running": bool(worker and worker.running),
        "queue": queue_overview(s),
    }


@bp.post("/printer/test")
@requires("admin")
@bp.output(JobOut, status_code=202)
def test_page() -> dict[str, Any]:
    """Print a test page (profile, columns, a QR code)."""
    return enqueue_test_page(db_session()).public()


@bp.get("/printer/jobs/<int:job_id>")
@requires("cashier")
@bp.output(JobOut)
def job(job_id: int) -> dict[str, Any]:
    """One print job."""
    return get_job(db_session(), job_id).public()


@bp.post("/printer/jobs/<int:job_id>/retry")
@requires("cashier")
@bp.output(JobOut, status_code=202)
def retry(job_id: int) -> dict[str, Any]:
    """Queue a failed job again, now."""
    return retry_job(db_session(), job_id).public()


@bp.post("/printer/jobs/<int:job_id>/reprint")
@requires("cashier")
@bp.output(JobOut, status_code=202)
def reprint(job_id: int) -> dict[str, Any]:
    """Print a job again (a receipt prints as a copy: SALINAN)."""
    return reprint_job(db_session(), job_id).public()
