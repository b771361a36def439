"""What a run shows the outside world: item statuses, progress, events, subscribers.

Everything here is plain data plus one thread-safe board (:class:`Tracker`). The engine
thread writes; notebooks, widgets and the CLI read snapshots from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Literal

from ..ledger import STATES as JOB_STATES
from ..ledger import TERMINAL_STATES, JobState

__all__ = [
    "LIVE",
    "STATES",
    "TERMINAL",
    "ItemStatus",
    "Progress",
    "RunEvent",
    "State",
    "Tracker",
]

logger = logging.getLogger("resemble_nb.engine")

RunOnlyState = Literal["inspecting", "processing"]
"""States a run shows that the ledger never stores: reading a file; the server at work."""
State = Literal[JobState, RunOnlyState]
"""An item's state in a run: the ledger's job states plus the run's own."""

# Where each run-only state sits in pipeline order: right after the named ledger state.
_AFTER: dict[RunOnlyState, JobState] = {"inspecting": "pending", "processing": "submitted"}
STATES: tuple[State, ...] = tuple(
    state
    for job_state in JOB_STATES
    for state in (job_state, *(extra for extra, after in _AFTER.items() if after == job_state))
)
"""Every state in pipeline order (the board's counts line lists them so)."""
TERMINAL: frozenset[str] = frozenset(TERMINAL_STATES)
"""States an item never leaves within a run (the ledger's terminal states)."""
LIVE: frozenset[str] = frozenset(STATES) - TERMINAL


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ItemStatus:
    """One item of a run, as it stands.

    Attributes:
        key: The item's sha256; for a file that never became an item (skipped before
            hashing, or still being inspected), its path.
        name: The file name shown to the investigator.
        media_type: ``audio``, ``video``, ``image``, or ``None`` when unknown.
        state: One of :data:`STATES`.
        label: The verdict label (``"likely_fake"``...) once completed, else ``None``.
        score: The headline score (0-1) once completed, else ``None``.
        error: Why it failed, was skipped or cancelled.
        started_at: When the run started working on it; ``finished_at``: when it ended.
    """

    key: str
    name: str
    media_type: str | None
    state: State
    label: str | None = None
    score: float | None = None
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def elapsed(self) -> float | None:
        """Seconds from start to end (or to now while in flight); ``None`` if not started."""
        if self.started_at is None:
            return None
        end = self.finished_at or _now()
        return max(0.0, (end - self.started_at).total_seconds())

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL


@dataclass(frozen=True)
class Progress:
    """Counts by state over a run's items.

    >>> p = Progress(total=4, counts={"completed": 2, "failed": 1, "submitted": 1})
    >>> p.finished, p.fraction
    (3, 0.75)
    """

    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def finished(self) -> int:
        """Items in a terminal state."""
        return sum(n for state, n in self.counts.items() if state in TERMINAL)

    @property
    def in_flight(self) -> int:
        return self.total - self.finished

    @property
    def fraction(self) -> float:
        """Share of items finished, 0 to 1 (1 for an empty run)."""
        return 1.0 if self.total == 0 else self.finished / self.total

    def describe(self) -> str:
        """``12/20 done (completed 10, failed 1, skipped 1) — 8 in flight``."""
        parts = ", ".join(
            f"{state} {self.counts[state]}"
            for state in STATES
            if state in TERMINAL and self.counts.get(state)
        )
        text = f"{self.finished}/{self.total} done"
        if parts:
            text += f" ({parts})"
        if self.in_flight:
            text += f" — {self.in_flight} in flight"
        return text


@dataclass(frozen=True)
class RunEvent:
    """A change in a run: ``kind`` is ``"item"`` (``item`` changed), ``"plan"`` (the run
    planned, before sending anything) or ``"finished"``."""

    kind: Literal["item", "finished", "plan"]
    item: ItemStatus | None
    progress: Progress


Callback = Callable[[RunEvent], None]


class Tracker:
    """The live board of a run: statuses by key, counts, subscribers. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, ItemStatus] = {}
        self._counts: dict[str, int] = {}
        self._subscribers: list[Callback] = []
        self._failed_callbacks = 0

    # -- reading (any thread) -------------------------------------------------------------
    def snapshot(self) -> list[ItemStatus]:
        with self._lock:
            return list(self._items.values())

    def progress(self) -> Progress:
        with self._lock:
            return self._progress()

    def _progress(self) -> Progress:
        counts: dict[str, int] = {s: self._counts[s] for s in STATES if self._counts.get(s)}
        return Progress(total=len(self._items), counts=counts)

    def get(self, key: str) -> ItemStatus | None:
        with self._lock:
            return self._items.get(key)

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._items)

    # -- subscribing ----------------------------------------------------------------------
    def subscribe(self, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, events: Iterable[RunEvent]) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        if not subscribers:
            return
        for event in events:
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:  # a view must never break the engine
                    self._failed_callbacks += 1
                    if self._failed_callbacks <= 5:
                        logger.exception("a run subscriber raised; ignored")

    # -- writing (engine thread) ----------------------------------------------------------
    def _put(self, status: ItemStatus) -> None:
        old = self._items.get(status.key)
        if old is not None:
            self._counts[old.state] -= 1
        self._items[status.key] = status
        self._counts[status.state] = self._counts.get(status.state, 0) + 1

    def _drop(self, key: str) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._counts[old.state] -= 1

    def add(self, statuses: Iterable[ItemStatus]) -> None:
        """Add (or replace) items as they are."""
        added = []
        with self._lock:
            for status in statuses:
                self._put(status)
                added.append(status)
            progress = self._progress()
        self._emit(RunEvent("item", status, progress) for status in added)

    def replace(self, remove: Iterable[str], add: Iterable[ItemStatus]) -> None:
        """Swap placeholder rows (files being inspected) for the items they became."""
        added = []
        with self._lock:
            for key in remove:
                self._drop(key)
            for status in add:
                self._put(status)
                added.append(status)
            progress = self._progress()
        self._emit(RunEvent("item", status, progress) for status in added)

    def move(
        self,
        keys: Iterable[str],
        state: State,
        *,
        error: str | None = None,
        label: str | None = None,
        score: float | None = None,
    ) -> None:
        """Put items in ``state`` (terminal states are final: later moves are ignored)."""
        stamp = _now()
        changed = []
        with self._lock:
            for key in keys:
                old = self._items.get(key)
                if old is None or old.terminal or (old.state == state and error is None):
                    continue
                new = replace(
                    old,
                    state=state,
                    error=error if error is not None else old.error,
                    label=label if label is not None else old.label,
                    score=score if score is not None else old.score,
                    started_at=old.started_at or (stamp if state != "pending" else None),
                    finished_at=stamp if state in TERMINAL else None,
                )
                self._put(new)
                changed.append(new)
            progress = self._progress()
        self._emit(RunEvent("item", status, progress) for status in changed)

    def unfinished(self) -> list[str]:
        with self._lock:
            return [key for key, status in self._items.items() if not status.terminal]

    def note(self, _text: str) -> None:
        """Tell subscribers the run has planned (its plan is on the run)."""
        self._emit([RunEvent("plan", None, self.progress())])

    def finish(self) -> None:
        """Tell subscribers the run is over."""
        self._emit([RunEvent("finished", None, self.progress())])
