"""One benchmark figure: what was measured, against which target, and whether it met it."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None  # None: context only, no target
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of non-empty samples."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
