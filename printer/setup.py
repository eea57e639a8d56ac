"""Which printer the shop uses: the environment, overridden by settings an admin saved."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.numbers import parse_whole
from ewarung.shop import Setting, SettingSpec, register_setting, set_setting
from ewarung.text import writable
from printer.render import PaperProfile, UnknownProfile, paper_profile
from printer.transport import InvalidPrinterUrl, NotADevice, Target, checked_target, parse_target

URL = register_setting("printer.url", "", N_("Alamat printer (kosong: ikuti EWARUNG_PRINTER)"))
PROFILE = register_setting("printer.profile", "",
                           N_("Profil printer (kosong: ikuti EWARUNG_PRINTER_PROFILE)"))
FONT = register_setting("printer.font", "a", N_("Huruf struk (b: lebih kecil, lebih banyak kolom)"),
                        ("a", "b"))
ARCHIVE_COPY = register_setting("printer.bpnt_archive_copy", False,
                                N_("Cetak salinan arsip toko untuk transaksi BPNT"))
CASH_DRAWER = register_setting("printer.cash_drawer", True,
                               N_("Buka laci uang lewat printer pada transaksi tunai"))

UNKNOWN_URL = N_(
    "Alamat printer tidak dikenal. Pilih jenis printer, lalu isi alamat dan port (printer "
    "jaringan), perangkat (printer serial atau langsung), kode USB, atau nama printer sistem.")
#: for whoever starts the app with EWARUNG_PRINTER (a console message, not a page)
UNKNOWN_ENV_URL = N_(
    "Alamat printer tidak dikenal. Contoh: none, network://192.168.1.50:9100, "
    "serial:///dev/ttyUSB0?baudrate=9600, usb://04b8:0e15, file:///dev/usb/lp0, cups://NAMA.")
NOT_A_DEVICE = N_(
    "%(path)s bukan perangkat printer. Printer berkas atau serial harus perangkat di /dev, "
    "misalnya /dev/usb/lp0, /dev/lp0, /dev/ttyUSB0, /dev/ttyACM0 atau /dev/rfcomm0.")


class PrinterEnvRefused(AppError):
    code = "printer_refused"
    status = 500
    template = N_("EWARUNG_PRINTER ditolak: %(reason)s")


_SPECS = (URL, PROFILE, FONT, ARCHIVE_COPY, CASH_DRAWER)
DEFAULT_PROFILE = "TM-T20II"
#: the label printed on the shop's own copy of a BPNT receipt
ARCHIVE_LABEL = "ARSIP TOKO"


@dataclass(frozen=True)
class PrinterEnv:
    """EWARUNG_PRINTER and EWARUNG_PRINTER_PROFILE as the app was started with."""

    url: str = "none"
    profile: str = DEFAULT_PROFILE


def env_printer() -> PrinterEnv:
    """The running app's printer configuration (or the process environment outside an app)."""
    from flask import current_app, has_app_context

    if has_app_context():
        config = current_app.extensions["ewarung.config"]
        return PrinterEnv(config.printer, config.printer_profile)
    return PrinterEnv(os.environ.get("EWARUNG_PRINTER", "none"),
                      os.environ.get("EWARUNG_PRINTER_PROFILE", DEFAULT_PROFILE))


@dataclass(frozen=True)
class PrinterSetup:
    """The printer in force, and where each value came from."""

    url: str
    profile: str
    font: str
    archive_copy: bool
    cash_drawer: bool
    env: PrinterEnv

    @cached_property
    def target(self) -> Target | None:
        """Where jobs go; None when printing is off.

        An address that names no printer (saved by an earlier version, or edited in the
        database) still takes jobs: the worker fails them with the reason, for the admin
        to see and retry, and the sale they belong to is kept.
        """
        try:
            return parse_target(self.url)
        except InvalidPrinterUrl:
            return Target(url=self.url.strip(), scheme="invalid")

    @cached_property
    def env_target(self) -> Target | None:
        """The printer the app was started with (EWARUNG_PRINTER), parsed like `target`."""
        try:
            return parse_target(self.env.url)
        except InvalidPrinterUrl:
            return Target(url=self.env.url.strip(), scheme="invalid")

    @cached_property
    def paper(self) -> PaperProfile:
        """Columns, paper width and abilities of the profile."""
        return paper_profile(self.profile, self.font)


#: the settings `printer_setup` reads (a caller reading several domains' settings at once
#: passes what it read to `setup_from_saved`)
SETTING_KEYS = tuple(spec.key for spec in _SPECS)


def printer_setup(session: Session, env: PrinterEnv | None = None) -> PrinterSetup:
    """The settings in force: a saved setting wins over the environment."""
    # One query, not five: this runs inside every sale's transaction.
    saved: dict[str, Any] = dict(session.execute(select(Setting.key, Setting.value).where(
        Setting.key.in_(SETTING_KEYS))).all())
    return setup_from_saved(saved, env)


