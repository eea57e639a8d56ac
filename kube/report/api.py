"""The monthly KUBE report over the JSON API: the data, its files, and the printed summary."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import Response
from flask_babel import gettext
from pydantic import BaseModel, Field

from ewarung.errors import N_, NotFound
from ewarung.web import (
    db_session,
    file_answer,
    file_responses,
    read_phase,
    requires,
    signed_in_user,
)
from kube.api import MonthQuery
from kube.report.closing import (
    closing_json,
    prepare_closing,
    report_of,
    store_closing,
    stored_file,
)
from kube.report.files import write_csv, write_xlsx
from kube.report.pdf import write_pdf
from kube.report.thermal import print_summary
from printer.api import JobOut

bp = APIBlueprint("report_api", __name__, url_prefix="/api/v1", tag="Reports")

#: file format → (media type, writer)
FILES: dict[str, tuple[str, Any]] = {
    "pdf": ("application/pdf", lambda r: write_pdf(r, gettext)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda r: write_xlsx(r, gettext)),
    "csv": ("text/csv; charset=utf-8", write_csv),
}


class CloseIn(BaseModel):
    ketua: str = Field(min_length=1, max_length=120, description="the ketua who signs")
    bendahara: str = Field(min_length=1, max_length=120,
                           description="the bendahara who signs")


class ClosedOut(BaseModel):
    month: str
    closed_at: str
    closed_by: str | None
    ketua: str
    bendahara: str


def report_file(month: str, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of the month's report in `fmt`.

    A closed month answers the files stored when it was closed (file name "...-ditutup").
    """
    if fmt not in FILES:
        raise NotFound(N_("Format laporan tidak dikenal: pdf, xlsx atau csv."))
    media, write = FILES[fmt]
    s = db_session()
    stored = stored_file(s, month, fmt)
    if stored is not None:
        return stored, media, f"laporan-kube-{month}-ditutup.{fmt}"
    return write(report_of(s, month)), media, f"laporan-kube-{month}.{fmt}"


@bp.get("/reports/monthly")
@requires("manager")
@bp.input(MonthQuery, location="query", arg_name="query")
@bp.doc(summary="The monthly KUBE report",
        description="Every figure of the month; definitions in the `kube.report` module.")
def monthly(query: MonthQuery) -> dict[str, Any]:
    """The monthly KUBE report as JSON."""
    return report_of(db_session(), query.month)


@bp.get("/reports/monthly/<month>.<fmt>")
@requires("manager")
@bp.doc(summary="The monthly KUBE report as a PDF, XLSX or CSV file",
        responses=file_responses("The report in the format asked for",
                                 *(media for media, _ in FILES.values())))
def monthly_file(month: str, fmt: str) -> Response:
    """The monthly KUBE report as a file to download."""
    return file_answer(*report_file(month, fmt))


@bp.post("/reports/monthly/<month>/print")
@requires("manager")
@bp.output(JobOut, status_code=202)
def print_monthly(month: str) -> dict[str, Any]:
    """Print the month's one-page summary on the thermal printer."""
    s = db_session()
    return print_summary(s, report_of(s, month), gettext).public()


@bp.post("/reports/monthly/<month>/close")
@requires("manager")
@bp.input(CloseIn, arg_name="body")
@bp.output(ClosedOut, status_code=201)
@bp.doc(summary="Close a month that has ended",
        description="The report is signed with the two names and stored with its files; "
                    "every later answer for the month is the same. Later returns and voids of "
                    "its sales show in the month they happen, as adjustments.",
        responses={409: "month_closed: already closed; month_not_ended: not over yet"})
def close(month: str, body: CloseIn) -> dict[str, Any]:
    """Close the month: its report does not change any more."""
    from kube.report.views import render_files

    user = signed_in_user()
    with read_phase() as s:  # the report and its files, before the write transaction
        row = prepare_closing(s, month, ketua=body.ketua.strip(),
                              bendahara=body.bendahara.strip(), user_id=user.id,
                              render=render_files)
    store_closing(db_session(), row)
    return closing_json(row, user.username)
