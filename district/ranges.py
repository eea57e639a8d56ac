"""Contiguous sequences and their gaps: what the district holds of an outlet's events.

Pure functions, no database: the district keeps `held_through` (every sequence number up to
it is held) and looks at the numbers above it to move it forward and to name the gaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Holding:
    """How far an outlet's events are held, and the ranges still missing below the top."""

    held_through: int
    #: inclusive [from, to] ranges, ascending
    missing: tuple[tuple[int, int], ...]


def advance(held_through: int, above: Iterable[int]) -> Holding:
    """Move `held_through` over the numbers in `above` (each > held_through) that follow it
    without a gap, and name every gap left between it and the highest number held."""
    numbers = sorted(set(above))
    if any(n <= held_through for n in numbers):
        raise ValueError("numbers at or below held_through are already counted")
    top = held_through
    gaps: list[tuple[int, int]] = []
    for n in numbers:
        if n != top + 1:
            gaps.append((top + 1, n - 1))
        top = n
    contiguous = gaps[0][0] - 1 if gaps else top
    return Holding(contiguous, tuple(gaps))


def batches(numbers: list[int], size: int) -> list[list[int]]:
    """`numbers` in order, cut into lists of at most `size`."""
    if size < 1:
        raise ValueError(size)
    return [numbers[i:i + size] for i in range(0, len(numbers), size)]
