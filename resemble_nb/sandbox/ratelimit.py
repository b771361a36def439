"""A token bucket per API key, like the documented 40 requests/s per token."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allow ``rate`` requests per second per key, with a burst of one second's worth.

    ``clock`` gives seconds (the sandbox passes its own clock, so advancing it refills
    the buckets; the default is ``time.monotonic``).

    >>> now = [0.0]
    >>> rl = RateLimiter(2.0, clock=lambda: now[0])
    >>> [rl.acquire("k")[0] for _ in range(3)]
    [True, True, False]
    >>> now[0] += 0.5
    >>> rl.acquire("k")
    (True, 0.0)
    """

    def __init__(self, rate: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = float(rate or 0.0)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key: str) -> tuple[bool, float]:
        """``(allowed, seconds_until_a_token)`` for one request of ``key``."""
        if not self.enabled:
            return True, 0.0
        now = self._clock()
        capacity = max(1.0, self.rate)
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return True, 0.0
            self._buckets[key] = (tokens, now)
            return False, (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after_header(wait: float) -> str:
        """Whole seconds, at least 1, as HTTP's ``Retry-After`` wants."""
        return str(max(1, math.ceil(wait)))

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