def setup_from_saved(saved: dict[str, Any], env: PrinterEnv | None = None) -> PrinterSetup:
    """The setup from saved settings already read (key → value; missing keys: defaults)."""
    env = env or env_printer()

    def value(spec: SettingSpec) -> Any:
        return saved.get(spec.key, spec.default)
    return PrinterSetup(
        url=value(URL) or env.url, profile=value(PROFILE) or env.profile, font=value(FONT),
        archive_copy=bool(value(ARCHIVE_COPY)), cash_drawer=bool(value(CASH_DRAWER)),
        env=env)


def save_printer_settings(session: Session, *, url: str, profile: str, font: str,
                          archive_copy: bool, cash_drawer: bool) -> None:
    """Check and store the admin's printer settings (empty URL or profile: the environment's)."""
    url, profile = writable(url.strip(), "url"), writable(profile.strip(), "profile")
    try:
        checked_target(url)
    except NotADevice as exc:
        raise ValidationFailed.field("url", NOT_A_DEVICE, path=exc.path) from exc
    except InvalidPrinterUrl as exc:
        raise ValidationFailed.field("url", UNKNOWN_URL) from exc
    if profile:
        try:
            paper_profile(profile)
        except UnknownProfile as exc:
            raise ValidationFailed.field("profile", N_("Profil printer tidak dikenal.")) from exc
    values = {URL.key: url, PROFILE.key: profile, FONT.key: font,
              ARCHIVE_COPY.key: archive_copy, CASH_DRAWER.key: cash_drawer}
    before = {key: set_setting(session, key, value) for key, value in values.items()}
    audit.record(session, "printer.settings", entity="settings", entity_id="printer",
                 before=before, after=values)


def check_env_printer(env: PrinterEnv) -> None:
    """Refuse an EWARUNG_PRINTER that is not a known form or not a printer device."""
    try:
        checked_target(env.url)
    except NotADevice as exc:
        raise PrinterEnvRefused(reason=NOT_A_DEVICE % {"path": exc.path}) from exc
    except InvalidPrinterUrl as exc:
        raise PrinterEnvRefused(reason=UNKNOWN_ENV_URL) from exc


#: the kinds of printer the admin's page offers, and the parts each needs
PRINTER_KINDS = ("network", "serial", "usb", "file", "cups")
BAUD_RATES = (9600, 19200, 38400, 57600, 115200)
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}")
_USB_ID = re.compile(r"([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})")
_DEVICE = re.compile(r"/dev/[A-Za-z0-9_./-]{1,100}")


def url_from_parts(form: Mapping[str, str]) -> str:
    """The printer address from the page's parts: the kind of printer, then its address and
    port (network), device and speed (serial), USB code, device (direct) or system name.

    An empty kind follows the printer the app was started with; `none` switches printing off.
    Missing or malformed parts are refused on their own field.
    """
    kind = form.get("kind", "").strip()
    if kind in ("", "none"):
        return kind
    if kind not in PRINTER_KINDS:
        raise ValidationFailed.field("kind", N_("Pilih jenis printer."))
    if kind == "network":
        host = form.get("address", "").strip()
        if not _HOST.fullmatch(host):
            raise ValidationFailed.field("address", N_(
                "Isi alamat printer di jaringan, misalnya 192.168.1.50."))
        port = parse_whole(form.get("port", "").strip() or "9100", "port", high=65535)
        return f"network://{host}:{port}"
    if kind in ("serial", "file"):
        device = form.get("device", "").strip()
        if not _DEVICE.fullmatch(device):
            raise ValidationFailed.field("device", N_(
                "Isi perangkat printer di /dev, misalnya /dev/ttyUSB0, /dev/rfcomm0 atau "
                "/dev/usb/lp0."))
        if kind == "file":
            return f"file://{device}"
        baud = parse_whole(form.get("baudrate", "").strip() or "9600", "baudrate",
                           high=4_000_000)
        return f"serial://{device}?baudrate={baud}"
    if kind == "usb":
        code = form.get("usb_id", "").strip()
        if not _USB_ID.fullmatch(code):
            raise ValidationFailed.field("usb_id", N_(
                "Isi kode USB printer: empat angka/huruf vendor, titik dua, empat produk "
                "(misalnya 04b8:0e15)."))
        return f"usb://{code.lower()}"
    name = form.get("name", "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed.field("name", N_("Isi nama printer di sistem."))
    return f"cups://{quote(name, safe='')}"


def parts_of(url: str) -> dict[str, Any]:
    """The page's parts of a saved printer address (empty: follow the app's printer)."""
    if not url:
        return {"kind": ""}
    try:
        target = parse_target(url)
    except InvalidPrinterUrl:
        return {"kind": ""}
    if target is None:
        return {"kind": "none"}
    opts = target.options
    parts: dict[str, Any] = {"kind": target.scheme}
    if target.scheme == "network":
        parts |= {"address": opts["host"], "port": opts["port"]}
    elif target.scheme in ("serial", "file"):
        parts |= {"device": opts["devfile"], "baudrate": opts.get("baudrate", 9600)}
    elif target.scheme == "usb":
        parts["usb_id"] = f"{opts['idVendor']:04x}:{opts['idProduct']:04x}"
    else:
        parts["name"] = opts["printer_name"]
    return parts
