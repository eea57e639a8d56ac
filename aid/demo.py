"""The demo shop's KPM: about 60 in 3 villages, with cards and this period's credit."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from aid.beneficiaries import import_beneficiaries
from aid.cards import luhn_check_digit
from aid.identity import make_nik
from aid.kpm_file import OPTIONAL, BeneficiaryRow, ImportPlan
from aid.ledger import credit_period
from aid.settings import bpnt_settings
from aid.web import card_key

SEED = 20261126
VILLAGES = (("Sukamaju", "320201"), ("Mekarsari", "320201"), ("Cibeureum", "320202"))
GIVEN_F = ("Siti", "Nur", "Aminah", "Sri", "Dewi", "Euis", "Iis", "Yati", "Ani", "Rina",
           "Tuti", "Wati", "Neneng", "Imas", "Lilis")
GIVEN_M = ("Budi", "Asep", "Dedi", "Ujang", "Agus", "Cecep", "Dadang", "Iwan", "Ahmad",
           "Yusuf", "Enjang", "Komar")
FAMILY = ("Rahmawati", "Suryani", "Hidayat", "Santoso", "Kurniawan", "Nurhayati", "Sutisna",
          "Permana", "Lestari", "Setiawan", "Mulyani", "Saputra", "Wahyuni", "Hermawan")
PER_VILLAGE = 20
MONTHLY_AMOUNT = 200_000


def demo_card_numbers(rng: random.Random, n: int) -> list[str]:
    """n distinct KKS numbers with valid Luhn digits (a BNI-like 526422 range)."""
    out: list[str] = []
    while len(out) < n:
        body = "526422" + f"{rng.randrange(10**9):09d}"
        number = body + luhn_check_digit(body)
        if number not in out:
            out.append(number)
    return out


def demo_rows(seed: int = SEED) -> list[BeneficiaryRow]:
    """The demo KPM as import rows (full card numbers: for the demo's printout only)."""
    rng = random.Random(seed)
    cards = demo_card_numbers(rng, PER_VILLAGE * len(VILLAGES))
    rows = []
    for v, (village, region) in enumerate(VILLAGES):
        for i in range(PER_VILLAGE):
            n = v * PER_VILLAGE + i
            female = rng.random() < 0.75  # most KKS holders are the mothers
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            nik = make_nik(region, rng.randint(1, 28), rng.randint(1, 12), rng.randint(55, 99),
                           n + 1, female=female)
            rows.append(BeneficiaryRow(
                row=n + 2, nik=nik, name=f"{given} {rng.choice(FAMILY)}", village=village,
                card_number=cards[n], no_kk=region + nik[6:12] + f"{9000 + n:04d}",
                address=f"Kp. {village} RT {1 + i % 5:02d}/RW {1 + i % 3:02d}",
                kecamatan="Cibeureum", id_dtks=f"3202{n + 1:08d}"))
    return rows


def load_demo(session: Session) -> list[str]:
    """Import the demo KPM, credit this period, and print two cards to try at the till."""
    rows = demo_rows()
    result = import_beneficiaries(session, card_key(), ImportPlan(
        rows=rows, columns=frozenset(OPTIONAL)))
    period = bpnt_settings(session).month()
    credited, _ = credit_period(session, period, MONTHLY_AMOUNT)
    amount = f"Rp{MONTHLY_AMOUNT:,}".replace(",", ".")
    lines = ["", f"KPM: {result.imported} beneficiaries in {len(VILLAGES)} villages, each "
             f"credited {amount} for {period} ({credited} credits).",
             "KKS cards to try at the till (type or paste the number):"]
    for row in (rows[0], rows[PER_VILLAGE]):
        spaced = " ".join(row.card_number[i:i + 4] for i in range(0, 16, 4))
        lines.append(f"  {spaced}  {row.name}, {row.village}")
    return lines
