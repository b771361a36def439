"""``/secure_uploads``, ``/detect`` and ``/intelligence`` over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from resemble_nb.sandbox import Sandbox

from .helpers import detect_file, upload, wav_bytes

# -- the seed docs' flow: secure upload, then detect by media_token ---------------------------


def test_secure_upload_returns_a_jwt_token(api: httpx.Client, media_dir: Path) -> None:
    with open(media_dir / "clip.mp4", "rb") as fh:
        r = api.post("/secure_uploads", files={"file": fh})
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True
    assert set(body) == {"success", "token"}
    assert body["token"].startswith("eyJ") and body["token"].count(".") == 2


def test_detect_by_media_token_then_poll_to_completed(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    r = api.post("/detect", json={"media_token": token, "intelligence": True})
    assert r.status_code == 200
    created = r.json()["item"]
    got = api.get(f"/detect/{created['uuid']}").json()["item"]
    assert got["status"] == "completed"
    assert got["media_type"] == "audio"
    assert got["duration"] == pytest.approx(5.0)
    metrics = got["metrics"]
    assert metrics["label"] in ("fake", "real")
    # The real API sends audio scores as strings, one per 2-second window by default.
    assert len(metrics["score"]) == 3
    assert all(isinstance(s, str) and 0 <= float(s) <= 1 for s in metrics["score"])
    assert isinstance(metrics["aggregated_score"], str)
    assert isinstance(metrics["consistency"], str)
    assert got["intelligence"]["detect_uuid"] == created["uuid"]
    assert got["filename"] == "speech.wav"


def test_options_are_echoed_on_the_item(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    options = {
        "media_token": token,
        "visualize": True,
        "audio_source_tracing": True,
        "use_ood_detector": True,
        "use_reverse_search": True,
        "face_only": True,
        "modality": "all",
    }
    item = api.post("/detect", json=options).json()["item"]
    assert item["visualize"] is True
    assert item["audio_source_tracing_enabled"] is True
    assert item["use_ood_detector"] is True
    assert item["face_only"] is False  # the effective value: audio has no faces (spec-B)
    assert item["modality"] == "all"
    assert item["extra_params"]["use_reverse_search"] is True
    assert item["metrics"]["image"].startswith("data:image/png;base64,")


def test_direct_multipart_upload_with_frame_length(api: httpx.Client, media_dir: Path) -> None:
    item = detect_file(api, media_dir / "tone.wav", frame_length=1)
    assert item["status"] == "completed"
    assert len(item["metrics"]["score"]) == math.ceil(3.3 / 1)  # type: ignore[index]


def test_regions_limit_the_windows(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    body = {"media_token": token, "frame_length": 1, "start_region": 1, "end_region": 3.5}
    item = api.post("/detect", json=body).json()["item"]
    assert len(item["metrics"]["score"]) == 3


def test_prefer_wait_returns_the_finished_item(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    media_dir: Path,
) -> None:
    api = client_for(sandbox_factory(progress="polls:5"))
    token = upload(api, media_dir / "speech.wav")
    queued = api.post("/detect", json={"media_token": token}).json()["item"]
    assert queued["status"] == "processing" and queued["metrics"] == {}
    waited = api.post("/detect", json={"media_token": token}, headers={"Prefer": "wait"})
    assert waited.json()["item"]["status"] == "completed"
    assert waited.json()["item"]["metrics"]["score"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({}, "Exactly one of file, url or media_token"),
        ({"url": "https://example.com/a.wav", "media_token": "x"}, "Exactly one"),
        ({"url": "ftp://example.com/a.wav"}, "url must be an http(s) URL"),
        ({"url": "https://example.com/a.wav", "frame_length": 0}, "frame_length"),
        ({"url": "https://example.com/a.wav", "frame_length": 5}, "frame_length"),
        ({"url": "https://example.com/a.wav", "frame_length": 2.5}, "frame_length"),
        ({"url": "https://example.com/a.wav", "frame_length": "two"}, "frame_length"),
        ({"url": "https://example.com/a.wav", "modality": "smell"}, "modality"),
        ({"url": "https://example.com/a.wav", "start_region": 4, "end_region": 2}, "end_region"),
        ({"url": "https://example.com/a.wav", "visualize": "maybe"}, "visualize"),
        ({"media_token": "not-a-jwt"}, "Invalid media_token"),
    ],
)
def test_bad_json_requests_get_400_with_a_message(
    api: httpx.Client, body: dict[str, Any], needle: str
) -> None:
    r = api.post("/detect", json=body)
    assert r.status_code == 400
    assert r.json()["success"] is False
    assert needle in r.json()["message"]


def test_form_encoded_body_is_read_like_json(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    r = api.post("/detect", data={"media_token": token, "frame_length": "1"})
    assert r.status_code == 200 and len(r.json()["item"]["metrics"]["score"]) == 5


def test_file_and_token_together_is_400(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "speech.wav")
    r = api.post("/detect", files={"file": ("a.wav", wav_bytes(1.0))}, data={"media_token": token})
    assert r.status_code == 400
    assert "Exactly one" in r.json()["message"]


def test_direct_upload_allowlist(api: httpx.Client, media_dir: Path) -> None:
    empty = api.post("/detect", files={"file": ("empty.wav", b"")})
    assert empty.status_code == 400 and "empty" in empty.json()["message"]
    text = (media_dir / "notes.txt").read_bytes()
    by_ext = api.post("/detect", files={"file": ("notes.txt", text)})
    assert by_ext.status_code == 400 and "'.txt'" in by_ext.json()["message"]
    disguised = api.post("/detect", files={"file": ("notes.wav", text)})
    assert disguised.status_code == 400
    assert "not an audio, image or video file" in disguised.json()["message"]
    ctype = api.post("/detect", files={"file": ("a.wav", wav_bytes(1.0), "text/plain")})
    assert ctype.status_code == 400 and "content type" in ctype.json()["message"]
    octet = api.post(
        "/detect", files={"file": ("a.wav", wav_bytes(1.0), "application/octet-stream")}
    )
    assert octet.status_code == 200


def test_direct_upload_cap_points_to_secure_uploads(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(max_direct_bytes=1_000_000)
    api = client_for(sb)
    big = wav_bytes(40.0)  # 1.28 MB
    r = api.post("/detect", files={"file": ("big.wav", big)})
    assert r.status_code == 400
    assert "/secure_uploads" in r.json()["message"]
    assert sb.stats()["detects_created"] == 0
    # The same file goes through secure uploads (no cap there).
    token = api.post("/secure_uploads", files={"file": ("big.wav", big)}).json()["token"]
    assert api.post("/detect", json={"media_token": token}).status_code == 200
    assert list(sb.app.service.storage.root.iterdir()) != []


def test_direct_upload_over_the_documented_150_mb_is_refused(api: httpx.Client) -> None:
    header = wav_bytes(0.1)[:44]
    chunk = b"\x00" * (1 << 20)

    def body() -> Iterator[bytes]:
        boundary = b"--xyz"
        yield boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="long.wav"'
        yield b"\r\nContent-Type: audio/wav\r\n\r\n" + header
        for _ in range(151):
            yield chunk
        yield b"\r\n" + boundary + b"--\r\n"

    r = api.post(
        "/detect",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert r.status_code == 400
    assert "150 MB" in r.json()["message"] and "/secure_uploads" in r.json()["message"]


def test_corrupt_media_fails_the_job_with_a_reason(api: httpx.Client, media_dir: Path) -> None:
    token = upload(api, media_dir / "damaged.wav")
    item = api.post("/detect", json={"media_token": token}).json()["item"]
    got = api.get(f"/detect/{item['uuid']}").json()["item"]
    assert got["status"] == "failed"
    assert "damaged.wav" in got["error_message"]
    assert got["metrics"] == {}


def test_video_has_the_documented_frame_tree(api: httpx.Client, media_dir: Path) -> None:
    item = detect_file(api, media_dir / "clip.mp4")
    assert item["media_type"] == "video"
    assert item["duration"] == pytest.approx(6.0, abs=0.2)
    video: Any = item["video_metrics"]
    assert video["label"] in ("Fake", "Likely fake", "Neutral/Uncertain", "Likely real", "Real")
    (root,) = video["children"]
    assert root["type"] == "VideoResult"
    frames = root["children"]
    assert len(frames) == math.ceil(float(item["duration"]) / 2)  # type: ignore[arg-type]
    assert all(f["type"] == "ImageResult" for f in frames)
    assert [f["timestamp"] for f in frames] == sorted(f["timestamp"] for f in frames)
    assert all(s["type"] == "Segment" for f in frames for s in f["children"])
    assert all(isinstance(f["certainty (%)"], str) for f in frames)
    # The audio track is scored too.
    assert item["metrics"]["label"] in ("fake", "real")  # type: ignore[index]


def test_video_modality_and_silent_video(api: httpx.Client, media_dir: Path) -> None:
    only_video = detect_file(api, media_dir / "clip.mp4", modality="video")
    # spec-B: the block a single-modality video skipped is absent, not {}.
    assert "metrics" not in only_video and only_video["video_metrics"]
    only_audio = detect_file(api, media_dir / "clip.mp4", modality="audio")
    assert "video_metrics" not in only_audio and only_audio["metrics"]
    mute = detect_file(api, media_dir / "mute.mp4")
    assert mute["media_type"] == "video" and mute["metrics"] == {}
    capped = detect_file(api, media_dir / "clip.mp4", max_video_secs=2)
    assert len(capped["video_metrics"]["children"][0]["children"]) == 1  # type: ignore[index]


def test_audio_in_mp4_and_mp3(api: httpx.Client, media_dir: Path) -> None:
    m4a = detect_file(api, media_dir / "voice.m4a")
    assert m4a["media_type"] == "audio" and m4a["duration"] == pytest.approx(3.0, abs=0.1)
    mp3 = detect_file(api, media_dir / "voice.mp3")
    assert mp3["media_type"] == "audio" and mp3["duration"] == pytest.approx(4.0, abs=0.2)


def test_image_metrics(api: httpx.Client, media_dir: Path) -> None:
    item = detect_file(api, media_dir / "pic.png", use_reverse_search=True)
    assert item["media_type"] == "image"
    assert item["metrics"] == {}
    im: Any = item["image_metrics"]
    assert im["type"] == "FinalResult"
    assert isinstance(im["score"], float)
    assert im["label"] in ("Fake", "Likely fake", "Neutral/Uncertain", "Likely real", "Real")
    assert "reverse_image_search_sources" in im
    assert isinstance(im["ifl"]["score"], float)


def test_url_detect_is_synthesised_offline(api: httpx.Client) -> None:
    url = "https://example.com/media/ceo-call.mp3"
    a = api.post("/detect", json={"url": url}).json()["item"]
    b = api.post("/detect", json={"url": url}).json()["item"]
    assert a["url"] == url and a["audio_url"] == url
    assert a["status"] == "completed" and a["media_type"] == "audio"
    assert a["metrics"] == b["metrics"]


def test_zero_retention_deletes_and_redacts(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path
) -> None:
    item = detect_file(api, media_dir / "speech.wav", zero_retention_mode=True)
    assert item["url"] is None and item["audio_url"] is None
    assert str(item["filename"]).startswith("redacted_") and "speech" not in str(item["filename"])
    assert item["media_redacted"] is True
    assert item["media_deleted"] is True and item["file_deleted_at"]
    assert item["zero_retention_mode"] is True
    assert list(sandbox.app.service.storage.root.iterdir()) == []
    # privacy_mode, the older name, means the same.
    old = detect_file(api, media_dir / "speech.wav", privacy_mode=True)
    assert old["zero_retention_mode"] is True and old["url"] is None


def test_stored_media_url_serves_the_bytes(api: httpx.Client, media_dir: Path) -> None:
    item = detect_file(api, media_dir / "speech.wav")
    r = api.get(str(item["url"]))
    assert r.status_code == 200
    assert r.content == (media_dir / "speech.wav").read_bytes()


# -- get / list / delete ------------------------------------------------------------------------


def test_get_unknown_detect_is_404(api: httpx.Client) -> None:
    r = api.get("/detect/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404
    assert r.json()["success"] is False and r.json()["message"] == "Detect not found"


def test_experts_returns_intelligence_as_a_list(api: httpx.Client, media_dir: Path) -> None:
    with_intel = detect_file(api, media_dir / "speech.wav", intelligence=True)
    without = detect_file(api, media_dir / "tone.wav")
    a = api.get(f"/detect/{with_intel['uuid']}", params={"experts": "true"}).json()["item"]
    b = api.get(f"/detect/{without['uuid']}", params={"experts": "true"}).json()["item"]
    assert isinstance(a["intelligence"], list) and len(a["intelligence"]) == 1
    assert b["intelligence"] == []


def test_list_pages(api: httpx.Client) -> None:
    uuids = [
        api.post("/detect", json={"url": f"https://example.com/{i}.wav"}).json()["item"]["uuid"]
        for i in range(23)
    ]
    first = api.get("/detect", params={"page": 1, "page_size": 10}).json()
    assert first["total_count"] == 23 and first["num_pages"] == 3 and first["page_size"] == 10
    assert first["page"] == 1 and len(first["items"]) == 10
    last = api.get("/detect", params={"page": 3, "page_size": 10}).json()
    assert len(last["items"]) == 3
    seen = [
        i["uuid"] for p in (1, 2, 3) for i in api.get("/detect", params={"page": p}).json()["items"]
    ]
    assert seen == list(reversed(uuids))  # newest first, each exactly once
    beyond = api.get("/detect", params={"page": 9}).json()
    assert beyond["items"] == []


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "page is required"),
        ({"page": 0}, "page must be >= 1"),
        ({"page": "x"}, "page must be an integer"),
        ({"page": 1, "page_size": 9}, "page_size"),
        ({"page": 1, "page_size": 1001}, "page_size"),
    ],
)
def test_list_parameter_errors(api: httpx.Client, params: dict[str, Any], needle: str) -> None:
    r = api.get("/detect", params=params)
    assert r.status_code == 400 and needle in r.json()["message"]


def test_delete_then_get_is_404(api: httpx.Client, media_dir: Path) -> None:
    item = detect_file(api, media_dir / "speech.wav")
    r = api.delete(f"/detect/{item['uuid']}")
    assert r.status_code == 200 and r.json()["success"] is True
    assert api.get(f"/detect/{item['uuid']}").status_code == 404
    assert api.delete(f"/detect/{item['uuid']}").status_code == 404


# -- teams --------------------------------------------------------------------------------------


def test_teams_cannot_see_each_others_objects(
    api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    token = upload(api, media_dir / "speech.wav")
    item = api.post("/detect", json={"media_token": token}).json()["item"]
    assert api_b.get(f"/detect/{item['uuid']}").status_code == 404
    assert api_b.delete(f"/detect/{item['uuid']}").status_code == 404
    assert api_b.get("/detect", params={"page": 1}).json()["total_count"] == 0
    foreign = api_b.post("/detect", json={"media_token": token})
    assert foreign.status_code == 404 and "media_token" in foreign.json()["message"]
    assert api.get(f"/detect/{item['uuid']}").status_code == 200


# -- billing and products -----------------------------------------------------------------------


def test_wallet_402_has_error_code_and_details(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(wallet_cents=5.0)
    api = client_for(sb)
    assert api.post("/detect", json={"url": "https://example.com/a.wav"}).status_code == 200
    r = api.post("/detect", json={"url": "https://example.com/b.wav"})
    assert r.status_code == 402
    body = r.json()
    assert body["success"] is False and body["error_code"] == "insufficient_balance"
    assert body["details"]["estimated_cost_cents"] == 3.5
    assert body["details"]["detect_cost_cents"] == 3.5
    assert "watermark_cost_cents" not in body["details"]
    assert sb.stats()["detects_created"] == 1
    # Topping up through the admin route lets the next one through.
    admin = httpx.post(
        f"{sb.url}/_sandbox/wallet",
        json={"cents": 100},
        headers={"Authorization": f"Bearer {sb.api_key}"},
    )
    assert admin.json()["wallet_cents"] == 100
    assert api.post("/detect", json={"url": "https://example.com/b.wav"}).status_code == 200


def test_wallets_per_team(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(wallet_cents={"test_team_a_key": 1.0})
    a, b = client_for(sb), client_for(sb, sb.api_keys[1])
    body = {"url": "https://example.com/a.wav"}
    assert a.post("/detect", json=body).status_code == 402
    assert all(b.post("/detect", json=body).status_code == 200 for _ in range(5))  # unlimited
    sb.set_wallet(8.0)
    assert a.post("/detect", json={**body, "intelligence": True}).status_code == 200
    r = a.post("/detect", json={**body, "intelligence": True})  # 4.5 cents each
    assert r.status_code == 402 and r.json()["details"]["intelligence_cost_cents"] == 1.0


def test_signal_without_the_plan_is_403(api: httpx.Client) -> None:
    r = api.post("/detect", json={"url": "https://example.com/a.wav", "signal": True})
    assert r.status_code == 403 and "Signal" in r.json()["message"]


def test_watermark_object_when_asked(api: httpx.Client) -> None:
    item = api.post(
        "/detect", json={"url": "https://example.com/a.png", "detect_watermark": True}
    ).json()["item"]
    assert item["watermark"]["status"] == "completed"


# -- callbacks -----------------------------------------------------------------------------------


class _Catcher(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def callback_server() -> Iterator[tuple[str, list[dict[str, Any]], threading.Event]]:
    received: list[dict[str, Any]] = []
    got = threading.Event()

    class Handler(_Catcher):
        def do_POST(self) -> None:
            super().do_POST()
            got.set()

    Handler.received = received
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received, got
    server.shutdown()
    server.server_close()


def test_callback_posts_the_finished_item_to_loopback(
    api: httpx.Client,
    media_dir: Path,
    callback_server: tuple[str, list[dict[str, Any]], threading.Event],
) -> None:
    url, received, got = callback_server
    item = detect_file(api, media_dir / "speech.wav", callback_url=url)
    assert got.wait(10)
    (payload,) = received
    assert payload["success"] is True
    assert payload["item"]["uuid"] == item["uuid"]
    assert payload["item"]["status"] == "completed"
    assert (
        payload["item"]["metrics"] == api.get(f"/detect/{item['uuid']}").json()["item"]["metrics"]
    )


def test_callback_in_time_mode_fires_without_polling(
    sandbox_factory: Callable[..., Sandbox],
    client_for: Callable[..., httpx.Client],
    callback_server: tuple[str, list[dict[str, Any]], threading.Event],
) -> None:
    url, received, got = callback_server
    api = client_for(sandbox_factory(progress="time", latency=0.3))
    body = {"url": "https://example.com/a.wav", "callback_url": url}
    created = api.post("/detect", json=body).json()["item"]
    assert created["status"] == "processing"
    assert got.wait(10)
    assert received[0]["item"]["uuid"] == created["uuid"]
    assert received[0]["item"]["status"] == "completed"


def test_callbacks_go_only_to_loopback(sandbox: Sandbox, api: httpx.Client) -> None:
    body = {"url": "https://example.com/a.wav", "callback_url": "https://hooks.example.com/x"}
    assert api.post("/detect", json=body).status_code == 200
    for _ in range(100):
        if sandbox.stats()["callbacks"]:
            break
        threading.Event().wait(0.02)
    assert sandbox.stats()["callbacks"] == {"skipped_not_loopback": 1}


# -- /intelligence ------------------------------------------------------------------------------


def test_intelligence_sync_and_async(
    api: httpx.Client,
    api_b: httpx.Client,
    media_dir: Path,
    callback_server: tuple[str, list[dict[str, Any]], threading.Event],
) -> None:
    token = upload(api, media_dir / "speech.wav")
    r = api.post("/intelligence", json={"media_token": token, "json": True})
    assert r.status_code == 200
    item = r.json()["item"]
    assert item["media_type"] == "audio"
    assert set(item["description"]) >= {"speaker_info", "transcription", "misinformation"}
    assert api.get(f"/intelligences/{item['uuid']}").json()["item"]["uuid"] == item["uuid"]
    assert api_b.get(f"/intelligences/{item['uuid']}").status_code == 404
    url, received, got = callback_server
    pending = api.post("/intelligence", json={"media_token": token, "callback_url": url})
    assert pending.status_code == 202 and "description" not in pending.json()["item"]
    assert got.wait(10)
    assert received[0]["item"]["uuid"] == pending.json()["item"]["uuid"]
    assert api.post("/intelligence", json={}).status_code == 400
    missing = api.post("/intelligence", json={"media_token": token, "detect_id": "nope"})
    assert missing.status_code == 404


@pytest.fixture
def file_server(media_dir: Path) -> Iterator[str]:
    import functools
    from http.server import SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(media_dir)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_loopback_url_is_downloaded_and_read(
    sandbox: Sandbox, api: httpx.Client, media_dir: Path, file_server: str
) -> None:
    import hashlib

    item = api.post("/detect", json={"url": f"{file_server}/speech.wav"}).json()["item"]
    assert item["status"] == "completed"
    assert item["duration"] == pytest.approx(5.0) and item["filename"] == "speech.wav"
    assert item["url"] == f"{file_server}/speech.wav"
    sha = hashlib.sha256((media_dir / "speech.wav").read_bytes()).hexdigest()
    assert sandbox.stats()["detects_per_sha256"] == {sha: 1}
    missing = api.post("/detect", json={"url": f"{file_server}/gone.wav"}).json()["item"]
    assert missing["status"] == "failed" and "HTTP 404" in missing["error_message"]
