"""What the widgets need from a case and a run, as structural types.

The widgets are views over :mod:`resemble_nb.case` and :mod:`resemble_nb.engine`. They
take their vocabulary (state, label and verdict names) from the layers below, as the
layer table allows, but they code against these protocols for the live objects (a run,
its items, a case), not against the concrete classes, so a plain test can drive a widget
with a small double and no widget depends on how a run or a case is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CaseLike",
    "ItemStatusLike",
    "ProgressLike",
    "RunEventLike",
    "RunLike",
]


class ProgressLike(Protocol):
    """``run.progress``: counts by state over a run's items."""

    @property
    def total(self) -> int: ...
    @property
    def counts(self) -> Mapping[str, int]: ...
    @property
    def finished(self) -> int: ...
    @property
    def fraction(self) -> float: ...


class ItemStatusLike(Protocol):
    """One item of a run, as ``run.items()`` returns it."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def media_type(self) -> str | None: ...
    @property
    def state(self) -> str: ...
    @property
    def label(self) -> str | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def elapsed(self) -> float | None: ...


class RunEventLike(Protocol):
    """What a run's subscribers receive: ``kind`` is ``"item"`` or ``"finished"``."""

    @property
    def kind(self) -> str: ...
    @property
    def item(self) -> ItemStatusLike | None: ...
    @property
    def progress(self) -> ProgressLike: ...


class RunLike(Protocol):
    """A review in progress (``case.review(...)``)."""

    @property
    def done(self) -> bool: ...
    @property
    def progress(self) -> ProgressLike: ...
    def items(self) -> Sequence[ItemStatusLike]: ...
    def cancel(self) -> None: ...
    def subscribe(self, callback: Callable[[RunEventLike], None]) -> Callable[[], None]: ...


class CaseLike(Protocol):
    """A case folder with its ledger."""

    @property
    def folder(self) -> Path: ...
    def results(self) -> pd.DataFrame: ...
    def segments(self) -> pd.DataFrame: ...
    def decide(
        self, item: str, verdict: str, note: str = "", reviewer: str | None = None
    ) -> Any: ...
