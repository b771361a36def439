"""Retry policy: which failures to retry, and how long to wait. Pure functions.

* Connection failures before the request was sent (``ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``) are always retried.
* Failures after it may have been sent (read timeout, dropped connection) are
  retried only for requests that are safe to repeat (GET, DELETE, uploads);
  a POST that creates a detect, batch or intelligence report is not.
* Statuses 429 and 503 (the server did not take the request) are always retried;
  500, 502 and 504 (it may have been carried out behind a gateway) only for safe
  requests, so a detect is never created and billed twice.
* The wait is exponential with jitter (0.5 s doubling, capped at 8 s), or the
  server's ``Retry-After`` (seconds or an HTTP date) when it sent one, up to
  60 s. A longer ``Retry-After`` is not slept through: the error is raised and
  carries it.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Mapping
from datetime import datetime, timezone

import httpx

__all__ = [
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "backoff",
    "is_sent_before_failure",
    "parse_retry_after",
    "retry_delay",
    "should_retry_status",
]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

RETRY_STATUSES = frozenset({429, 503})
RETRY_STATUSES_SAFE = RETRY_STATUSES | {500, 502, 504}
MAYBE_APPLIED_STATUSES = frozenset({500, 502, 504})
"""Failures after which the request may nevertheless have been carried out."""

# Raised before any byte of the request left this machine.
_NOT_SENT: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


def should_retry_status(status_code: int, *, safe: bool) -> bool:
    """Whether an answer with ``status_code`` is worth retrying.

    Args:
        status_code: The HTTP status received.
        safe: Whether repeating the request cannot create anything twice.
    """
    return status_code in (RETRY_STATUSES_SAFE if safe else RETRY_STATUSES)


def is_sent_before_failure(exc: httpx.TransportError) -> bool:
    """Whether the request may have reached the server before ``exc`` happened."""
    return not isinstance(exc, _NOT_SENT)


def parse_retry_after(
    headers: Mapping[str, str] | httpx.Headers, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait according to ``Retry-After`` (or ``Retry-After-Ms``).

    Accepts delta-seconds (``"2"``, ``"1.5"``) and HTTP dates
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``). Past dates and negative numbers give 0.
    Missing or unreadable values give ``None``.

    >>> parse_retry_after({"retry-after": "2"})
    2.0
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(0.0, value)
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now or datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def backoff(retries_taken: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: about 0.5 s, 1 s, 2 s... never above 8 s.

    The delay is ``min(0.5 * 2**n, 8)`` scaled by a random factor in ``(0.75, 1]``.
    """
    base = min(INITIAL_DELAY * (2.0 ** max(0, retries_taken)), MAX_DELAY)
    jitter = 1.0 - 0.25 * (rng or random).random()
    return base * jitter


def retry_delay(
    retries_taken: int, retry_after: float | None, rng: random.Random | None = None
) -> float | None:
    """How long to wait before the next attempt, or ``None`` to stop retrying.

    A server-sent ``retry_after`` within :data:`MAX_RETRY_AFTER` is honoured exactly;
    a longer one stops the retries (the caller should surface it); without one the
    delay is :func:`backoff`.
    """
    if retry_after is not None:
        if retry_after > MAX_RETRY_AFTER:
            return None
        return retry_after
    return backoff(retries_taken, rng)
