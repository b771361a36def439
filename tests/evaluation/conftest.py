"""Real case folders (SQLite ledgers) holding scored items, for the evaluation tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _truth_factory import add_scored, sha

from resemble_nb.case import Case

__all__ = ["add_scored", "sha"]


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    with Case(tmp_path / "case", name="eval") as opened:
        yield opened
