"""Rates with Wilson intervals, and how thresholds are written."""

from __future__ import annotations

import math

import pytest

from resemble_nb.evaluation import Rate, wilson
from resemble_nb.evaluation._rates import format_threshold, percent


def test_wilson_is_honest_about_zero_errors() -> None:
    low, high = wilson(0, 100)
    assert low == 0.0 and high == pytest.approx(0.037, abs=1e-3)
    assert wilson(100, 100)[1] == 1.0
    assert str(Rate(0, 100)) == "0.0% (95% CI 0.0%–3.7%; 0 of 100)"
    assert "no items" in str(Rate(0, 0))


@pytest.mark.parametrize(("k", "n"), [(1, 10), (5, 40), (37, 120), (990, 1000)])
def test_wilson_matches_its_closed_form(k: int, n: int) -> None:
    z, p = 1.959963984540054, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson(k, n) == pytest.approx((centre - half, centre + half))
    low, high = wilson(k, n)
    assert low < p < high


def test_words() -> None:
    assert percent(0.0312) == "3.1%" and percent(math.nan) == "—"
    assert [format_threshold(x) for x in (0.5, 0.785, 0.7, 1.0)] == [
        "0.50",
        "0.785",
        "0.70",
        "1.00",
    ]
    assert math.isnan(Rate(0, 0).value)
