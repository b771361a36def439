"""Fixtures: a case folder, and ``review(sandbox, paths, **kwargs)`` that waits for the run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from resemble_nb.case import Case
from resemble_nb.engine import Run
from resemble_nb.sandbox import Sandbox

from .helpers import FAST, client_for


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    opened = Case(tmp_path / "case")
    yield opened
    opened.close()


Review = Callable[..., Run]


@pytest.fixture
def review(case: Case) -> Review:
    """``review(sandbox, paths, **kwargs)``: a finished run (waits up to 60 s)."""

    def run(sandbox: Sandbox, paths: Any, wait: bool = True, **kwargs: Any) -> Run:
        kwargs.setdefault("poll_interval", FAST)
        kwargs.setdefault("display", False)
        started = case.review(paths, client=client_for(sandbox), **kwargs)
        return started.wait(60) if wait else started

    return run
