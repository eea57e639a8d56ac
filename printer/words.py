"""Printer troubles in the shop's words: what the cashier or admin can do about them.

The worker keeps the transport's own reason in `PrintJob.last_error` (for the log and the
API); pages show `plain_error(reason)` instead.
"""

from __future__ import annotations

from typing import Any

from ewarung.errors import N_

#: (words found in the transport's reason, what the page says), first match wins
_TROUBLES = (
    (("expired before",), N_("Tidak dicetak: terlalu lama menunggu printer.")),
    (("unknown printer scheme", "bad printer url", "invalid"),
     N_("Alamat printer tidak dikenal: minta admin memeriksa pengaturan printer.")),
    (("permission", "access denied"),
     N_("Komputer tidak diizinkan memakai printer ini: minta admin memeriksanya.")),
    (("refused", "timed out", "timeout", "unreachable", "connection", "socket"),
     N_("Printer tidak menjawab: pastikan printer menyala dan terhubung (kabel atau "
        "jaringan).")),
    (("no such file", "not a device", "no such device", "usb", "not found"),
     N_("Printer tidak ditemukan: periksa kabel dan pastikan printer menyala.")),
    (("paper",), N_("Kertas printer habis atau tutupnya terbuka.")),
)
OTHER = N_("Printer gagal mencetak: periksa printer lalu coba lagi.")


def plain_error(reason: str | None) -> str | None:
    """The untranslated Indonesian sentence for a transport's `reason` (None for none)."""
    if not reason:
        return None
    lowered = reason.lower()
    for words, sentence in _TROUBLES:
        if any(w in lowered for w in words):
            return sentence
    return OTHER


def printer_words(target: Any) -> tuple[str, dict[str, Any]]:
    """A printer target described as (untranslated sentence, its parameters)."""
    if target is None:
        return N_("tidak ada (mati)"), {}
    opts = target.options
    if target.scheme == "network":
        return N_("printer jaringan %(host)s, port %(port)s"), {
            "host": opts["host"], "port": opts["port"]}
    if target.scheme == "serial":
        return N_("printer serial di %(device)s, kecepatan %(baud)s"), {
            "device": opts["devfile"], "baud": opts.get("baudrate", 9600)}
    if target.scheme == "usb":
        return N_("printer USB %(vendor)04x:%(product)04x"), {
            "vendor": opts["idVendor"], "product": opts["idProduct"]}
    if target.scheme == "file":
        return N_("perangkat printer %(device)s"), {"device": opts["devfile"]}
    if target.scheme == "cups":
        return N_("printer sistem \"%(name)s\""), {"name": opts["printer_name"]}
    return N_("alamat printer tidak dikenal"), {}
