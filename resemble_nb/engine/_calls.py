"""Calling the API from the engine: the API layer retries, the engine asks its errors.

Retry rules live in one place, the API client (:mod:`resemble_nb.api._retry`): which
failures are worth another attempt, the backoff, ``Retry-After``, and never repeating a
create that may have reached the server. The engine's calls are tried as often as its
client allows (``max_retries + 1`` times in all), no more. What the engine decides for
itself is only what the API cannot know:

* :func:`create` turns an error that says ``may_have_been_applied`` into
  :class:`CreateOutcomeUnknown`: the detect may exist, so reconcile before any new
  request (never bill twice).
* :func:`not_created` says when a refused create made nothing and may be sent again
  later as a *new* request (for a single detect: with a fresh token, since a token
  serves once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from .._core.errors import ResembleError
from ..api import APIConnectionError, APIStatusError, RateLimitError
from ._context import describe

__all__ = ["CreateOutcomeUnknown", "FatalAPIError", "create", "not_created", "retry_after"]

T = TypeVar("T")


class FatalAPIError(ResembleError):
    """The API refuses the account itself (a bad key): nothing else in the run can succeed."""


class CreateOutcomeUnknown(ResembleError):
    """A create request may or may not have created its detect(s); reconcile first."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(describe(cause))
        self.cause = cause


def not_created(exc: BaseException) -> bool:
    """Whether a failed create provably made nothing and a new request may follow later."""
    if isinstance(exc, (APIStatusError, APIConnectionError)):
        return exc.retry_safe and not exc.may_have_been_applied
    return False


def retry_after(exc: BaseException) -> float | None:
    """The server's ``Retry-After`` on a 429, if it sent one."""
    return exc.retry_after if isinstance(exc, RateLimitError) else None


async def create(call: Callable[[], Awaitable[T]]) -> T:
    """Send a create request once (its client retries what is safe to retry).

    Raises:
        CreateOutcomeUnknown: the API says the request may have been carried out.
        APIStatusError, APIConnectionError: a definite refusal, or nothing was created.
    """
    try:
        return await call()
    except (APIStatusError, APIConnectionError) as exc:
        if exc.may_have_been_applied:
            raise CreateOutcomeUnknown(exc) from exc
        raise
