"""Job progress: immediate, after a time, or after N reads; callbacks when a job ends."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from resemble_nb.sandbox import Sandbox

from .helpers import upload, wav_bytes


def test_immediate(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    item = api.post("/detect", json={"media_token": token}).json()["item"]
    assert item["status"] == "completed"


def test_time_mode_finishes_after_latency(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    now = [1_800_000_000.0]  # the sandbox clock: only advance_clock moves it
    sb = sandbox_factory(progress="time", latency=0.4, clock=lambda: now[0])
    api = client_for(sb)
    token = upload(api, media_dir / "speech.wav")
    item = api.post("/detect", json={"media_token": token}).json()["item"]
    assert item["status"] == "processing"
    assert item["metrics"] == {} and item["duration"] is None and item["error_message"] is None
    assert api.get(f"/detect/{item['uuid']}").json()["item"]["status"] == "processing"
    sb.advance_clock(0.5)
    done = api.get(f"/detect/{item['uuid']}").json()["item"]
    assert done["status"] == "completed" and done["metrics"]["score"]
    assert done["updated_at"] > done["created_at"]


def test_time_mode_follows_the_sandbox_clock(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
) -> None:
    now = [1_800_000_000.0]
    sb = sandbox_factory(progress="time", latency=30, clock=lambda: now[0])
    api = client_for(sb)
    uuid = api.post("/detect", json={"url": "https://example.com/a.wav"}).json()["item"]["uuid"]
    assert api.get(f"/detect/{uuid}").json()["item"]["status"] == "processing"
    sb.advance_clock(30)
    assert api.get(f"/detect/{uuid}").json()["item"]["status"] == "completed"


def test_time_mode_prefer_wait_blocks_for_the_latency(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(progress="time", latency=0.3))
    start = time.monotonic()
    r = api.post("/detect", json={"url": "https://example.com/a.wav"}, headers={"Prefer": "wait"})
    assert r.json()["item"]["status"] == "completed"
    assert time.monotonic() - start >= 0.25


def test_polls_mode_counts_gets_and_list_pages(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(progress="polls:3"))
    a = api.post("/detect", files={"file": ("a.wav", wav_bytes(1.0))}).json()["item"]
    b = api.post("/detect", files={"file": ("b.wav", wav_bytes(1.0, 300))}).json()["item"]
    assert [api.get(f"/detect/{a['uuid']}").json()["item"]["status"] for _ in range(3)] == [
        "processing",
        "processing",
        "completed",
    ]
    # b is finished by list pages that include it.
    statuses = []
    for _ in range(3):
        items = api.get("/detect", params={"page": 1}).json()["items"]
        statuses.append({i["uuid"]: i["status"] for i in items}[b["uuid"]])
    assert statuses == ["processing", "processing", "completed"]


def test_polls_zero_is_done_at_first_read(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(progress="polls:0"))
    item = api.post("/detect", json={"url": "https://example.com/a.wav"}).json()["item"]
    assert item["status"] == "processing"
    assert api.get(f"/detect/{item['uuid']}").json()["item"]["status"] == "completed"
