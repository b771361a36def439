"""Politeness: one request-rate limiter for every request, and bounded uploads.

The limiter sits in the HTTP transport of the engine's client, so *every* request goes
through it: uploads, creates, polls, list pages, and the client's own retries. It paces
requests evenly (a GCRA / virtual-clock scheduler with a small burst), and when the
server answers 429 anyway it stops sending until ``Retry-After`` (or one second) has
passed and halves its rate, recovering step by step on successes. So a run never turns
one 429 into a storm.

>>> limiter = RateLimiter(20.0)
>>> limiter.rate
20.0
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from ..api import parse_retry_after

__all__ = [
    "DEFAULT_MAX_UPLOADS",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_RATE",
    "LimitedTransport",
    "RateLimiter",
    "UploadGate",
]

DEFAULT_RATE = 20.0
"""Requests per second: half the documented 40/s, leaving room for other tools."""
DEFAULT_MAX_UPLOADS = 4
"""Upload requests (secure uploads and batches) in flight at once."""
DEFAULT_MAX_UPLOAD_BYTES = 600 * 1024 * 1024
"""Bytes in flight in upload requests (a full batch is 500 MB)."""


class RateLimiter:
    """Paces requests at ``rate`` per second with a burst of ``burst``; backs off on 429.

    Must be used from one event loop. ``acquire()`` reserves the next free slot in
    arrival order and sleeps until it comes.

    Attributes:
        rate: The configured rate (requests per second).
        current_rate: The rate in force now (lower after a 429, then recovering).
        waits: How many acquisitions had to wait; ``throttled``: 429s seen.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        burst: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate_limit must be a positive number of requests/s, not {rate}")
        self.rate = float(rate)
        self.current_rate = float(rate)
        self.burst = max(1, int(burst))
        self._clock = clock
        self._tat = float("-inf")  # theoretical arrival time of the next request
        self._paused_until = 0.0
        self._last_cut = float("-inf")
        self.waits = 0
        self.throttled = 0
        self.requests = 0

    @property
    def _interval(self) -> float:
        return 1.0 / self.current_rate

    def _reserve(self) -> float:
        """Take the next slot; return how long to wait for it."""
        now = self._clock()
        start = max(self._tat, now - (self.burst - 1) * self._interval, self._paused_until)
        self._tat = start + self._interval
        self.requests += 1
        # up to ``burst`` requests may go at once after an idle spell
        wait = start - now
        return wait if wait > 1e-4 else 0.0

    async def acquire(self) -> None:
        """Wait for the next free slot."""
        wait = self._reserve()
        if wait:
            self.waits += 1
            await asyncio.sleep(wait)

    def now(self) -> float:
        """The limiter's clock (what ``sent_at`` is measured on)."""
        return self._clock()

    def on_rate_limited(self, retry_after: float | None, sent_at: float | None = None) -> None:
        """A 429 came back: pause for ``retry_after`` (or 1 s) and halve the rate.

        A 429 for a request sent before the last cut does not cut again: that request
        left at the old rate, which the cut already answered. Without this, a burst of
        in-flight requests answered 429 would halve the rate once each.
        """
        self.throttled += 1
        pause = min(max(retry_after if retry_after is not None else 1.0, 0.1), 60.0)
        now = self._clock()
        self._paused_until = max(self._paused_until, now + pause)
        self._tat = max(self._tat, self._paused_until)
        if sent_at is None or sent_at >= self._last_cut:
            self.current_rate = max(1.0, self.current_rate / 2)
            self._last_cut = now

    def on_success(self) -> None:
        """A non-429 answer: creep back toward the configured rate."""
        if self.current_rate < self.rate:
            self.current_rate = min(self.rate, self.current_rate + 0.5)


class LimitedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that asks the :class:`RateLimiter` before every request."""

    def __init__(self, limiter: RateLimiter, inner: httpx.AsyncBaseTransport | None = None):
        self.limiter = limiter
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.responses: dict[int, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.limiter.acquire()
        sent_at = self.limiter.now()
        response = await self._inner.handle_async_request(request)
        self.responses[response.status_code] = self.responses.get(response.status_code, 0) + 1
        if response.status_code == 429:
            self.limiter.on_rate_limited(parse_retry_after(response.headers), sent_at)
        else:
            self.limiter.on_success()
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class UploadGate:
    """Bounds uploads in flight by count and by bytes.

    A request larger than the byte budget on its own still goes (alone), so nothing
    can wait forever.
    """

    def __init__(
        self, max_uploads: int = DEFAULT_MAX_UPLOADS, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    ) -> None:
        if max_uploads < 1 or max_bytes < 1:
            raise ValueError("max_uploads and max_upload_bytes must be at least 1")
        self.max_uploads = max_uploads
        self.max_bytes = max_bytes
        self._count = 0
        self._bytes = 0
        self._changed = asyncio.Condition()
        self.peak_count = 0
        self.peak_bytes = 0

    @asynccontextmanager
    async def slot(self, size: int) -> AsyncIterator[None]:
        """Hold an upload slot of ``size`` bytes for the duration of the block."""
        size = max(0, int(size))
        async with self._changed:
            await self._changed.wait_for(
                lambda: (
                    self._count < self.max_uploads
                    and (self._bytes + size <= self.max_bytes or self._count == 0)
                )
            )
            self._count += 1
            self._bytes += size
            self.peak_count = max(self.peak_count, self._count)
            self.peak_bytes = max(self.peak_bytes, self._bytes)
        try:
            yield
        finally:
            async with self._changed:
                self._count -= 1
                self._bytes -= size
                self._changed.notify_all()
