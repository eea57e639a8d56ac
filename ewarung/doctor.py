"""`ewarung doctor`: what the shop computer needs fixed, in plain Indonesian.

Each check adds what is wrong (with what to do about it) or a few words of what is fine;
the command exits non-zero when anything is wrong.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from ewarung import consistency
from ewarung.audit import AuditEvent
from ewarung.checkup import Checkup, Limits
from ewarung.config import Config
from ewarung.db import Database
from ewarung.errors import N_
from ewarung.installation import (
    SecretKeyMismatch,
    key_fingerprint,
    last_backup,
    short,
    stored_fingerprint,
)
from ewarung.migrate import current_revision, head_revision
from ewarung.shop import shop_timezone

#: a clock outside these years is wrong (a flat clock battery starts in 1970 or 2000)
YEARS = (2025, 2099)
#: how far the clock may be behind the newest record before it counts as wrong
CLOCK_SLACK = timedelta(minutes=5)


def _when(c: Checkup, moment: datetime) -> str:
    with c.db.unit_of_work(write=False) as session:
        return moment.astimezone(shop_timezone(session)).strftime("%d-%m-%Y %H:%M")


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return N_("kurang dari 1 jam")
    return N_("%d jam") % hours if hours < 48 else N_("%d hari") % (hours // 24)


def check_database(c: Checkup) -> bool:
    """The file or server reads back whole, is set up durably and is up to date."""
    try:
        with c.db.engine.connect() as conn:
            if c.db.is_sqlite:
                found = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if found != ["ok"]:
                    c.problems.append(N_("Berkas basis data rusak (%s). Hentikan layanan, lalu "
                                         "pulihkan cadangan terakhir ke basis data baru dengan "
                                         "`ewarung restore`.") % "; ".join(found)[:300])
                    return False
            else:
                _postgresql_settings(c, conn)
                for table in inspect(conn).get_table_names():  # reads every page once
                    conn.execute(text(f'SELECT count(*) FROM "{table}"'))
    except SQLAlchemyError as exc:
        c.problems.append(N_("Basis data tidak bisa dibaca: %s") % str(exc).splitlines()[0][:200])
        return False
    if current_revision(c.db.engine) != head_revision():
        c.problems.append(N_("Basis data belum diperbarui: jalankan `ewarung init`."))
        return False
    with c.db.unit_of_work(write=False) as session:
        for found_problem in consistency.problems(session):
            c.problems.append(N_("Data tidak konsisten: %s. Pulihkan cadangan yang baik atau "
                                 "hubungi pendamping teknis.") % found_problem)
    c.fine.append(N_("basis data utuh"))
    return True


def _postgresql_settings(c: Checkup, conn: object) -> None:
    for name in ("fsync", "full_page_writes"):
        value = conn.exec_driver_sql(f"SHOW {name}").scalar()  # type: ignore[attr-defined]
        if value != "on":
            c.problems.append(N_("PostgreSQL berjalan dengan %(name)s=%(value)s: penjualan bisa "
                                 "hilang saat listrik padam. Ubah ke `%(name)s = on` di "
                                 "postgresql.conf lalu mulai ulang PostgreSQL.")
                              % {"name": name, "value": value})


def check_disk(c: Checkup) -> None:
    """Room for the database to grow and the logs to be written."""
    places = {c.config.data_dir}
    if c.db.is_sqlite and c.db.engine.url.database:
        places.add(Path(c.db.engine.url.database).resolve().parent)
    for place in sorted(places):
        free_mb = shutil.disk_usage(place).free // 2**20
        if free_mb < c.limits.min_free_mb:
            c.problems.append(N_("Ruang disk tinggal %(free)d MB di %(place)s (paling sedikit "
                                 "%(need)d MB): hapus berkas yang tidak perlu atau pindah ke "
                                 "disk yang lebih besar.")
                              % {"free": free_mb, "place": place, "need": c.limits.min_free_mb})
            return
    c.fine.append(N_("ruang disk cukup"))


def check_backup(c: Checkup) -> None:
    """A backup was made, and recently."""
    with c.db.unit_of_work(write=False) as session:
        last = last_backup(session)
    if last is None:
        c.problems.append(N_("Belum pernah ada cadangan. Colokkan disk USB lalu jalankan "
                             "`ewarung backup --rotate FOLDER_USB --keep 14`, dan pasang "
                             "cadangan harian dengan `ewarung service install --backup-dir "
                             "FOLDER_USB`."))
        return
    at, where = last
    age = c.now - at
    if age > c.limits.max_backup_age:
        c.problems.append(N_("Cadangan terakhir dibuat %(age)s lalu (%(when)s, %(where)s). "
                             "Periksa disk USB dan cadangan harian (`systemctl status "
                             "ewarung-backup.timer`), lalu jalankan `ewarung backup --rotate "
                             "FOLDER_USB`.")
                          % {"age": _age(age), "when": _when(c, at), "where": where})
        return
    c.fine.append(N_("cadangan terakhir %s lalu") % _age(max(age, timedelta(0))))


def check_secret_key(c: Checkup) -> None:
    """The key in use is the one the data is keyed with."""
    with c.db.engine.connect() as conn:
        stored = stored_fingerprint(conn)
    current = key_fingerprint(c.config.secret_key)
    if stored is None:
        c.problems.append(N_("Kunci rahasia belum dicatat untuk data ini: jalankan "
                             "`ewarung init`."))
    elif stored != current:
        c.problems.append(SecretKeyMismatch(stored=short(stored), current=short(current),
                                            source=c.config.secret_key_source).message())
    else:
        c.fine.append(N_("kunci rahasia cocok"))


def check_year(c: Checkup) -> bool:
    """The computer's year is plausible."""
    if YEARS[0] <= c.now.year <= YEARS[1]:
        return True
    c.problems.append(N_("Tahun pada jam komputer (%d) tidak masuk akal: atur tanggal dan "
                         "jam komputer (baterai jam di papan induk mungkin habis).")
                      % c.now.year)
    return False


def check_clock(c: Checkup) -> None:
    """The computer's clock is not before what is already recorded."""
    from ewarung.domains import DOMAINS

    with c.db.unit_of_work(write=False) as session:
        recorded = [session.scalar(select(func.max(AuditEvent.at)))]
        recorded += [d.last_recorded(session) for d in DOMAINS if d.last_recorded is not None]
        newest = max((t for t in recorded if t is not None), default=None)
    if newest is not None and c.now < newest - CLOCK_SLACK:
        c.problems.append(N_("Jam komputer (%(now)s) lebih awal dari data terakhir yang tercatat "
                             "(%(newest)s): atur tanggal dan jam komputer, karena penjualan baru "
                             "akan tercatat dengan tanggal yang salah.")
                          % {"now": _when(c, c.now), "newest": _when(c, newest)})
        return
    c.fine.append(N_("jam komputer wajar"))


def examine(db: Database, config: Config, limits: Limits, now: datetime) -> Checkup:
    """Run every check; those that read the data only on a readable, current database."""
    c = Checkup(db, config, limits, now)
    readable = check_database(c)
    check_disk(c)
    sane_year = check_year(c)
    if readable:
        check_secret_key(c)
        check_backup(c)
        if sane_year:
            check_clock(c)
        from ewarung.domains import DOMAINS

        for domain in DOMAINS:
            if domain.doctor is not None:
                domain.doctor(c)
    return c
