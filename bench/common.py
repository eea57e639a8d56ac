"""What every benchmark reports: one row per figure, printed as one table."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure against its target."""

    name: str          # e.g. "checkout throughput"
    measured: float
    unit: str          # "sales/s", "ms", "KB", "MB", "s"
    target: float | None
    #: True when bigger is better (throughput), False when smaller is (latency, size)
    higher_is_better: bool
    database: str = "-"  # "sqlite", "postgresql" or "-"
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.measured >= self.target if self.higher_is_better else \
            self.measured <= self.target


def percentile(samples: Sequence[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(samples: Sequence[float]) -> float:
    """The median."""
    return statistics.median(samples)


def table(figures: Iterable[Figure]) -> str:
    """A plain-text table: figure, target, measured, database, verdict."""
    rows = [("figure", "target", "measured", "database", "ok", "note")]
    for f in figures:
        sign = "≥" if f.higher_is_better else "≤"
        target = "-" if f.target is None else f"{sign} {f.target:g} {f.unit}"
        verdict = {None: "-", True: "yes", False: "NO"}[f.ok]
        rows.append((f.name, target, f"{f.measured:.4g} {f.unit}", f.database, verdict, f.note))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
