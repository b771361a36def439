"""A token bucket per API key, like the documented 40 requests/s per token."""

from __future__ import annotations

import math
import threading
import time

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allow ``rate`` requests per second per key, with a burst of one second's worth.

    >>> rl = RateLimiter(2.0)
    >>> [rl.acquire("k")[0] for _ in range(3)]
    [True, True, False]
    """

    def __init__(self, rate: float | None) -> None:
        self.rate = float(rate or 0.0)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, key: str) -> tuple[bool, float]:
        """``(allowed, seconds_until_a_token)`` for one request of ``key``."""
        if not self.enabled:
            return True, 0.0
        now = time.monotonic()
        capacity = max(1.0, self.rate)
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * self.rate)
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
