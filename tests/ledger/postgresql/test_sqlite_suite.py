"""The SQLite ledger's own tests, run again on a PostgreSQL case.

Every test of the ledger's modules below whose fixtures are only a ledger (plain or with a
ticking clock), its folder or a temporary folder, and that does not open the SQLite file
itself, runs here with the ledger on the throw-away PostgreSQL server: the same behaviour,
checked by the same assertions, not a second copy of them.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from resemble_nb.ledger import Ledger

from .. import (
    test_bulk,
    test_decisions,
    test_events,
    test_items,
    test_jobs,
    test_results,
    test_scrub,
    test_truth,
)
from ..conftest import T0

_MODULES: tuple[ModuleType, ...] = (
    test_bulk, test_decisions, test_events, test_items, test_jobs, test_results,
    test_scrub, test_truth,
)  # fmt: skip
_GIVEN = {"ledger", "ticking_ledger", "case", "tmp_path"}


def _portable(test: Callable[..., Any]) -> bool:
    names = set(inspect.signature(test).parameters)
    source = inspect.getsource(test)
    marks = getattr(test, "pytestmark", [])
    return names <= _GIVEN and "sqlite" not in source.lower() and not marks


_TESTS = [
    test
    for module in _MODULES
    for name, test in inspect.getmembers(module, inspect.isfunction)
    if name.startswith("test_") and test.__module__ == module.__name__ and _portable(test)
]


@pytest.mark.parametrize(
    "test", _TESTS, ids=[f"{t.__module__.rsplit('.', 1)[-1]}::{t.__name__}" for t in _TESTS]
)
def test_holds_on_postgresql(test: Callable[..., Any], pg_case: str, tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    ticks = itertools.count()
    wanted = set(inspect.signature(test).parameters)
    clock = (lambda: T0 + timedelta(seconds=next(ticks))) if "ticking_ledger" in wanted else None
    with Ledger(pg_case, folder=case, clock=clock) as ledger:
        given = {"ledger": ledger, "ticking_ledger": ledger, "case": case, "tmp_path": tmp_path}
        test(**{name: given[name] for name in wanted})


def test_the_suite_above_is_not_empty() -> None:
    assert len(_TESTS) >= 30, [t.__name__ for t in _TESTS]
