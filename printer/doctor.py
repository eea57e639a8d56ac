"""The printer's check of `ewarung doctor`."""

from __future__ import annotations

from sqlalchemy import func, select

from ewarung.checkup import Checkup
from ewarung.errors import N_
from printer.models import PrintJob
from printer.setup import PrinterEnv, printer_setup
from printer.transport import InvalidPrinterUrl, checked_target, query_status


def check_printer(c: Checkup) -> None:
    """The receipt printer answers and has paper; no receipt waits in vain."""
    with c.db.unit_of_work(write=False) as session:
        setup = printer_setup(session, PrinterEnv(c.config.printer, c.config.printer_profile))
        failed = session.scalar(select(func.count()).select_from(PrintJob)
                                .where(PrintJob.state == "failed")) or 0
    try:
        target = checked_target(setup.url)  # a file:// or serial:// printer is a device
    except InvalidPrinterUrl:
        c.problems.append(N_("Alamat printer %s tidak sah: perbaiki di halaman Admin > Printer "
                             "atau di EWARUNG_PRINTER.") % setup.url[:100])
        return
    if target is None:
        c.fine.append(N_("pencetakan struk mati"))
        return
    status = query_status(target, setup.profile, timeout=2.0)
    if status.online is False:
        c.problems.append(N_("Printer %(url)s tidak menjawab (%(error)s): periksa daya dan "
                             "kabelnya, lalu cetak halaman uji di halaman Admin > Printer.")
                          % {"url": target.url, "error": status.error or "-"})
    elif status.paper == "out":
        c.problems.append(N_("Kertas struk habis: pasang gulungan kertas baru."))
    elif status.paper == "low":
        c.problems.append(N_("Kertas struk hampir habis: siapkan gulungan kertas baru."))
    if failed:
        c.problems.append(N_("%d cetakan gagal: buka halaman Printer dan cetak ulang.") % failed)
    if status.online is not False and status.paper not in ("out", "low") and not failed:
        c.fine.append(N_("printer siap"))
