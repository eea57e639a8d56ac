"""Sharing the month's net profit (SHU, sisa hasil usaha) the way the KUBE decided.

Percentages per bucket must add up to 100. The members' bucket is split among the active
members equally or by weight. Every split uses `ewarung.money.split`, so the buckets add up
to the net profit and the members' shares to the members' bucket, to the Rupiah. A loss (or
a zero profit) shares nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ewarung.errors import N_, ValidationFailed
from ewarung.money import split
from ewarung.numbers import plain_decimal

BUCKETS = ("reserve", "members", "management", "social", "other")
DEFAULT_PERCENTAGES = {"reserve": 30, "members": 40, "management": 10, "social": 10, "other": 10}
SPLIT_MODES = ("equal", "weight")


@dataclass(frozen=True)
class MemberShare:
    """One member's part of the members' bucket."""

    member_id: int
    name: str
    #: the weight the split used: 1 for everyone when the bucket is split equally
    weight: Decimal
    amount: int


@dataclass(frozen=True)
class ShuAllocation:
    """The SHU of a month in Rupiah."""

    net_profit: int
    buckets: dict[str, int]
    members: tuple[MemberShare, ...]
    #: True when the month made a loss (or nothing): no SHU is shared
    loss: bool


def check_percentages(percentages: Mapping[str, object]) -> dict[str, Decimal]:
    """Parse and check the bucket percentages: known buckets, 0–100, two decimals, sum 100."""
    out: dict[str, Decimal] = {}
    for bucket in BUCKETS:
        value = plain_decimal(percentages.get(bucket, 0))
        if value is None:
            raise ValidationFailed.field(bucket, N_("Persentase harus angka."))
        if value < 0 or value > 100 or value != value.quantize(Decimal("0.01")):
            raise ValidationFailed.field(bucket, N_(
                "Persentase 0 sampai 100, paling banyak dua angka di belakang koma."))
        out[bucket] = value.copy_abs()  # "-0" is 0, and is answered as "0"
    unknown = set(percentages) - set(BUCKETS)
    if unknown:
        raise ValidationFailed.field(sorted(unknown)[0], N_("Bagian SHU tidak dikenal."))
    if sum(out.values()) != 100:
        raise ValidationFailed.field("total", N_("Jumlah persentase SHU harus 100."))
    return out


def allocate(net_profit: int, percentages: Mapping[str, object],
             members: Sequence[tuple[int, str, Decimal]], mode: str = "equal") -> ShuAllocation:
    """The buckets and each member's share of `net_profit`."""
    checked = check_percentages(percentages)
    if mode not in SPLIT_MODES:
        raise ValidationFailed.field("mode", N_("Cara bagi anggota tidak dikenal."))
    # the weight each member counts for: 1 each when split equally, whatever is on file
    weights = [Decimal(1) if mode == "equal" else w for _, _, w in members]
    if net_profit <= 0:
        return ShuAllocation(net_profit, dict.fromkeys(BUCKETS, 0), tuple(
            MemberShare(mid, name, w, 0)
            for (mid, name, _), w in zip(members, weights, strict=True)), loss=True)
    buckets = dict(zip(BUCKETS, split(net_profit, [checked[b] for b in BUCKETS]), strict=True))
    shares: tuple[MemberShare, ...] = ()
    if members:
        if sum(weights) <= 0:
            raise ValidationFailed.field("weight", N_("Bobot anggota harus lebih dari nol."))
        amounts = split(buckets["members"], weights)
        shares = tuple(MemberShare(mid, name, w, amount) for (mid, name, _), w, amount
                       in zip(members, weights, amounts, strict=True))
    return ShuAllocation(net_profit, buckets, shares, loss=False)
