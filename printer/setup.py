"""Which printer the shop uses: the environment, overridden by settings an admin saved."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.errors import N_, ValidationFailed
from ewarung.shop import Setting, SettingSpec, register_setting, set_setting
from ewarung.text import writable
from printer.render import PaperProfile, UnknownProfile, paper_profile
from printer.transport import InvalidPrinterUrl, Target, parse_target

URL = register_setting("printer.url", "", N_("Alamat printer (kosong: ikuti EWARUNG_PRINTER)"))
PROFILE = register_setting("printer.profile", "",
                           N_("Profil printer (kosong: ikuti EWARUNG_PRINTER_PROFILE)"))
FONT = register_setting("printer.font", "a", N_("Huruf struk (b: lebih kecil, lebih banyak kolom)"),
                        ("a", "b"))
ARCHIVE_COPY = register_setting("printer.bpnt_archive_copy", False,
                                N_("Cetak salinan arsip toko untuk transaksi BPNT"))
CASH_DRAWER = register_setting("printer.cash_drawer", True,
                               N_("Buka laci uang lewat printer pada transaksi tunai"))

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
        """Where jobs go; None when printing is off."""
        return parse_target(self.url)

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
        parse_target(url)
    except InvalidPrinterUrl as exc:
        raise ValidationFailed.field("url", N_(
            "Alamat printer tidak dikenal. Contoh: none, network://192.168.1.50:9100, "
            "serial:///dev/ttyUSB0?baudrate=9600, usb://04b8:0e15, file:///dev/usb/lp0, "
            "cups://NAMA.")) from exc
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
