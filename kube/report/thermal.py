"""The one-page summary of the month for the thermal printer (printer.queue.enqueue_report)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ewarung.errors import N_
from ewarung.money import format_rupiah
from kube.report.layout import Field, month_title, same, shown
from printer.layout import ReportLine
from printer.models import PrintJob
from printer.queue import PrinterNotConfigured, enqueue_report

Translate = Callable[[str], str]


def summary_lines(report: dict[str, Any], translate: Translate = same) -> list[ReportLine]:
    """The key figures as (label, value) pairs, in groups separated by rules."""
    t = translate
    sales, bpnt, profit = report["sales"], report["bpnt"], report["profit"]
    stock, integrity = report["stock"], report["integrity"]
    percent = Field("", "", "percent")
    lines: list[ReportLine] = [
        report["outlet"]["name"], month_title(report["month"]), "-",
        (t(N_("Penjualan bersih")), format_rupiah(sales["total"])),
        (t(N_("Transaksi")), str(sales["count"])),
        (t(N_("Rata-rata belanja")), format_rupiah(sales["average_basket"])),
        (t(N_("BPNT")), format_rupiah(sales["by_tender"]["bpnt"]["net"])),
        (t(N_("Tunai")), format_rupiah(sales["by_tender"]["cash"]["net"])),
        (t(N_("Lainnya")), format_rupiah(sales["by_tender"]["other"]["net"])), "-",
        (t(N_("KPM dilayani")), f"{bpnt['served_active_kpm']}/{bpnt['active_kpm']}"),
        (t(N_("Penukaran BPNT")), format_rupiah(bpnt["redeemed"])), "-",
        (t(N_("HPP")), format_rupiah(profit["cogs"])),
        (t(N_("Laba kotor")), format_rupiah(profit["gross_profit"])),
        (t(N_("Margin")), shown(profit["margin"], percent)),
        (t(N_("Biaya")), format_rupiah(profit["expenses"])),
        (t(N_("Laba bersih")), format_rupiah(profit["net_profit"])),
    ]
    if report["shu"]["loss"]:
        lines.append(t(N_("Rugi: tidak ada SHU dibagi.")))
    lines += [
        "-", (t(N_("Stok akhir")), format_rupiah(stock["closing"])),
        (t(N_("Selisih stok")), format_rupiah(stock["difference"])),
        (t(N_("Lokal & KUBE")), shown(report["suppliers"]["local_share"], percent)), "-",
        (t(N_("Di atas harga acuan")), str(integrity["above_reference"]["count"])),
        (t(N_("Ditolak")), str(integrity["refusals"]["count"])),
        (t(N_("Kemungkinan paket")), str(len(integrity["bundles"]["baskets"]))),
        (t(N_("Dibatalkan")), str(integrity["voids"]["count"])),
        (t(N_("Retur")), str(integrity["returns"]["count"])),
    ]
    return lines


def print_summary(session: Session, report: dict[str, Any],
                  translate: Translate = same) -> PrintJob:
    """Queue the summary on the shop's printer (sent after the commit)."""
    heading = translate(N_("LAPORAN KUBE"))
    title = f"{heading} {report['month']}"
    job = enqueue_report(session, title, summary_lines(report, translate))
    if job is None:
        raise PrinterNotConfigured()
    return job
