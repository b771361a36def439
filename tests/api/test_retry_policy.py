"""The pure retry policy: which failures are retried and how long to wait."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from resemble_nb.api import _retry

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": " 0 "}, 0.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": ""}, None),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After-Ms": "250"}, 0.25),
        ({"Retry-After-Ms": "x", "Retry-After": "3"}, 3.0),
        ({"Retry-After": format_datetime(NOW + timedelta(seconds=30), usegmt=True)}, 30.0),
        ({"Retry-After": format_datetime(NOW - timedelta(seconds=30), usegmt=True)}, 0.0),
        ({"Retry-After": "Wed, 01 Jan 2026 12:00:07 GMT"}, 7.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert _retry.parse_retry_after(headers, now=NOW) == expected


def test_parse_retry_after_accepts_httpx_headers() -> None:
    assert _retry.parse_retry_after(httpx.Headers({"Retry-After": "4"})) == 4.0


@pytest.mark.parametrize("status", [429, 503])
def test_not_taken_statuses_are_retried_for_every_request(status: int) -> None:
    assert _retry.should_retry_status(status, safe=True)
    assert _retry.should_retry_status(status, safe=False)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_maybe_carried_out_statuses_are_retried_only_when_repeating_is_safe(status: int) -> None:
    assert _retry.should_retry_status(status, safe=True)
    assert not _retry.should_retry_status(status, safe=False)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422, 501])
def test_client_errors_are_not_retried(status: int) -> None:
    assert not _retry.should_retry_status(status, safe=True)


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(0)
    for n, base in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        delays = [_retry.backoff(n, rng) for _ in range(200)]
        assert all(0.75 * base <= d <= base for d in delays), n
        assert len(set(delays)) > 100  # jitter spreads the retries of many clients


def test_retry_delay_honours_retry_after_up_to_the_cap() -> None:
    assert _retry.retry_delay(0, 3.0) == 3.0
    assert _retry.retry_delay(5, 0.0) == 0.0
    assert _retry.retry_delay(0, 60.0) == 60.0
    assert _retry.retry_delay(0, 61.0) is None  # too long to sleep through: give up
    assert 0.375 <= (_retry.retry_delay(0, None) or 0) <= 0.5


def test_only_failures_before_sending_count_as_not_sent() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/detect")
    for exc_type in (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
        assert not _retry.is_sent_before_failure(exc_type("x", request=request))
    for exc_type in (
        httpx.ReadTimeout,
        httpx.ReadError,
        httpx.WriteError,
        httpx.WriteTimeout,
        httpx.RemoteProtocolError,
    ):
        assert _retry.is_sent_before_failure(exc_type("x", request=request))
