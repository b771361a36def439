"""Walking ``GET /detect`` in any order: edge cases over a mock transport.

The real proof (the engine against the sandbox's list orders over HTTP) is in
test_reconcile.py, test_resume.py and test_chaos.py; these pin down what a walk may
conclude from pages that are sorted, reversed, shuffled, reshuffled on every request,
or sorted until they are not.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from resemble_nb.api import AsyncClient, DetectionPage, InternalServerError
from resemble_nb.engine._clients import EngineClients
from resemble_nb.engine._context import Context, Listing
from resemble_nb.engine._crash import CrashHook
from resemble_nb.engine._limits import LimitedTransport, RateLimiter, UploadGate
from resemble_nb.engine._listing import Walk, walk
from resemble_nb.engine._state import Tracker

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
COUNT = 95
SIZE = 10


def _detects(count: int = COUNT) -> list[dict[str, Any]]:
    """Detects made one second apart, oldest first."""
    return [
        {
            "uuid": f"d{i:04d}",
            "status": "completed",
            "filename": f"f{i:04d}.wav",
            "created_at": (T0 + timedelta(seconds=i)).isoformat().replace("+00:00", "Z"),
        }
        for i in range(count)
    ]


Arrange = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def _server(arrange: Arrange, detects: list[dict[str, Any]]) -> tuple[Any, list[int]]:
    asked: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        asked.append(page)
        listed = arrange(list(detects))
        items = listed[(page - 1) * size : page * size]
        body = {
            "success": True,
            "page": page,
            "num_pages": math.ceil(len(listed) / size),
            "page_size": size,
            "total_count": len(listed),
            "items": items,
        }
        return httpx.Response(200, json=body)

    return handle, asked


def _walk(
    arrange: Arrange,
    *,
    since: datetime | None,
    wanted: set[str],
    max_pages: int = 100,
    listing: Listing | None = None,
    detects: list[dict[str, Any]] | None = None,
) -> tuple[Walk, dict[str, Any], list[int]]:
    handle, asked = _server(arrange, detects if detects is not None else _detects())
    found: dict[str, Any] = {}

    async def main() -> Walk:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        api = AsyncClient(api_key="k", base_url="http://service.test/api/v2", http_client=http)
        limiter = RateLimiter(1000)
        clients = EngineClients(api, api, LimitedTransport(limiter), http)
        ctx = Context(
            ledger=None,  # type: ignore[arg-type]
            tracker=Tracker(),
            clients=clients,
            limiter=limiter,
            gate=UploadGate(),
            options={},
            options_key="k",
            crash=CrashHook(""),
        )

        def take(page: DetectionPage, item: Any) -> None:
            found[item["uuid"]] = page.parse(item)

        try:
            return await walk(
                ctx,
                listing if listing is not None else ctx.listing,
                since=since,
                match=lambda item: item.get("uuid") in wanted,
                take=take,
                done=lambda: len(found) >= len(wanted),
                max_pages=max_pages,
                page_size=SIZE,
            )
        finally:
            await http.aclose()

    return asyncio.run(main()), found, asked


def newest(d: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return d[::-1]


def oldest(d: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return d


def shuffled(d: list[dict[str, Any]]) -> list[dict[str, Any]]:
    random.Random(3).shuffle(d)
    return d


SINCE = T0 + timedelta(seconds=92)  # the last three detects are "ours"


@pytest.mark.parametrize(
    ("arrange", "order", "most"),
    [(newest, "newest", 1), (oldest, "oldest", 2), (shuffled, "unordered", 10)],
)
def test_a_missing_detect_is_decided_absent_only_after_every_recent_one_was_seen(
    arrange: Arrange, order: str, most: int
) -> None:
    result, found, asked = _walk(arrange, since=SINCE, wanted={"nope"})
    assert found == {}
    assert result.complete and result.order == order
    assert result.requests == len(asked) <= most
    if order == "oldest":
        assert asked == [1, 10]  # the first page tells the order, the last page the news


@pytest.mark.parametrize("arrange", [newest, oldest, shuffled])
def test_recent_detects_are_found_in_every_order(arrange: Arrange) -> None:
    wanted = {"d0092", "d0094"}
    _, found, _ = _walk(arrange, since=SINCE, wanted=wanted)
    assert set(found) == wanted


def test_an_old_detect_in_an_unordered_list_is_found_by_reading_on() -> None:
    _, found, _ = _walk(shuffled, since=None, wanted={"d0000"})
    assert set(found) == {"d0000"}


def test_a_bound_reached_first_leaves_the_answer_open() -> None:
    result, found, asked = _walk(shuffled, since=SINCE, wanted={"nope"}, max_pages=4)
    assert found == {} and not result.complete and len(asked) == 4


def test_a_list_reshuffled_on_every_request_is_never_called_complete_too_early() -> None:
    rng = random.Random(5)

    def reshuffled(d: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng.shuffle(d)
        return d

    result, _, asked = _walk(reshuffled, since=SINCE, wanted={"nope"}, max_pages=60)
    # complete only once every one of the 95 detects was actually seen
    assert result.seen == COUNT if result.complete else result.seen < COUNT
    assert len(asked) > 10


def test_a_list_sorted_until_page_three_is_then_read_whole() -> None:
    def almost(d: list[dict[str, Any]]) -> list[dict[str, Any]]:
        listed = d[::-1]
        listed[25], listed[80] = listed[80], listed[25]  # one old detect among the new
        return listed

    result, found, asked = _walk(almost, since=T0 + timedelta(seconds=60), wanted={"d0069"})
    assert "d0069" in found
    result, found, asked = _walk(almost, since=T0 + timedelta(seconds=60), wanted={"nope"})
    assert result.complete and result.order == "unordered" and len(asked) == 10


def test_a_learned_oldest_first_order_starts_at_the_last_page() -> None:
    listing = Listing()
    _walk(oldest, since=SINCE, wanted={"nope"}, listing=listing)
    assert listing.order == "oldest" and listing.total == COUNT
    _, found, asked = _walk(oldest, since=SINCE, wanted={"d0093"}, listing=listing)
    assert set(found) == {"d0093"} and asked == [10]


def test_one_page_holds_everything() -> None:
    result, _, asked = _walk(shuffled, since=SINCE, wanted={"nope"}, detects=_detects(SIZE - 1))
    assert result.complete and asked == [1]


@pytest.mark.parametrize(("failures", "ends"), [(3, "found"), (4, "raises")])
def test_a_page_that_fails_for_a_while_is_waited_out_then_given_up(
    failures: int, ends: str
) -> None:
    handle, asked = _server(newest, _detects())
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) <= failures:
            return httpx.Response(500, json={"success": False, "message": "down"})
        return handle(request)

    naps: list[float] = []

    async def main() -> Walk:
        http = httpx.AsyncClient(transport=httpx.MockTransport(flaky))
        api = AsyncClient(
            api_key="k", base_url="http://service.test/api/v2", http_client=http, max_retries=0
        )
        limiter = RateLimiter(1000)
        ctx = Context(
            ledger=None,  # type: ignore[arg-type]
            tracker=Tracker(),
            clients=EngineClients(api, api, LimitedTransport(limiter), http),
            limiter=limiter,
            gate=UploadGate(),
            options={},
            options_key="k",
            crash=CrashHook(""),
        )

        async def nap(seconds: float) -> None:  # the backoff, observed instead of slept
            naps.append(seconds)

        ctx.sleep = nap  # type: ignore[method-assign]
        try:
            return await walk(
                ctx, ctx.listing, since=SINCE, match=lambda item: False,
                take=lambda page, item: None, max_pages=10, page_size=SIZE,
            )  # fmt: skip
        finally:
            await http.aclose()

    if ends == "found":
        result = asyncio.run(main())
        assert result.complete and asked == [1] and len(naps) == failures
    else:
        with pytest.raises(InternalServerError):
            asyncio.run(main())
        assert asked == [] and len(naps) == failures - 1
