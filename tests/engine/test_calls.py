"""Retries live in the API layer; the engine only asks its errors what happened.

(The engine used to retry safe calls itself on top of the client, up to 15 tries in all;
now a call is tried ``max_retries + 1`` times, and the engine reads ``retry_safe`` and
``may_have_been_applied`` instead of re-deriving the rules.)
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from resemble_nb.api import (
    APIConnectionError,
    AsyncClient,
    BadRequestError,
    InternalServerError,
    OutcomeUnknownError,
    RateLimitError,
)
from resemble_nb.api.errors import error_for_status
from resemble_nb.engine._calls import CreateOutcomeUnknown, create, not_created


def _failing(*errors: Exception) -> Callable[[], Any]:
    queue = list(errors)

    async def call() -> str:
        if queue:
            raise queue.pop(0)
        return "ok"

    return call


def _status(status: int, *, safe: bool = False, **kwargs: Any) -> Exception:
    return error_for_status(status, "no", method="POST", path="/detect", safe=safe, **kwargs)


def _client(answers: list[int], max_retries: int = 2) -> tuple[AsyncClient, list[str]]:
    seen: list[str] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        status = queue.pop(0) if queue else 200
        if status == 200:
            return httpx.Response(200, json={"success": True, "item": {"uuid": "b1"}})
        return httpx.Response(status, json={"message": "no"}, headers={"retry-after": "0"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = AsyncClient(
        api_key="k", base_url="http://x.test", http_client=http, max_retries=max_retries
    )
    client._sleep = lambda _s: asyncio.sleep(0)  # type: ignore[method-assign,assignment]
    return client, seen


def test_the_errors_say_what_is_safe_to_send_again() -> None:
    """What the engine used to re-derive (its own status tuples, ConnectError peeking)."""
    assert _status(429).retry_safe and not _status(429).may_have_been_applied
    assert _status(503).retry_safe and not _status(503).may_have_been_applied
    assert APIConnectionError("reset", method="GET", path="/detect").retry_safe
    assert not _status(400).retry_safe and not _status(400).may_have_been_applied
    for status in (500, 502, 504):
        assert _status(status).may_have_been_applied and not _status(status).retry_safe
        assert _status(status, safe=True).retry_safe  # a read may be repeated
    dropped = OutcomeUnknownError("dropped", method="POST", path="/detect")
    assert dropped.may_have_been_applied and not dropped.retry_safe
    assert not_created(_status(429)) and not_created(_status(503))
    assert not not_created(_status(502)) and not not_created(_status(400))


def test_a_safe_call_is_tried_max_retries_plus_one_times_in_all() -> None:
    async def go() -> tuple[list[str], list[str]]:
        client, seen = _client([429, 502, 200])
        async with client:
            batch = await client.get_batch("b1")
        assert batch.uuid == "b1"
        failing, seen_failing = _client([503] * 20)
        async with failing:
            with pytest.raises(InternalServerError):
                await failing.get_batch("b1")
        return seen, seen_failing

    through, gave_up = asyncio.run(go())
    assert through == ["GET /detect/batch/b1"] * 3
    assert gave_up == ["GET /detect/batch/b1"] * 3  # max_retries=2: three tries, not 15


def test_creates_are_repeated_by_the_client_only_when_nothing_was_created() -> None:
    async def send(answers: list[int]) -> tuple[str, list[str]]:
        client, seen = _client(answers)
        async with client:
            files = [("clip.wav", io.BytesIO(b"RIFF0000WAVE"))]
            try:
                batch = await create(lambda: client.detect_batch(files))
            except CreateOutcomeUnknown:
                return "unknown", seen
        return batch.uuid, seen

    created, seen = asyncio.run(send([429, 503]))
    assert created == "b1" and seen == ["POST /detect/batch"] * 3
    unknown, seen = asyncio.run(send([502]))
    assert unknown == "unknown" and seen == ["POST /detect/batch"]  # may exist: not repeated


def test_safe_calls_give_up_on_a_refusal() -> None:
    with pytest.raises(BadRequestError):
        asyncio.run(create(_failing(_status(400))))


@pytest.mark.parametrize(
    "error",
    [
        OutcomeUnknownError("dropped", method="POST", path="/detect"),
        _status(500),
        _status(502),
        _status(504),
    ],
)
def test_an_unknown_outcome_is_raised_for_reconciling(error: Exception) -> None:
    with pytest.raises(CreateOutcomeUnknown):
        asyncio.run(create(_failing(error)))


def test_a_refusal_that_created_nothing_is_raised_as_it_is() -> None:
    with pytest.raises(RateLimitError):
        asyncio.run(create(_failing(_status(429))))
