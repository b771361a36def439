"""A fresh case folder with a ledger, and items to put in it."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from resemble_nb.ledger import JobSpec, Ledger
from resemble_nb.media import MediaItem


def make_item(n: int, folder: Path | str = "/evidence", size: int = 1000) -> MediaItem:
    """An item with a made-up (but well-formed) hash and one path."""
    return MediaItem(
        sha256=hashlib.sha256(str(n).encode()).hexdigest(),
        size=size + n,
        media_type=("audio", "video", "image")[n % 3],
        mime=("audio/wav", "video/mp4", "image/png")[n % 3],
        extension=(".wav", ".mp4", ".png")[n % 3],
        duration=None if n % 3 == 2 else 1.0 + n,
        paths=(Path(folder) / f"file{n}{('.wav', '.mp4', '.png')[n % 3]}",),
    )


def spec(item: MediaItem, key: str = "k1", strategy: str = "batch") -> JobSpec:
    return JobSpec(item.sha256, key, strategy, "sandbox", {"intelligence": True})  # type: ignore[arg-type]


@pytest.fixture
def case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    return folder


@pytest.fixture
def ledger(case: Path) -> Iterator[Ledger]:
    with Ledger(case / "ledger.sqlite") as opened:
        yield opened


T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def ticking_ledger(case: Path) -> Iterator[Ledger]:
    """A ledger whose clock moves one second each time it stamps a change."""
    ticks = itertools.count()
    with Ledger(
        case / "ledger.sqlite", clock=lambda: T0 + timedelta(seconds=next(ticks))
    ) as opened:
        yield opened
