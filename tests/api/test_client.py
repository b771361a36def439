"""Client edge cases a real server cannot easily produce, via httpx.MockTransport.

The end-to-end behaviour (every method against the sandbox over HTTP) is in
test_contract_sync.py and test_retries_over_http.py.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from resemble_nb.api import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    Batch,
    Client,
    Detection,
    InternalServerError,
    MissingAPIKeyError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    UnexpectedResponseError,
    UnknownOptionError,
    WaitTimeoutError,
)

KEY = "test_key_mock_0123"
BASE = "http://mock.test/api/v2"
Handler = Callable[[httpx.Request], httpx.Response]


def item(**fields: object) -> dict[str, object]:
    return {"success": True, "item": {"uuid": "d1", "media_type": "audio", **fields}}


class Recorder:
    """Serves queued responses (or raises queued exceptions) and records requests."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.read())
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


@pytest.fixture
def waits_seen() -> list[float]:
    return []


@pytest.fixture
def mocked(waits_seen: list[float]) -> Iterator[Callable[..., tuple[Client, Recorder]]]:
    clients: list[Client] = []

    def make(
        *answers: httpx.Response | Exception | Handler, **kwargs: object
    ) -> tuple[Client, Recorder]:
        recorder = Recorder(*answers)
        client = Client(
            api_key=KEY,
            base_url=BASE,
            http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
            **kwargs,  # type: ignore[arg-type]
        )
        client._sleep = waits_seen.append  # type: ignore[assignment]
        clients.append(client)
        return client, recorder

    yield make
    for client in clients:
        client._http.close()


def test_key_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESEMBLE_API_KEY", "  env_key_456  ")
    monkeypatch.setenv("RESEMBLE_BASE_URL", "http://127.0.0.1:9/api/v2/")
    with Client() as client:
        assert client.base_url == "http://127.0.0.1:9/api/v2"
        assert client._api_key.reveal() == "env_key_456"
    monkeypatch.delenv("RESEMBLE_BASE_URL")
    with Client(api_key="arg_key") as client:
        assert client.base_url == "https://app.resemble.ai/api/v2"
        assert client._api_key.reveal() == "arg_key"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    monkeypatch.delenv("RESEMBLE_API_KEY", raising=False)
    if value is not None:
        monkeypatch.setenv("RESEMBLE_API_KEY", value)
    with pytest.raises(MissingAPIKeyError, match="RESEMBLE_API_KEY"):
        Client()


def test_bearer_auth_and_no_key_in_repr_or_pickle(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    client, rec = mocked(httpx.Response(200, json=item(status="processing")))
    client.get_detect("d1")
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert rec.requests[0].url == f"{BASE}/detect/d1"
    assert KEY not in repr(client) and KEY not in str(client) and KEY not in repr(vars(client))
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)


def test_source_follows_the_sandbox_header(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    client, _ = mocked(
        httpx.Response(200, json=item()),
        httpx.Response(200, json=item(), headers={"X-Resemble-Sandbox": "1"}),
    )
    assert client.get_detect("d1").source == "api" and not client.is_sandbox
    assert client.get_detect("d1").source == "sandbox" and client.is_sandbox


def test_retry_after_http_date_is_honoured(
    mocked: Callable[..., tuple[Client, Recorder]], waits_seen: list[float]
) -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=5), usegmt=True)
    client, rec = mocked(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=item())
    )
    client.get_detect("d1")
    assert len(rec.requests) == 2 and len(waits_seen) == 1 and 3.5 <= waits_seen[0] <= 5.0
    assert client.stats.last_retries == 1 and client.stats.retries == 1


def test_retry_after_beyond_the_cap_is_not_slept_through(
    mocked: Callable[..., tuple[Client, Recorder]], waits_seen: list[float]
) -> None:
    client, rec = mocked(
        httpx.Response(429, headers={"Retry-After": "3600"}, json={"message": "slow"})
    )
    with pytest.raises(RateLimitError) as info:
        client.get_detect("d1")
    assert info.value.retry_after == 3600.0 and info.value.retries_taken == 0
    assert len(rec.requests) == 1 and waits_seen == []


