"""Polling a detection or batch until it is finished: waits and the timeout error."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .errors import WaitTimeoutError
from .models import Batch, Detection

if TYPE_CHECKING:
    from ._analysis import Question

__all__ = [
    "Deadline",
    "answer_intervals",
    "answer_timeout_error",
    "answered_in_full",
    "poll_intervals",
    "wait_target",
    "wait_timeout_error",
]


class Deadline:
    """The waits of a polling loop, shared by both clients: the next interval, never past
    ``timeout``; ``None`` once the time is up (the caller raises its own error)."""

    def __init__(
        self, monotonic: Callable[[], float], timeout: float, intervals: Iterator[float]
    ) -> None:
        self._now = monotonic
        self._start = monotonic()
        self.timeout = timeout
        self._intervals = intervals

    @property
    def waited(self) -> float:
        return self._now() - self._start

    def next_wait(self) -> float | None:
        waited = self.waited
        if waited >= self.timeout:
            return None
        return min(next(self._intervals), self.timeout - waited)


def poll_intervals(poll_interval: tuple[float, float] | float) -> Iterator[float]:
    """Waits between polls: from the low bound, growing by half each time, to the high."""
    if isinstance(poll_interval, (int, float)):
        low = high = float(poll_interval)
    else:
        low, high = (float(v) for v in poll_interval)
    return _growing(low, high, 1.5, poll_interval)


def _growing(
    low: float, high: float, factor: float, asked: tuple[float, float] | float
) -> Iterator[float]:
    """From ``low``, times ``factor`` each time, to ``high`` (``asked`` names a bad pair)."""
    if low <= 0 or high < low:
        raise ValueError(f"poll_interval must be positive and (low, high) ordered: {asked}")
    interval = low
    while True:
        yield interval
        interval = min(high, interval * factor)


def answered_in_full(det: Detection) -> Detection | None:
    """A ``Prefer: wait`` answer read for what it is, or ``None`` when one GET must settle it.

    The docs' ``Prefer: wait`` examples carry no ``status`` (contract §11). An answer with
    a status is taken as it is; one without a status but with the headline metrics of
    its media is complete; anything else is in doubt.
    """
    if det.status is not None:
        return det
    if det.score is not None and det.label_raw is not None:
        return dataclasses.replace(det, status="completed")
    return None


def wait_target(target: Any, kind: str) -> tuple[str, str]:
    """``(kind, uuid)`` for ``wait_for``: a Detection, a Batch, or an id of ``kind``."""
    if isinstance(target, Detection):
        return "detect", target.uuid
    if isinstance(target, Batch):
        return "batch", target.uuid
    if isinstance(target, str):
        if kind not in ("detect", "batch"):
            raise ValueError(f"kind must be 'detect' or 'batch', not {kind!r}")
        return kind, target
    raise TypeError(f"wait_for() takes a Detection, a Batch or an id, not {type(target).__name__}")


def wait_timeout_error(
    kind: str, uuid: str, last: Detection | Batch | None, waited: float
) -> WaitTimeoutError:
    status = last.status if last is not None else None
    return WaitTimeoutError(
        f"{kind} {uuid} is still {status!r} after {waited:.0f} s of waiting; "
        "the last state seen is in .last (it is not finished: do not read it as a result)",
        last=last,
        waited=waited,
    )


def answer_intervals(poll_interval: tuple[float, float]) -> Iterator[float]:
    """Waits for an answer, as the docs advise: from 1 s, doubling, at most 10 s.

    >>> waits = answer_intervals((1.0, 10.0))
    >>> [next(waits) for _ in range(6)]
    [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    """
    low, high = (float(v) for v in poll_interval)
    return _growing(low, high, 2.0, poll_interval)


def answer_timeout_error(last: Question, waited: float) -> WaitTimeoutError:
    return WaitTimeoutError(
        f"question {last.uuid} about detect {last.detect_uuid} is still {last.status!r} "
        f"after {waited:.0f} s of waiting; ask for it again later with get_question()",
        last=last,
        waited=waited,
    )
