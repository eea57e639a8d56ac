"""Generate many KPM with cards and a period's credits, fast (bulk inserts), for benchmarks.

The full card numbers are returned so a benchmark can present them at the till; only their
masked form and keyed hash go into the database, as in production.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from aid.cards import card_hash, derive_card_key, luhn_check_digit, mask_card_number
from aid.identity import make_nik
from aid.models import Beneficiary, EntitlementEntry, KksCard
from bench.gen.databases import insert_rows, table_of

BATCH = 5_000
#: regions for generated NIKs (Kab. Tuban, Jawa Timur), apart from the demo's Sukabumi
REGIONS = tuple(f"3523{k:02d}" for k in range(1, 21))
VILLAGES = tuple(f"Desa {n}" for n in ("Sidomulyo", "Karangrejo", "Sumberjo", "Kedungrejo",
                                        "Tegalsari", "Wonorejo", "Sukorejo", "Banjarsari"))
SERIALS = 9_999
NAMES = ("Siti Aminah", "Sri Wahyuni", "Sumarni", "Tukiyem", "Budi Santoso", "Suparmi",
         "Rukmini", "Ahmad Fauzi", "Nur Hasanah", "Kasiyem")


@dataclass(frozen=True)
class GeneratedBeneficiaries:
    """What was generated: ids in order, each one's full card number, the credited period."""

    ids: list[int]
    card_numbers: list[str]
    period: str
    amount: int


def _cards(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        body = "526422" + f"{rng.randrange(10**9):09d}"
        if body in seen:
            continue
        seen.add(body)
        out.append(body + luhn_check_digit(body))
    return out


def generate_beneficiaries(conn_or_session: Any, n: int, seed: int, secret: str, *,
                           period: str | None = None,
                           amount: int = 200_000) -> GeneratedBeneficiaries:
    """Insert n active KPM, each with one card and a credit of `amount` for `period`.

    `conn_or_session` is a SQLAlchemy Connection or Session in a transaction the caller
    commits; `secret` is the app's secret key (the card hashes must match its look-ups).
    """
    if n > len(REGIONS) * SERIALS:
        raise ValueError(f"at most {len(REGIONS) * SERIALS} KPM")
    rng = random.Random(seed)
    key = derive_card_key(secret)
    now = datetime.now(UTC)
    local = now + timedelta(hours=7)  # the generated shop's clock (WIB)
    period = period or f"{local.year:04d}-{local.month:02d}"
    cards = _cards(rng, n)
    ids: list[int] = []
    for start in range(0, n, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, n)):
            female = rng.random() < 0.75
            nik = make_nik(REGIONS[i // SERIALS], rng.randint(1, 28), rng.randint(1, 12),
                           rng.randint(50, 99), i % SERIALS + 1, female=female)
            rows.append({"nik": nik, "no_kk": None, "name": f"KPM {i + 1:06d}",
                         "village": VILLAGES[i % len(VILLAGES)], "address": "",
                         "kecamatan": "", "id_dtks": None, "active": True,
                         "created_at": now, "updated_at": now})
        result = conn_or_session.execute(
            insert(table_of(Beneficiary)).returning(Beneficiary.id, sort_by_parameter_order=True),
            rows)
        batch_ids = [r[0] for r in result]
        ids.extend(batch_ids)
        offset = start
        insert_rows(conn_or_session, KksCard, [
            {"beneficiary_id": bid, "card_hash": card_hash(key, cards[offset + j]),
             "masked": mask_card_number(cards[offset + j]), "status": "active",
             "created_at": now} for j, bid in enumerate(batch_ids)])
        insert_rows(conn_or_session, EntitlementEntry, [
            {"beneficiary_id": bid, "kind": "credit", "period": period, "amount": amount,
             "created_at": now} for bid in batch_ids])
    return GeneratedBeneficiaries(ids, cards, period, amount)


#: the columns of a district's KPM list, as the import reads them
LIST_HEADER = ("NIK", "Nama", "No_KKS", "Desa", "No_KK", "Alamat", "Kecamatan")


def kpm_list_rows(n: int, seed: int) -> list[list[str]]:
    """A district's KPM list of n rows under its header: every number typed as text."""
    if n > len(REGIONS) * SERIALS:
        raise ValueError(f"at most {len(REGIONS) * SERIALS} KPM")
    rng = random.Random(seed)
    rows = [list(LIST_HEADER)]
    for i, card in enumerate(_cards(rng, n)):
        region = REGIONS[i // SERIALS]
        nik = make_nik(region, rng.randint(1, 28), rng.randint(1, 12), rng.randint(50, 99),
                       i % SERIALS + 1, female=rng.random() < 0.75)
        rows.append([nik, f"KPM {i + 1:06d} {rng.choice(NAMES)}", card,
                     VILLAGES[i % len(VILLAGES)], f"{region}{rng.randrange(10**10):010d}",
                     f"RT {rng.randint(1, 20):02d} RW {rng.randint(1, 9):02d} Dusun Krajan",
                     "Kec. Montong"])
    return rows
