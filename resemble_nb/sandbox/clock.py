"""The sandbox's clock: injectable, and advanceable through ``POST /_sandbox/clock``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

__all__ = ["Clock", "isoformat"]


class Clock:
    """Epoch seconds from a base clock plus an offset that only grows.

    >>> c = Clock(lambda: 100.0)
    >>> c.advance(5)
    >>> c.now()
    105.0
    """

    def __init__(self, base: Callable[[], float] | None = None) -> None:
        self._base = base or time.time
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            offset = self._offset
        return float(self._base()) + offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            self._offset += seconds


def isoformat(epoch: float) -> str:
    """ISO-8601 in UTC with milliseconds, as the API sends: ``2025-12-10T15:30:00.000Z``."""
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
