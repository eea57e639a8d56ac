"""The monthly KUBE report over the JSON API: the data, its files, and the printed summary."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import Response
from flask_babel import gettext

from ewarung.errors import N_, NotFound
from ewarung.web import db_session, requires
from kube.api import MonthQuery
from kube.report import monthly_report
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


def report_file(month: str, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of the month's report in `fmt`."""
    if fmt not in FILES:
        raise NotFound(N_("Format laporan tidak dikenal: pdf, xlsx atau csv."))
    media, write = FILES[fmt]
    return write(monthly_report(db_session(), month)), media, f"laporan-kube-{month}.{fmt}"


@bp.get("/reports/monthly")
@requires("manager")
@bp.input(MonthQuery, location="query", arg_name="query")
@bp.doc(summary="The monthly KUBE report",
        description="Every figure of the month; definitions in the `kube.report` module.")
def monthly(query: MonthQuery) -> dict[str, Any]:
    """The monthly KUBE report as JSON."""
    return monthly_report(db_session(), query.month)


@bp.get("/reports/monthly/<month>.<fmt>")
@requires("manager")
@bp.doc(summary="The monthly KUBE report as a PDF, XLSX or CSV file")
def monthly_file(month: str, fmt: str) -> Response:
    """The monthly KUBE report as a file to download."""
    data, media, name = report_file(month, fmt)
    return Response(data, content_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/reports/monthly/<month>/print")
@requires("manager")
@bp.output(JobOut, status_code=202)
def print_monthly(month: str) -> dict[str, Any]:
    """Print the month's one-page summary on the thermal printer."""
    s = db_session()
    return print_summary(s, monthly_report(s, month), gettext).public()