def test_500_is_retried_for_reads_but_not_for_creating_a_detect(
    mocked: Callable[..., tuple[Client, Recorder]], waits_seen: list[float]
) -> None:
    client, rec = mocked(httpx.Response(500), httpx.Response(200, json=item()))
    client.get_detect("d1")
    assert len(rec.requests) == 2
    client, rec = mocked(httpx.Response(500, json={"error": "boom"}))
    with pytest.raises(InternalServerError, match=r"POST /detect failed with HTTP 500: boom"):
        client.detect(url="https://example.com/a.wav")
    assert len(rec.requests) == 1


def test_exhausted_retries_raise_with_the_count(
    mocked: Callable[..., tuple[Client, Recorder]], waits_seen: list[float]
) -> None:
    client, rec = mocked(httpx.Response(503, headers={"x-request-id": "req-9"}), max_retries=3)
    with pytest.raises(InternalServerError) as info:
        client.get_batch("b1")
    assert info.value.retries_taken == 3 and info.value.request_id == "req-9"
    assert len(rec.requests) == 4 and len(waits_seen) == 3
    assert waits_seen[0] < waits_seen[1] < waits_seen[2]  # exponential


def test_max_retries_zero_turns_retries_off(
    mocked: Callable[..., tuple[Client, Recorder]], waits_seen: list[float]
) -> None:
    request = httpx.Request("GET", BASE)
    client, rec = mocked(httpx.ConnectError("refused", request=request), max_retries=0)
    with pytest.raises(APIConnectionError) as info:
        client.list_detects()
    assert not isinstance(info.value, OutcomeUnknownError)
    assert len(rec.requests) == 1 and waits_seen == []


