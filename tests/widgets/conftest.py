"""Fixtures for the widget tests (the doubles themselves are in widget_doubles.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import comm
import pytest

from .widget_doubles import RecordingComm


@pytest.fixture
def comm_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[float, dict[str, Any]]]]:
    """Every comm message widgets created in the test send, with a timestamp."""
    log: list[tuple[float, dict[str, Any]]] = []
    monkeypatch.setattr(comm, "create_comm", lambda *a, **k: RecordingComm(log))
    yield log
