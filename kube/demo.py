"""The demo KUBE: ten member families with the usual positions, and this month's costs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ewarung.clock import shop_today
from kube import services

#: (name, position, weight: capital paid in, in lots of Rp50.000)
MEMBERS = (
    ("Sri Wahyuni", "ketua", 2), ("Euis Kurniasih", "sekretaris", 1),
    ("Tati Rohaeti", "bendahara", 2), ("Nining Suryani", "anggota", 1),
    ("Dedeh Kusmiati", "anggota", 1), ("Imas Masitoh", "anggota", 1),
    ("Neneng Hasanah", "anggota", 1), ("Yati Suryati", "anggota", 1),
    ("Ai Rohmah", "anggota", 1), ("Enok Sumiati", "anggota", 1),
)
#: (day of the month, category, amount, note)
EXPENSES = (
    (2, "transport", 150000, "Ongkos angkut beras dari gudang Bulog"),
    (5, "electricity", 120000, "Token listrik"),
    (5, "rent", 300000, "Sewa kios bulan ini"),
    (9, "bags", 45000, "Kantong plastik dan karung kecil"),
    (16, "transport", 80000, "Ojek ambil telur dan sayur"),
)


def load_demo(session: Session) -> list[str]:
    """Members and the month's expenses so far."""
    for name, position, weight in MEMBERS:
        services.add_member(session, name, position, Decimal(weight))
    today = shop_today(session)
    first = today.replace(day=1)
    recorded = 0
    for day, category, amount, note in EXPENSES:
        spent_on = first + timedelta(days=day - 1)
        if spent_on <= today:
            services.record_expense(session, spent_on, category, amount, note)
            recorded += 1
    last_month = (first - timedelta(days=1)).replace(day=1)
    for day, category, amount, note in EXPENSES:
        services.record_expense(session, last_month + timedelta(days=day - 1), category, amount,
                                note)
    return [f"KUBE: {len(MEMBERS)} member families, {recorded + len(EXPENSES)} expenses "
            f"(this month and {last_month:%Y-%m})."]
