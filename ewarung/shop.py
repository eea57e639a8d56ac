"""The outlet this installation runs, and its settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ewarung.db import Base, JsonDoc, UtcDateTime, utcnow
from ewarung.errors import N_, ValidationFailed


class Outlet(Base):
    """The e-Warong itself: one row per installation."""

    __tablename__ = "outlet"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: the KUBE (joint business group) that runs the shop
    kube_name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    village: Mapped[str] = mapped_column(String(120), default="")
    district: Mapped[str] = mapped_column(String(120), default="")
    #: the e-Warong ID given by the bank or the Dinas Sosial
    ewarong_id: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: prefix of sale numbers, e.g. EW-20261126-0042
    code: Mapped[str] = mapped_column(String(8), default="EW")


class Setting(Base):
    """One setting changed from its default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonDoc)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class SettingSpec:
    """A known setting: its default, allowed values and the label the admin sees."""

    key: str
    default: Any
    label: str
    choices: tuple[Any, ...] | None = None


SETTINGS: dict[str, SettingSpec] = {}


def register_setting(key: str, default: Any, label: str,
                     choices: tuple[Any, ...] | None = None) -> SettingSpec:
    """Declare a setting; each domain declares its own at import time."""
    spec = SettingSpec(key, default, label, choices)
    SETTINGS[key] = spec
    return spec


register_setting("shop.timezone", "Asia/Jakarta", N_("Zona waktu"),
                 ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"))


def get_setting(session: Session, key: str) -> Any:
    """The current value of a registered setting."""
    spec = SETTINGS[key]
    row = session.get(Setting, key)
    return spec.default if row is None else row.value


def set_setting(session: Session, key: str, value: Any) -> Any:
    """Change a registered setting; returns the previous value."""
    spec = SETTINGS.get(key)
    if spec is None:
        raise ValidationFailed.field(key, N_("Pengaturan tidak dikenal."))
    if spec.choices is not None and value not in spec.choices:
        raise ValidationFailed.field(key, N_("Nilai tidak diizinkan."))
    if spec.choices is None and spec.default is not None and not isinstance(
            value, type(spec.default)):
        raise ValidationFailed.field(key, N_("Jenis nilai salah."))
    previous = get_setting(session, key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    return previous


def get_outlet(session: Session) -> Outlet | None:
    """The outlet row, if the shop has been set up."""
    return session.scalars(select(Outlet).order_by(Outlet.id).limit(1)).first()


def shop_timezone(session: Session) -> ZoneInfo:
    """The shop's local time zone (WIB, WITA or WIT)."""
    return ZoneInfo(get_setting(session, "shop.timezone"))
