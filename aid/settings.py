"""The shop's BPNT settings, read in one query on the checkout path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from aid.entitlement import PeriodMode, month_of
from aid.reconcile import DEFAULT_COLUMNS
from ewarung import clock
from ewarung.errors import N_
from ewarung.shop import SETTINGS, Setting, register_setting

LUHN_CHECK = register_setting(
    "bpnt.luhn_check", True, N_("Periksa angka kontrol (angka terakhir) nomor KKS"), (True, False))
PERIOD = register_setting(
    "bpnt.period", "monthly", N_("Periode hak BPNT (bulanan atau per tahap/triwulan)"),
    ("monthly", "quarterly"))
CARRY_OVER = register_setting(
    "bpnt.carry_over", False, N_("Sisa hak BPNT terbawa ke periode berikutnya"), (True, False))
#: strict and warn keep a ledger of each KPM's entitlement; record keeps none (since 2021 the
#: aid sits in the KPM's bank account and the bank's EDC checks it) and only records each
#: card payment with its EDC approval code
ENFORCEMENT = register_setting(
    "bpnt.enforcement", "strict",
    N_("Jika belanja BPNT melebihi sisa hak: tolak, izinkan dengan peringatan, atau tanpa sisa "
       "hak di toko, hanya mencatat pembayaran kartu di EDC bank"),
    ("strict", "warn", "record"))
#: the enforcement that keeps no entitlement ledger
RECORD = "record"
SETTLEMENT_COLUMNS = register_setting(
    "bpnt.settlement_columns", dict(DEFAULT_COLUMNS),
    N_("Nama kolom berkas settlement EDC bank (tanggal, kode approval, nominal, kartu)"))

ABOVE_REFERENCE = register_setting(
    "sales.above_reference", "refuse",
    N_("Harga jual di atas harga acuan pasar: tolak (refuse) atau izinkan dan tandai (flag)"),
    ("refuse", "flag"))

SALE_KEYS = (ABOVE_REFERENCE.key,)
BPNT_KEYS = (LUHN_CHECK.key, PERIOD.key, CARRY_OVER.key, ENFORCEMENT.key, "shop.timezone")


@dataclass(frozen=True)
class BpntSettings:
    """The settings that shape look-ups and redemptions."""

    luhn_check: bool = True
    period: PeriodMode = "monthly"
    carry_over: bool = False
    enforcement: str = "strict"
    timezone: str = "Asia/Jakarta"

    @property
    def ledger_on(self) -> bool:
        """Whether the shop keeps each KPM's remaining entitlement (strict, warn)."""
        return self.enforcement != RECORD

    def month(self, at: datetime | None = None) -> str:
        """The shop's local month now (or at `at`), as YYYY-MM."""
        return month_of((at or clock.now()).astimezone(ZoneInfo(self.timezone)).date())

    def day(self, at: datetime) -> date:
        """The shop's local date of a moment."""
        return at.astimezone(ZoneInfo(self.timezone)).date()


_settings_t = cast(Table, Setting.__table__)
_SAVED = select(_settings_t.c.key, _settings_t.c.value).where(
    _settings_t.c.key.in_(bindparam("keys", expanding=True)))


def saved_settings(session: Session, keys: Sequence[str]) -> dict[str, Any]:
    """The values of registered settings (defaults where none was saved), in one query."""
    values: dict[str, Any] = {k: SETTINGS[k].default for k in keys}
    rows = session.execute(_SAVED, {"keys": list(keys)})
    values.update({key: value for key, value in rows})
    return values


def bpnt_settings(session: Session) -> BpntSettings:
    """The current BPNT settings (one query)."""
    return bpnt_from(saved_settings(session, BPNT_KEYS))


def bpnt_from(values: dict[str, Any]) -> BpntSettings:
    """BPNT settings from values read by `saved_settings` (with at least BPNT_KEYS)."""
    return BpntSettings(luhn_check=bool(values[LUHN_CHECK.key]), period=values[PERIOD.key],
                        carry_over=bool(values[CARRY_OVER.key]),
                        enforcement=values[ENFORCEMENT.key],
                        timezone=values["shop.timezone"])
