"""Fixtures for the widget tests (the doubles themselves are in widget_doubles.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
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


@pytest.fixture
def client(sandbox: Any) -> Iterator[Any]:
    """A real API client on the sandbox (fixture from tests/conftest.py)."""
    from resemble_nb.api import Client

    with Client(api_key=sandbox.api_key, base_url=sandbox.base_url) as api:
        yield api


@pytest.fixture
def real_case(tmp_path: Path) -> Iterator[Any]:
    """A real case folder with its SQLite ledger."""
    from resemble_nb.case import Case

    case = Case(tmp_path / "case")
    yield case
    case.close()


def widget_states() -> str:
    """The synced state of every live widget, as the notebook would save it."""
    from ipywidgets.widgets.widget import _instances

    chunks = []
    for widget in list(_instances.values()):
        state = widget.get_state()
        chunks.append(json.dumps(state, default=lambda v: bytes(v).decode("latin-1")))
    return "\n".join(chunks)
