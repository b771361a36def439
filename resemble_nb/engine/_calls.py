"""Calling the API from the engine: patient with safe calls, careful with creates.

* :func:`safely` repeats a call that cannot create anything (uploads, reads) after
  transient failures (429, 5xx, connection trouble), on top of the client's own retries,
  so a chaotic network slows a run down instead of failing its items.
* :func:`create` sends a request that creates a detect or a batch. It repeats it only
  when the answer proves nothing was created (429, 503, a connection that never opened).
  When the outcome is unknown (the connection dropped after sending, a timeout, a 500,
  502 or 504), it raises :class:`CreateOutcomeUnknown`: the caller must reconcile with
  the server before any new attempt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from .._errors import ResembleError
from ..api import (
    APIConnectionError,
    APIStatusError,
    InternalServerError,
    OutcomeUnknownError,
    RateLimitError,
)
from ._context import Context, describe

__all__ = ["CreateOutcomeUnknown", "FatalAPIError", "create", "is_transient", "safely"]

T = TypeVar("T")

SAFE_ATTEMPTS = 5
CREATE_ATTEMPTS = 5


class FatalAPIError(ResembleError):
    """The API refuses the account itself (a bad key): nothing else in the run can succeed."""


class CreateOutcomeUnknown(ResembleError):
    """A create request may or may not have created its detect(s); reconcile first."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(describe(cause))
        self.cause = cause


def is_transient(exc: BaseException) -> bool:
    """Worth trying again later: rate limits, server trouble, connection trouble."""
    if isinstance(exc, APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, APIConnectionError)


def is_unreachable(exc: BaseException) -> bool:
    """No server answers at that address at all (the client already retried)."""
    return isinstance(exc, APIConnectionError) and isinstance(exc.__cause__, httpx.ConnectError)


def retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, RateLimitError) else None


async def safely(
    ctx: Context, call: Callable[[], Awaitable[T]], *, attempts: int = SAFE_ATTEMPTS
) -> T:
    """Run a call that is safe to repeat, retrying transient failures a few times."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            attempt += 1
            if not is_transient(exc) or attempt >= attempts or is_unreachable(exc):
                raise
            ctx.count("engine_retries")
            await ctx.sleep(ctx.backoff(attempt, retry_after(exc)))


def not_created(exc: BaseException) -> bool:
    """Whether the failed create provably created nothing."""
    if isinstance(exc, OutcomeUnknownError):
        return False
    if isinstance(exc, APIStatusError):
        return exc.status_code in (429, 503)
    # refused or never connected: the client raises OutcomeUnknownError when it had sent
    return isinstance(exc, APIConnectionError)


def _unknown(exc: BaseException) -> bool:
    if isinstance(exc, OutcomeUnknownError):
        return True
    return isinstance(exc, InternalServerError) and exc.status_code in (500, 502, 504)


async def create(ctx: Context, call: Callable[[], Awaitable[T]], *, retry: bool = True) -> T:
    """Send a create request; repeat it only when nothing can have been created.

    With ``retry=False`` a refusal that created nothing is raised at once (the caller
    sends a new request, e.g. with a fresh media token, which serves once).

    Raises:
        CreateOutcomeUnknown: the request may have created something.
        APIStatusError: a definite refusal (400, 402, 403...), or still rate limited
            after several tries.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            if _unknown(exc):
                raise CreateOutcomeUnknown(exc) from exc
            attempt += 1
            if not retry or not not_created(exc) or attempt >= CREATE_ATTEMPTS:
                raise
            ctx.count("engine_retries")
            await ctx.sleep(ctx.backoff(attempt, retry_after(exc)))