def test_read_timeout_is_retried_for_get_but_outcome_unknown_for_post(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    request = httpx.Request("GET", BASE)
    client, rec = mocked(
        httpx.ReadTimeout("slow", request=request), httpx.Response(200, json=item())
    )
    client.get_detect("d1")
    assert len(rec.requests) == 2
    client, rec = mocked(httpx.ReadTimeout("slow", request=request))
    with pytest.raises(OutcomeUnknownError) as info:
        client.detect(url="https://example.com/a.wav")
    assert len(rec.requests) == 1
    assert "outcome is unknown" in str(info.value) and "duplicate" in str(info.value)
    assert (info.value.method, info.value.path) == ("POST", "/detect")
    client, rec = mocked(httpx.ReadTimeout("slow", request=request), max_retries=0)
    with pytest.raises(APITimeoutError):
        client.get_detect("d1")


def test_connect_errors_are_retried_even_for_post(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    request = httpx.Request("POST", BASE)
    client, rec = mocked(
        httpx.ConnectError("refused", request=request),
        httpx.PoolTimeout("pool", request=request),
        httpx.Response(200, json=item(status="processing")),
    )
    assert client.detect(url="https://example.com/a.wav").uuid == "d1"
    assert len(rec.requests) == 3 and client.stats.last_retries == 2


def test_secure_upload_is_retried_after_a_dropped_connection(
    mocked: Callable[..., tuple[Client, Recorder]], tmp_path: Path
) -> None:
    f = tmp_path / "a.wav"
    f.write_bytes(b"RIFF" * 1000)
    request = httpx.Request("POST", BASE)
    client, rec = mocked(
        httpx.RemoteProtocolError("dropped", request=request),
        httpx.Response(200, json={"success": True, "token": "tok"}),
    )
    token = client.secure_upload(f)
    assert token.reveal() == "tok" and token.filename == "a.wav" and token.size == 4000
    # the retry re-sent the whole file, not an empty or partial body
    assert all(b"RIFF" * 1000 in body for body in rec.bodies) and len(rec.bodies) == 2


def test_unexpected_bodies(mocked: Callable[..., tuple[Client, Recorder]]) -> None:
    client, _ = mocked(httpx.Response(200, text="<html>maintenance</html>"))
    with pytest.raises(UnexpectedResponseError, match="without a JSON object body"):
        client.get_detect("d1")
    client, _ = mocked(httpx.Response(200, json={"success": True}))
    with pytest.raises(UnexpectedResponseError, match="without an 'item'"):
        client.get_detect("d1")
    client, _ = mocked(httpx.Response(200, json={"success": True}))
    with pytest.raises(UnexpectedResponseError, match="without a token"):
        client.secure_upload(__file__)


def test_error_text_never_echoes_the_key_or_token(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    client, _ = mocked(
        lambda r: httpx.Response(
            401, json={"message": f"invalid key {KEY} / {json.loads(r.content).get('media_token')}"}
        )
    )
    with pytest.raises(AuthenticationError) as info:
        client.detect(media_token="secret-token-value-77")
    for text in (str(info.value), repr(info.value), repr(info.value.args), repr(info.value.body)):
        assert KEY not in text and "secret-token-value-77" not in text
    assert "invalid key" in str(info.value)


def test_detect_request_shapes(
    mocked: Callable[..., tuple[Client, Recorder]], tmp_path: Path
) -> None:
    client, rec = mocked(httpx.Response(200, json=item(status="processing")))
    client.detect(
        url="https://x/a.wav", intelligence=True, visualize=None, audio_source_tracing=True
    )
    assert json.loads(rec.bodies[-1]) == {
        "url": "https://x/a.wav",
        "intelligence": True,
        "audio_source_tracing": True,
    }
    assert "prefer" not in rec.requests[-1].headers
    client.detect(media_token="tok", wait=True, wait_timeout=123)
    assert rec.requests[-1].headers["prefer"] == "wait"
    assert rec.requests[-1].extensions["timeout"]["read"] == 123
    f = tmp_path / "speech.wav"
    f.write_bytes(b"RIFF" + b"\1" * 64)
    client.detect(file=f, frame_length=2, zero_retention_mode=False)
    body = rec.bodies[-1]
    assert rec.requests[-1].headers["content-type"].startswith("multipart/form-data")
    assert b'name="frame_length"\r\n\r\n2\r\n' in body
    assert b'name="zero_retention_mode"\r\n\r\nfalse\r\n' in body
    assert b'name="file"; filename="speech.wav"\r\nContent-Type: audio/wav' in body


def test_detect_needs_exactly_one_source(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    client, rec = mocked(httpx.Response(200, json=item()))
    with pytest.raises(ValueError, match="exactly one of media_token=, url=, file= \\(got none\\)"):
        client.detect()
    with pytest.raises(ValueError, match=r"\(got media_token=, url=\)"):
        client.detect(media_token="t", url="https://x")
    with pytest.raises(UnknownOptionError, match="did you mean"):
        client.detect(url="https://x", visualise=True)
    assert rec.requests == []


def test_batch_request_shape_and_limits(
    mocked: Callable[..., tuple[Client, Recorder]], tmp_path: Path
) -> None:
    batch = {"uuid": "b1", "status": "processing", "total_files": 2, "detect_uuids": []}
    client, rec = mocked(httpx.Response(202, json={"success": True, "item": batch}))
    paths = []
    for name in ("a.wav", "b.png"):
        (tmp_path / name).write_bytes(b"x" * 10)
        paths.append(tmp_path / name)
    result = client.detect_batch(paths, audio_source_tracing=True, visualize=False)
    assert isinstance(result, Batch) and result.uuid == "b1" and not result.done
    body = rec.bodies[-1]
    assert body.count(b'name="files[]"') == 2
    assert b'name="audio_source_tracing_enabled"\r\n\r\ntrue' in body
    with pytest.raises(ValueError, match="exactly one of files=, zip="):
        client.detect_batch(paths, zip=paths[0])
    with pytest.raises(ValueError, match="50 files"):
        client.detect_batch(paths * 26)
    assert len(rec.requests) == 1


def test_list_and_iterate_pages(mocked: Callable[..., tuple[Client, Recorder]]) -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        items = [
            {"uuid": f"d{page}-{i}", "status": "completed"} for i in range(2 if page < 3 else 1)
        ]
        return httpx.Response(
            200,
            json={
                "success": True,
                "page": page,
                "num_pages": 3,
                "page_size": 10,
                "total_count": 5,
                "items": items,
            },
        )

    client, rec = mocked(pages)
    assert [d.uuid for d in client.iter_detects(page_size=10)] == [
        "d1-0",
        "d1-1",
        "d2-0",
        "d2-1",
        "d3-0",
    ]
    assert [r.url.params["page"] for r in rec.requests] == ["1", "2", "3"]
    with pytest.raises(ValueError, match="page_size must be between 10 and 1000"):
        client.list_detects(page_size=5)
    with pytest.raises(ValueError, match="page starts at 1"):
        client.list_detects(page=0)


def test_delete_and_not_found(mocked: Callable[..., tuple[Client, Recorder]]) -> None:
    client, rec = mocked(
        httpx.Response(200, json={"success": True, "message": "deleted"}),
        httpx.Response(404, json={"success": False, "message": "Detect not found"}),
    )
    assert client.delete_detect("d1") is None
    assert rec.requests[0].method == "DELETE"
    with pytest.raises(
        NotFoundError, match="DELETE /detect/d1 failed with HTTP 404: Detect not found"
    ):
        client.delete_detect("d1")
    with pytest.raises(ValueError, match="not a valid id"):
        client.get_detect("../etc")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_wait_for_polls_with_growing_waits_until_done(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    answers = [httpx.Response(200, json=item(status="processing")) for _ in range(8)]
    answers.append(
        httpx.Response(
            200, json=item(status="completed", metrics={"label": "Fake", "aggregated_score": "0.9"})
        )
    )
    client, rec = mocked(*answers)
    clock = FakeClock()
    waits: list[float] = []
    client._monotonic = clock
    client._sleep = lambda s: (waits.append(s), clock.sleep(s))  # type: ignore[assignment]
    done = client.wait_for("d1", timeout=600)
    assert isinstance(done, Detection) and done.done and done.score == 0.9
    assert len(rec.requests) == 9
    assert waits[0] == 1.0 and waits == sorted(waits) and max(waits) == 10.0


def test_wait_for_times_out_with_the_last_state(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    client, _ = mocked(httpx.Response(200, json=item(status="processing")))
    clock = FakeClock()
    client._monotonic = clock
    client._sleep = clock.sleep  # type: ignore[assignment]
    with pytest.raises(WaitTimeoutError) as info:
        client.wait_for(Detection.from_json({"uuid": "d1", "status": "processing"}), timeout=30)
    last = info.value.last
    assert isinstance(last, Detection) and last.status == "processing" and not last.done
    assert info.value.waited >= 30 and "still 'processing'" in str(info.value)
    assert clock.now == 30  # the last wait was cut to the deadline


def test_wait_for_a_batch_never_returns_a_half_finished_one(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    half = {
        "uuid": "b1",
        "status": "completed",
        "total_files": 2,
        "completed_count": 1,
        "failed_count": 0,
    }
    full = {**half, "status": "partially_failed", "failed_count": 1}
    client, rec = mocked(
        httpx.Response(200, json={"success": True, "item": half}),
        httpx.Response(200, json={"success": True, "item": full}),
    )
    client._monotonic = FakeClock()
    result = client.wait_for("b1", kind="batch", poll_interval=0.01)
    assert isinstance(result, Batch) and result.status == "partially_failed"
    assert [r.url.path for r in rec.requests] == ["/api/v2/detect/batch/b1"] * 2
    done = Batch.from_json(full)
    assert client.wait_for(done) is done  # already finished: no request
    assert len(rec.requests) == 2


def test_given_http_client_is_not_closed() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=item())))
    with Client(api_key=KEY, base_url=BASE, http_client=http) as client:
        client.get_detect("d1")
    assert not http.is_closed
    http.close()


def test_an_expired_token_is_refused_before_sending(
    mocked: Callable[..., tuple[Client, Recorder]],
) -> None:
    from resemble_nb.api import MediaToken

    client, rec = mocked(httpx.Response(200, json=item()))
    old = MediaToken(
        "opaque-token",
        filename="call.wav",
        received_at=datetime.now(timezone.utc) - timedelta(hours=2),
    )
    with pytest.raises(ValueError, match=r"media token for call\.wav expired .*secure_upload"):
        client.detect(media_token=old)
    with pytest.raises(ValueError, match="expired"):
        client.intelligence(media_token=old)
    assert rec.requests == []
