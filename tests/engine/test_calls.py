"""Which failures are retried, and which make a create request's outcome unknown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from resemble_nb.api import (
    APIConnectionError,
    BadRequestError,
    InternalServerError,
    OutcomeUnknownError,
    RateLimitError,
)
from resemble_nb.engine._calls import CreateOutcomeUnknown, create, is_transient, safely


class _Ctx:
    """Just what the call helpers use of a Context: counting and sleeping."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.stats: dict[str, int] = {}

    def count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        return retry_after if retry_after is not None else 0.001 * attempt

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def _failing(*errors: Exception) -> Callable[[], Any]:
    queue = list(errors)

    async def call() -> str:
        if queue:
            raise queue.pop(0)
        return "ok"

    return call


def _status(cls: type, status: int, **kwargs: Any) -> Exception:
    return cls("no", status_code=status, method="POST", path="/detect", **kwargs)  # type: ignore[no-any-return]


def test_transient_failures() -> None:
    assert is_transient(_status(RateLimitError, 429))
    assert is_transient(_status(InternalServerError, 503))
    assert is_transient(APIConnectionError("reset", method="GET", path="/detect"))
    assert not is_transient(_status(BadRequestError, 400))


def test_safe_calls_are_retried_through_transient_failures() -> None:
    ctx = _Ctx()
    call = _failing(
        _status(RateLimitError, 429, retry_after=0.2), _status(InternalServerError, 502)
    )
    assert asyncio.run(safely(ctx, call)) == "ok"  # type: ignore[arg-type]
    assert ctx.slept[0] == 0.2 and len(ctx.slept) == 2


def test_safe_calls_give_up_on_a_refusal() -> None:
    with pytest.raises(BadRequestError):
        asyncio.run(safely(_Ctx(), _failing(_status(BadRequestError, 400))))  # type: ignore[arg-type]


def test_an_unreachable_server_is_not_retried_again_and_again() -> None:
    refused = APIConnectionError("refused", method="GET", path="/detect")
    refused.__cause__ = httpx.ConnectError("All connection attempts failed")
    ctx = _Ctx()
    with pytest.raises(APIConnectionError):
        asyncio.run(safely(ctx, _failing(refused, refused)))  # type: ignore[arg-type]
    assert ctx.slept == []


def test_creates_are_repeated_only_when_nothing_was_created() -> None:
    ctx = _Ctx()
    not_sent = APIConnectionError("refused", method="POST", path="/detect")
    call = _failing(_status(RateLimitError, 429), _status(InternalServerError, 503), not_sent)
    assert asyncio.run(create(ctx, call)) == "ok"  # type: ignore[arg-type]
    assert len(ctx.slept) == 3


@pytest.mark.parametrize(
    "error",
    [
        OutcomeUnknownError("dropped", method="POST", path="/detect"),
        _status(InternalServerError, 500),
        _status(InternalServerError, 502),
        _status(InternalServerError, 504),
    ],
)
def test_an_unknown_outcome_is_raised_for_reconciling(error: Exception) -> None:
    ctx = _Ctx()
    with pytest.raises(CreateOutcomeUnknown):
        asyncio.run(create(ctx, _failing(error)))  # type: ignore[arg-type]
    assert ctx.slept == []
