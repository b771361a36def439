"""Fault injection: status codes, delays and dropped connections, by rule or header."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.faults import FaultSpecError, parse_action, parse_spec

from .helpers import upload


def test_spec_grammar() -> None:
    rules = parse_spec(
        "POST /detect:500@0.1,GET /detect/*:429;retry_after=2@0.1,*:drop@0.02,*:delay=0.5@0.2,"
        "/api/v2/secure_uploads:drop_after;times=1,503"
    )
    got = [r.to_dict() for r in rules]
    assert got[0] == {"route": "POST /detect", "p": 0.1, "status": 500, "fired": 0}
    assert got[1]["route"] == "GET /detect/*" and got[1]["retry_after"] == 2.0
    assert got[2] == {"route": "*", "p": 0.02, "drop": True, "fired": 0}
    assert got[3]["delay"] == 0.5 and got[3]["p"] == 0.2
    assert got[4]["route"] == "* /secure_uploads" and got[4]["times"] == 1
    assert got[5] == {"route": "*", "p": 1.0, "status": 503, "fired": 0}
    as_objects = parse_spec([{"route": "POST /detect", "status": 500, "p": 0.5}, "*:drop"])
    assert as_objects[0].action.status == 500 and as_objects[1].action.drop


@pytest.mark.parametrize(
    "spec", ["POST /detect:700", "*:explode", "*:500@2", "*:delay=-1", "detect:500", "*:p=x"]
)
def test_bad_specs_are_refused_with_a_reason(spec: str) -> None:
    with pytest.raises(FaultSpecError):
        parse_spec(spec)


def test_header_asks_for_a_status(api: httpx.Client) -> None:
    r = api.get("/detect", params={"page": 1}, headers={"X-Sandbox-Fault": "status=503"})
    assert r.status_code == 503
    assert r.json()["success"] is False and "503" in r.json()["message"]
    assert api.get("/detect", params={"page": 1}).status_code == 200


def test_header_429_with_retry_after(api: httpx.Client) -> None:
    r = api.get("/detect", params={"page": 1}, headers={"X-Sandbox-Fault": "429;retry_after=2"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert r.json() == {"success": False, "message": "Rate limit exceeded"}


def test_header_delay(api: httpx.Client) -> None:
    start = time.monotonic()
    r = api.get("/detect", params={"page": 1}, headers={"X-Sandbox-Fault": "delay=0.6"})
    assert r.status_code == 200
    assert time.monotonic() - start >= 0.6


def test_bad_header_is_400(api: httpx.Client) -> None:
    r = api.get("/detect", params={"page": 1}, headers={"X-Sandbox-Fault": "explode"})
    assert r.status_code == 400 and "X-Sandbox-Fault" in r.json()["message"]


def test_drop_closes_the_connection_before_handling(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path
) -> None:
    token = upload(api, media_dir / "speech.wav")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/detect", json={"media_token": token}, headers={"X-Sandbox-Fault": "drop"})
    assert sandbox.stats()["detects_created"] == 0
    assert api.get("/detect", params={"page": 1}).json()["total_count"] == 0


def test_drop_after_handles_the_request_then_closes(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path
) -> None:
    token = upload(api, media_dir / "speech.wav")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/detect", json={"media_token": token}, headers={"X-Sandbox-Fault": "drop_after"})
    # The detect exists although the client never got an answer.
    assert sandbox.stats()["detects_created"] == 1
    listed = api.get("/detect", params={"page": 1}).json()
    assert listed["total_count"] == 1 and listed["items"][0]["filename"] == "speech.wav"
    assert sandbox.stats()["faults_injected"] == {"drop_after": 1}


def test_admin_route_sets_rules_per_route(sandbox: Sandbox, api: httpx.Client) -> None:
    admin = {"Authorization": f"Bearer {sandbox.api_key}"}
    r = httpx.post(
        f"{sandbox.url}/_sandbox/faults",
        json={"spec": "POST /detect:500,GET /detect/*:drop"},
        headers=admin,
    )
    assert r.status_code == 200 and len(r.json()["rules"]) == 2
    assert api.post("/detect", json={"url": "https://example.com/a.wav"}).status_code == 500
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/detect/abc")
    assert api.get("/detect", params={"page": 1}).status_code == 200  # not matched
    listed = httpx.get(f"{sandbox.url}/_sandbox/faults", headers=admin).json()["rules"]
    assert [rule["fired"] for rule in listed] == [1, 1]
    httpx.delete(f"{sandbox.url}/_sandbox/faults", headers=admin)
    assert api.post("/detect", json={"url": "https://example.com/a.wav"}).status_code == 200
    bad = httpx.post(f"{sandbox.url}/_sandbox/faults", json={"spec": "*:nope"}, headers=admin)
    assert bad.status_code == 400 and "Bad fault spec" in bad.json()["message"]


def test_times_limits_a_rule(sandbox: Sandbox, api: httpx.Client) -> None:
    sandbox.set_faults("GET /detect:503;times=2")
    codes = [api.get("/detect", params={"page": 1}).status_code for _ in range(4)]
    assert codes == [503, 503, 200, 200]


def _codes(sb: Sandbox, client: httpx.Client, n: int) -> list[int]:
    return [client.get("/detect", params={"page": 1}).status_code for _ in range(n)]


def test_probabilities_are_reproducible_with_a_seed(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    spec = "GET /detect:503@0.3"
    one = sandbox_factory(faults=spec, seed=7, rate_limit=None)
    two = sandbox_factory(faults=spec, seed=7, rate_limit=None)
    other = sandbox_factory(faults=spec, seed=8, rate_limit=None)
    a, b, c = (_codes(sb, client_for(sb), 60) for sb in (one, two, other))
    assert a == b
    assert a != c
    assert 5 <= a.count(503) <= 35  # roughly 30 %
    # Setting the rules again with the same seed replays the same sequence.
    one.set_faults(spec, seed=7)
    assert _codes(one, client_for(one), 60) == a


def test_admin_routes_are_never_faulted(sandbox: Sandbox) -> None:
    sandbox.set_faults("*:500")
    admin = {"Authorization": f"Bearer {sandbox.api_key}"}
    assert httpx.get(f"{sandbox.url}/_sandbox/stats", headers=admin).status_code == 200


def test_action_parser() -> None:
    action, p, times = parse_action("drop;p=0.5;times=3")
    assert action.drop and p == 0.5 and times == 3
    assert parse_action("delay=1.5")[0].delay == 1.5


def test_fractional_retry_after_rounds_up(api: httpx.Client) -> None:
    # "Retry-After: 0" would invite an instant retry into the same fault.
    r = api.get("/detect/x", headers={"X-Sandbox-Fault": "status=429;retry_after=0.2"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
