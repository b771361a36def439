"""Retries against the sandbox's fault injection: counts, waits, and unknown outcomes.

Waits are recorded instead of slept (``sleeps`` fixture) unless a test needs real time.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from resemble_nb.api import (
    APIConnectionError,
    AsyncClient,
    Client,
    InternalServerError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
)
from resemble_nb.sandbox import Sandbox

from .conftest import SleepRecorder, route_counts


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_on_reads_are_retried(
    sandbox: Sandbox, client: Client, sleeps: SleepRecorder, status: int
) -> None:
    sandbox.set_faults(f"GET /detect:{status};times=2")
    page = client.list_detects()
    assert page.total_count == 0
    assert client.stats.last_retries == 2 and len(sleeps.waits) == 2
    assert route_counts(sandbox, "GET /detect", 3) == {str(status): 2, "200": 1}


def test_retries_give_up_after_max_retries(
    sandbox: Sandbox, make_client: Callable[..., Client], sleeps: SleepRecorder
) -> None:
    client = make_client(sandbox, max_retries=3)
    sandbox.set_faults("GET /detect/*:503")
    with pytest.raises(InternalServerError) as info:
        client.get_detect("anything")
    assert info.value.status_code == 503 and info.value.retries_taken == 3
    assert route_counts(sandbox, "GET /detect/{uuid}", 4) == {"503": 4}
    # exponential backoff with jitter: each wait in [0.75, 1] x 0.5 s * 2^n
    for n, wait in enumerate(sleeps.waits):
        assert 0.75 * 0.5 * 2**n <= wait <= 0.5 * 2**n


def test_max_retries_zero_raises_the_first_failure(
    sandbox: Sandbox, make_client: Callable[..., Client], sleeps: SleepRecorder
) -> None:
    client = make_client(sandbox, max_retries=0)
    sandbox.set_faults("GET /detect:503;times=1")
    with pytest.raises(InternalServerError):
        client.list_detects()
    assert sleeps.waits == [] and route_counts(sandbox, "GET /detect", 1) == {"503": 1}
    assert client.list_detects().total_count == 0  # the fault fired once only


def test_429_with_retry_after_waits_what_the_server_asked(
    sandbox: Sandbox, client: Client, sleeps: SleepRecorder
) -> None:
    sandbox.set_faults("GET /detect:429;retry_after=2;times=2")
    client.list_detects()
    assert sleeps.waits == [2.0, 2.0] and client.stats.last_retries == 2


def test_429_without_retry_after_backs_off(
    sandbox_factory: Callable[..., Sandbox],
    make_client: Callable[..., Client],
    sleeps: SleepRecorder,
) -> None:
    sb = sandbox_factory(retry_after=False)
    client = make_client(sb)
    sb.set_faults("GET /detect:429;times=2")
    client.list_detects()
    first, second = sleeps.waits
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0


def test_429_exhausted_carries_retry_after(
    sandbox: Sandbox, client: Client, sleeps: SleepRecorder
) -> None:
    sandbox.set_faults("GET /detect:429;retry_after=3")
    with pytest.raises(RateLimitError) as info:
        client.list_detects()
    assert info.value.retry_after == 3.0 and info.value.retries_taken == 2
    assert sleeps.waits == [3.0, 3.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_maybe_carried_out_statuses_on_detect_are_not_retried(
    sandbox: Sandbox, client: Client, sleeps: SleepRecorder, status: int
) -> None:
    sandbox.set_faults(f"POST /detect:{status};times=1")
    with pytest.raises(InternalServerError) as info:
        client.detect(url="https://example.com/a.wav")
    assert info.value.status_code == status
    assert info.value.retries_taken == 0 and sleeps.waits == []
    assert "look it up before sending it again" in str(info.value)
    assert route_counts(sandbox, "POST /detect", 1) == {str(status): 1}


@pytest.mark.parametrize("status", [429, 503])
def test_not_taken_statuses_on_detect_are_retried_without_duplicates(
    sandbox: Sandbox, client: Client, samples: Path, status: int
) -> None:
    sandbox.set_faults(f"POST /detect:{status};times=1")
    d = client.detect(file=samples / "speech.wav", wait=True)
    assert d.done and client.stats.last_retries == 1
    assert sandbox.stats()["detects_created"] == 1


def test_dropped_read_is_retried(sandbox: Sandbox, client: Client, samples: Path) -> None:
    d = client.detect(file=samples / "street.jpg", wait=True)
    sandbox.set_faults("GET /detect/*:drop;times=2")
    assert client.get_detect(d.uuid).uuid == d.uuid
    assert client.stats.last_retries == 2


def test_dropped_upload_is_retried_and_the_token_works(
    sandbox: Sandbox, client: Client, samples: Path
) -> None:
    sandbox.set_faults("POST /secure_uploads:drop_after;times=1")
    token = client.secure_upload(samples / "voicemail.mp3")
    assert client.stats.last_retries == 1
    assert client.detect(media_token=token, wait=True).done


@pytest.mark.parametrize("fault", ["drop", "drop_after"])
def test_dropped_detect_is_an_unknown_outcome_not_a_retry(
    sandbox: Sandbox, client: Client, sleeps: SleepRecorder, samples: Path, fault: str
) -> None:
    sandbox.set_faults(f"POST /detect:{fault};times=1")
    with pytest.raises(OutcomeUnknownError) as info:
        client.detect(file=samples / "speech.wav")
    err = info.value
    assert (err.method, err.path, err.retries_taken) == ("POST", "/detect", 0)
    assert "outcome is unknown" in str(err) and "duplicate" in str(err)
    assert sleeps.waits == []
    # The engine reconciles by looking the item up: with drop_after it exists, exactly once.
    created = 1 if fault == "drop_after" else 0
    assert sandbox.stats()["detects_created"] == created
    found = [d for d in client.iter_detects() if d.filename == "speech.wav"]
    assert len(found) == created


def test_delete_whose_answer_was_lost_still_counts_as_deleted(
    sandbox: Sandbox, client: Client
) -> None:
    d = client.detect(url="https://example.com/a.wav")
    sandbox.set_faults("DELETE /detect/*:drop_after;times=1")
    assert client.delete_detect(d.uuid) is None  # the retry's 404 means the first one worked
    assert client.stats.last_retries == 1
    counts = route_counts(sandbox, "DELETE /detect/{uuid}", 2)
    assert counts == {"200 (dropped after)": 1, "404": 1}
    with pytest.raises(NotFoundError):  # without a lost answer, 404 is still an error
        client.delete_detect(d.uuid)


def test_dropped_batch_is_an_unknown_outcome(
    sandbox: Sandbox, client: Client, samples: Path
) -> None:
    sandbox.set_faults("POST /detect/batch:drop_after;times=1")
    with pytest.raises(OutcomeUnknownError):
        client.detect_batch([samples / "speech.wav", samples / "portrait.png"])
    assert sandbox.stats()["batches_created"] == 1


def test_slow_read_times_out_and_is_retried(
    sandbox: Sandbox, make_client: Callable[..., Client]
) -> None:
    client = make_client(sandbox, timeout=0.3)
    sandbox.set_faults("GET /detect:delay=1.0;times=1")
    assert client.list_detects().total_count == 0
    assert client.stats.last_retries == 1


def test_slow_detect_times_out_as_an_unknown_outcome(
    sandbox: Sandbox, make_client: Callable[..., Client]
) -> None:
    client = make_client(sandbox, timeout=0.3)
    sandbox.set_faults("POST /detect:delay=1.0;times=1")
    with pytest.raises(OutcomeUnknownError, match="ReadTimeout"):
        client.detect(url="https://example.com/slow.wav")


def test_fault_header_on_a_single_request(sandbox: Sandbox, sleeps: SleepRecorder) -> None:
    http = httpx.Client(headers={"X-Sandbox-Fault": "status=503"})
    with Client(api_key=sandbox.api_keys[0], base_url=sandbox.base_url, http_client=http) as c:
        c._sleep = sleeps  # type: ignore[assignment]
        with pytest.raises(InternalServerError) as info:
            c.list_detects()
    http.close()
    assert info.value.retries_taken == 2 and "injected" in info.value.message


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("method", ["list", "detect"])
def test_connection_refused_is_retried_then_a_connection_error(
    sleeps: SleepRecorder, method: str
) -> None:
    with Client(
        api_key="test_team_a_key", base_url=f"http://127.0.0.1:{_closed_port()}/api/v2"
    ) as c:
        c._sleep = sleeps  # type: ignore[assignment]
        with pytest.raises(APIConnectionError) as info:
            if method == "list":
                c.list_detects()
            else:
                c.detect(url="https://example.com/a.wav")
    # nothing was sent, so even a POST is retried and is not an unknown outcome
    assert not isinstance(info.value, OutcomeUnknownError)
    assert info.value.retries_taken == 2 and len(sleeps.waits) == 2
    assert "could not reach" in str(info.value)


async def test_the_real_rate_limiter_is_ridden_out(
    sandbox_factory: Callable[..., Sandbox],
) -> None:
    sb = sandbox_factory(rate_limit=10.0)
    async with AsyncClient(
        api_key=sb.api_keys[0], base_url=sb.base_url, max_retries=6
    ) as client:  # real waits: Retry-After from the sandbox
        pages = await asyncio.gather(*(client.list_detects() for _ in range(25)))
    assert len(pages) == 25 and client.stats.retries > 0
    counts = route_counts(sb, "GET /detect", client.stats.requests)
    assert counts == {"200": 25, "429": client.stats.retries}
    assert sb.stats()["rate_limited"] == client.stats.retries


async def test_async_faults(sandbox: Sandbox, aclient: AsyncClient, sleeps: SleepRecorder) -> None:
    sandbox.set_faults("GET /detect:503;times=1,POST /detect:drop;times=1")
    assert (await aclient.list_detects()).total_count == 0
    assert aclient.stats.last_retries == 1 and len(sleeps.waits) == 1
    with pytest.raises(OutcomeUnknownError):
        await aclient.detect(url="https://example.com/a.wav")
