"""One byte formatter: the widgets and the report write sizes with media.format_bytes."""

from __future__ import annotations

import pytest

from resemble_nb.media import format_bytes
from resemble_nb.report import _render as report


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1 KB"),
        (199_900, "199.9 KB"),
        (150_000_000, "150 MB"),
        (143_100_000, "143.1 MB"),
        (3 * 10**9, "3 GB"),
    ],
)
def test_decimal_units_as_the_api_writes_its_caps(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_the_report_adds_the_exact_count_to_the_same_text() -> None:
    assert report._size(1_500_000) == "1.5 MB (1,500,000 bytes)"
    assert report._size(1008) == "1 KB (1008 bytes)"
    assert report._size(512) == "512 bytes"
    assert report._size(None) == "—"
