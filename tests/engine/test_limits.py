"""One rate limiter for every request; bounded uploads."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from resemble_nb.engine._limits import LimitedTransport, RateLimiter, UploadGate

from .conftest import Review
from .helpers import write_wavs


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_are_spaced_at_the_rate_after_a_small_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, burst=2, clock=clock)
    waits = [limiter._reserve() for _ in range(6)]
    assert waits[:2] == [0.0, 0.0]
    assert waits[2:] == pytest.approx([0.1, 0.2, 0.3, 0.4])


def test_an_idle_spell_restores_only_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, burst=3, clock=clock)
    for _ in range(5):
        limiter._reserve()
    clock.now += 60
    waits = [limiter._reserve() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3] > 0


def test_a_429_pauses_and_halves_the_rate_then_it_recovers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(20.0, clock=clock)
    limiter.on_rate_limited(2.0)
    assert limiter.current_rate == 10.0 and limiter.throttled == 1
    assert limiter._reserve() == pytest.approx(2.0)
    for _ in range(40):
        limiter.on_success()
    assert limiter.current_rate == 20.0


def test_429s_for_requests_already_in_flight_cut_the_rate_once() -> None:
    clock = FakeClock()
    limiter = RateLimiter(20.0, clock=clock)
    sent = [clock.now] * 4  # four requests left together at the old rate...
    clock.now += 0.05
    for sent_at in sent:  # ...and all came back 429
        limiter.on_rate_limited(1.0, sent_at)
    assert limiter.current_rate == 10.0 and limiter.throttled == 4
    clock.now += 1.5
    limiter.on_rate_limited(1.0, clock.now - 0.01)  # sent after the cut: cut again
    assert limiter.current_rate == 5.0


def test_the_limiter_refuses_a_nonsense_rate() -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        RateLimiter(0)


async def test_acquire_really_waits() -> None:
    limiter = RateLimiter(50.0, burst=1)
    start = time.perf_counter()
    for _ in range(11):
        await limiter.acquire()
    assert time.perf_counter() - start == pytest.approx(0.2, abs=0.08)


async def test_the_transport_limits_every_request_and_counts_answers() -> None:
    answers = iter([429, 200, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers), headers={"Retry-After": "0.2"})

    limiter = RateLimiter(100.0)
    transport = LimitedTransport(limiter, httpx.MockTransport(handler))
    async with httpx.AsyncClient(transport=transport) as http:
        start = time.perf_counter()
        for _ in range(3):
            await http.get("http://test/x")
        elapsed = time.perf_counter() - start
    assert transport.responses == {429: 1, 200: 2}
    assert limiter.requests == 3 and limiter.throttled == 1
    assert elapsed >= 0.19  # the 429 paused everything for its Retry-After


async def test_the_upload_gate_bounds_count_and_bytes() -> None:
    gate = UploadGate(max_uploads=3, max_bytes=100)

    async def upload(size: int) -> None:
        async with gate.slot(size):
            await asyncio.sleep(0.01)

    await asyncio.gather(*(upload(40) for _ in range(10)))
    assert gate.peak_count == 2 and gate.peak_bytes == 80
    await asyncio.gather(*(upload(1) for _ in range(10)))
    assert gate.peak_count == 3
    await upload(500)  # larger than the budget: goes alone rather than never
    assert gate.peak_bytes == 500


def test_a_review_stays_under_the_servers_rate_limit(
    tmp_path: Path, review: Review, sandbox_factory: type
) -> None:
    # the sandbox allows 12 requests/s; the engine is told 10/s: no 429 at all
    sandbox = sandbox_factory(rate_limit=12.0)
    write_wavs(tmp_path / "evidence", 15)
    run = review(sandbox, tmp_path / "evidence", strategy="single", rate_limit=10.0)
    assert run.progress.counts == {"completed": 15}
    assert sandbox.stats()["rate_limited"] == 0
    assert run.stats()["rate_limited"] == 0
    assert run.stats()["requests"] == sandbox.stats()["requests_total"]
