"""Intelligence and watermark that finish after the detect, or fail; spec-B's shapes for
``watermark``, ``c2pa_manifest``, ``face_only`` and ``pipeline``; over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from resemble_nb.sandbox import Sandbox

from .helpers import detect_file, upload

WAV = {"url": "https://example.com/voice.wav"}


def _get(api: httpx.Client, uuid: str, **params: Any) -> dict[str, Any]:
    item: dict[str, Any] = api.get(f"/detect/{uuid}", params=params).json()["item"]
    return item


# -- intelligence lag ---------------------------------------------------------------------------


def test_intelligence_with_the_detect_by_default(api: httpx.Client) -> None:
    item = api.post("/detect", json={**WAV, "intelligence": True}).json()["item"]
    assert item["status"] == "completed"
    assert item["intelligence"]["status"] == "completed"
    assert item["intelligence"]["description"]
    assert item["intelligence"]["detect_uuid"] == item["uuid"]


def test_intelligence_after_n_polls(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(intelligence_lag="polls:3"))
    created = api.post("/detect", json={**WAV, "intelligence": True}).json()["item"]
    assert created["status"] == "completed"
    lagging = created["intelligence"]
    assert lagging["status"] == "processing" and lagging["description"] is None
    assert lagging["uuid"] and lagging["detect_uuid"] == created["uuid"]
    # experts=true lists completed results only: none yet (this read counts as one).
    assert _get(api, created["uuid"], experts="true")["intelligence"] == []
    # The list page shows the same lag (and counts as a read); the third read finishes it.
    (listed,) = api.get("/detect", params={"page": 1}).json()["items"]
    assert listed["status"] == "completed"
    assert listed["intelligence"]["status"] == "processing"
    done = _get(api, created["uuid"])["intelligence"]
    assert done["status"] == "completed" and done["description"]
    assert done["uuid"] == lagging["uuid"]


def test_intelligence_after_a_time(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    now = [5000.0]
    sb = sandbox_factory(intelligence_lag="time:60", clock=lambda: now[0])
    api = client_for(sb)
    uuid = api.post("/detect", json={**WAV, "intelligence": True}).json()["item"]["uuid"]
    for _ in range(5):  # reads alone do not finish it
        assert _get(api, uuid)["intelligence"]["status"] == "processing"
    now[0] += 59
    assert _get(api, uuid)["intelligence"]["status"] == "processing"
    sb.advance_clock(1)
    assert _get(api, uuid)["intelligence"]["status"] == "completed"


def test_intelligence_that_fails_keeps_the_detect_completed(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(intelligence_lag="polls:1", intelligence_fail=True))
    uuid = api.post("/detect", json={**WAV, "intelligence": True}).json()["item"]["uuid"]
    item = _get(api, uuid)
    assert item["status"] == "completed" and item["metrics"]["label"]
    intel = item["intelligence"]
    assert intel["status"] == "failed" and intel["description"] is None
    assert intel["error_message"]
    assert _get(api, uuid, experts="true")["intelligence"] == []


def test_failing_share_is_decided_by_content(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(intelligence_fail=0.5, rate_limit=None))
    outcomes: dict[str, set[str]] = {}
    for i in range(40):
        for _ in range(2):  # the same content twice: the same outcome
            body = {"url": f"https://example.com/{i}.wav", "intelligence": True}
            item = api.post("/detect", json=body).json()["item"]
            outcomes.setdefault(str(i), set()).add(item["intelligence"]["status"])
    assert all(len(s) == 1 for s in outcomes.values())
    statuses = [s.pop() for s in outcomes.values()]
    assert 8 <= statuses.count("failed") <= 32 and "completed" in statuses


def test_batch_status_completes_while_intelligence_lags(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(progress="polls:1", intelligence_lag="polls:3"))
    files = [
        ("files[]", (name, (media_dir / name).read_bytes())) for name in ("speech.wav", "tone.wav")
    ]
    batch = api.post("/detect/batch", files=files, data={"intelligence": "true"}).json()["item"]
    status = api.get(f"/detect/batch/{batch['uuid']}").json()["item"]
    assert status["status"] == "completed" and status["completed_count"] == 2
    for uuid in status["detect_uuids"]:
        item = _get(api, uuid)
        assert item["status"] == "completed"
        assert item["intelligence"]["status"] == "processing"


# -- watermark ----------------------------------------------------------------------------------


def test_watermark_shapes_audio_and_image(api: httpx.Client, media_dir: Path) -> None:
    audio = detect_file(api, media_dir / "speech.wav", detect_watermark=True)["watermark"]
    assert audio["status"] == "completed" and "error_message" not in audio
    assert set(audio["metrics"]) >= {
        "overall_status",
        "detected_model_versions",
        "coverage_complete",
        "has_watermark",
        "confidence",
        "model_results",
    }
    assert isinstance(audio["metrics"]["has_watermark"], dict)
    image = detect_file(api, media_dir / "pic.png", detect_watermark=True)["watermark"]
    assert set(image["metrics"]) >= {
        "overall_status",
        "detected_model_versions",
        "has_watermark",
        "detection_score",
        "model_results",
        "verdict",
    }
    assert isinstance(image["metrics"]["has_watermark"], bool)
    plain = detect_file(api, media_dir / "speech.wav")
    assert "watermark" not in plain


def test_watermark_lags_and_fails(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(watermark_lag="polls:1", watermark_fail=1.0)
    api = client_for(sb)
    item = api.post("/detect", json={**WAV, "detect_watermark": True}).json()["item"]
    assert item["status"] == "completed"
    assert item["watermark"] == {"status": "processing", "metrics": None}
    failed = _get(api, item["uuid"])
    assert failed["status"] == "completed"
    assert failed["watermark"]["status"] == "failed" and failed["watermark"]["error_message"]
    # Switch to success over the admin route: later detects complete their watermark.
    with httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.api_key}"}) as a:
        assert a.post("/_sandbox/modes", json={"watermark_fail": 0}).is_success
    later = api.post("/detect", json={**WAV, "detect_watermark": True}).json()["item"]
    assert _get(api, later["uuid"])["watermark"]["status"] == "completed"


def test_prefer_wait_waits_for_the_watermark_not_for_intelligence(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(watermark_lag="polls:5", intelligence_lag="polls:5"))
    body = {**WAV, "detect_watermark": True, "intelligence": True}
    item = api.post("/detect", json=body, headers={"Prefer": "wait"}).json()["item"]
    assert item["watermark"]["status"] == "completed"  # spec-B: wait covers the watermark
    assert item["intelligence"]["status"] == "processing"


def test_watermark_only_on_single_detect(api: httpx.Client, media_dir: Path) -> None:
    files = [("files[]", ("speech.wav", (media_dir / "speech.wav").read_bytes()))]
    refused = api.post("/detect/batch", files=files, data={"detect_watermark": "true"})
    assert refused.status_code == 400 and "detect_watermark" in refused.json()["message"]


# -- other spec-B shapes ------------------------------------------------------------------------


def test_c2pa_face_only_and_pipeline(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    body = {"media_token": token, "face_only": True, "pipeline": "general->facial"}
    audio = api.post("/detect", json=body).json()["item"]
    assert "pipeline" not in audio  # deprecated, ignored on create
    assert audio["face_only"] is False  # the effective value
    c2pa = audio["c2pa_manifest"]
    assert c2pa["validation_state"] in ("Valid", "NotPresent", "Unavailable")
    assert set(c2pa) == {
        "validation_state",
        "active_manifest",
        "manifests",
        "validation_results",
        "message",
    }
    video = detect_file(api, media_dir / "clip.mp4", face_only=True)
    assert video["face_only"] is True and video["c2pa_manifest"]["validation_state"]
    audio_only = detect_file(api, media_dir / "clip.mp4", face_only=True, modality="audio")
    assert audio_only["face_only"] is False and "video_metrics" not in audio_only
    image = detect_file(api, media_dir / "pic.png", face_only=True)
    assert image["face_only"] is False


# -- callbacks wait for the analyses ------------------------------------------------------------


@pytest.fixture
def hooks() -> Iterator[tuple[str, list[dict[str, Any]], threading.Event]]:
    received: list[dict[str, Any]] = []
    got = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            got.set()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, got
    server.shutdown()
    server.server_close()


def test_callback_waits_for_lagging_intelligence(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    hooks: tuple[str, list[dict[str, Any]], threading.Event],
) -> None:
    url, received, got = hooks
    sb = sandbox_factory(intelligence_lag="time:0.3")
    api = client_for(sb)
    item = api.post("/detect", json={**WAV, "intelligence": True, "callback_url": url}).json()[
        "item"
    ]
    assert item["intelligence"]["status"] == "processing"
    assert got.wait(10)
    (payload,) = received
    assert payload["item"]["intelligence"]["status"] == "completed"


def test_callback_without_waiting_for_intelligence(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    hooks: tuple[str, list[dict[str, Any]], threading.Event],
) -> None:
    url, received, got = hooks
    api = client_for(sandbox_factory(intelligence_lag="polls:50"))
    body = {**WAV, "intelligence": True, "callback_url": url, "wait_for_intelligence": False}
    api.post("/detect", json=body)
    assert got.wait(10)
    assert received[0]["item"]["intelligence"]["status"] == "processing"
