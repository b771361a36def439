"""Error rates as counts with an interval: ``3 of 120 (2.5 %, 95 % CI 0.9–7.1 %)``.

Rates at one threshold use the Wilson score interval: a closed form that stays honest
for small counts and for zero errors (where a bootstrap would say "0 to 0").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Z95", "Rate", "format_threshold", "percent", "wilson"]

Z95 = 1.959963984540054
"""The two-sided 95 % normal quantile."""


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials (NaN, NaN when n = 0).

    >>> [round(x, 4) for x in wilson(0, 100)]
    [0.0, 0.037]
    """
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return low, high


def percent(x: float, digits: int = 1) -> str:
    """``0.0312`` -> ``"3.1%"``; NaN -> ``"—"``."""
    if math.isnan(x):
        return "—"
    text = f"{100 * x:.{digits}f}"
    return f"{text}%"


def format_threshold(value: float) -> str:
    """``0.5`` -> ``"0.50"``, ``0.785`` -> ``"0.785"`` (as precise as it was chosen).

    >>> format_threshold(0.5), format_threshold(0.785)
    ('0.50', '0.785')
    """
    text = f"{value:.3f}".rstrip("0")
    return text if len(text.split(".")[1]) >= 2 else f"{value:.2f}"


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n``, with its value and 95 % Wilson interval."""

    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else math.nan

    @property
    def low(self) -> float:
        return wilson(self.k, self.n)[0]

    @property
    def high(self) -> float:
        return wilson(self.k, self.n)[1]

    def __str__(self) -> str:
        if not self.n:
            return "— (no items to measure it on)"
        return (
            f"{percent(self.value)} (95% CI {percent(self.low)}–{percent(self.high)}; "
            f"{self.k} of {self.n})"
        )
