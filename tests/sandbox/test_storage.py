"""Uploads stream to disk: bounded memory, limits checked while streaming."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from resemble_nb.sandbox import Sandbox
from resemble_nb.sandbox.storage import Storage, safe_filename

from .helpers import ServerProcess, sparse_wav


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\call.wav", "call.wav"),
        ("a\x00b\x07.wav", "ab.wav"),
        ("...", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("x" * 300 + ".wav", "x" * 200),
    ],
)
def test_safe_filename(raw: str | None, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_storage_paths_stay_inside(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "s")
    p = storage.new_path("../../evil.WAV")
    assert p.parent == tmp_path / "s" and p.suffix == ".wav"
    assert storage.new_path("weird.tar.gz;rm").suffix == ""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    storage.delete(outside)
    assert outside.exists()


def test_malformed_multipart_is_400(sandbox: Sandbox, api: httpx.Client) -> None:
    no_boundary = api.post(
        "/secure_uploads", content=b"xx", headers={"Content-Type": "multipart/form-data"}
    )
    assert no_boundary.status_code == 400 and "boundary" in no_boundary.json()["message"]
    not_multipart = api.post("/secure_uploads", json={"file": "x"})
    assert not_multipart.status_code == 400
    no_file = api.post(
        "/secure_uploads", data={"file": "just text"}, files={"other": ("x.wav", b"RIFF")}
    )
    assert no_file.status_code == 400 and "Missing file" in no_file.json()["message"]
    two_files = api.post(
        "/secure_uploads", files=[("file", ("a.wav", b"RIFF")), ("file", ("b.wav", b"RIFF"))]
    )
    assert two_files.status_code == 400
    assert list(sandbox.app.service.storage.root.iterdir()) == []  # nothing left behind


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"garbage", "Expected boundary"),
        (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFFxx',
            "ended before the closing boundary",
        ),
        (b"--b\r\nbroken header line\r\n\r\nzz\r\n--b--\r\n", "invalid character"),
    ],
)
def test_broken_bodies_are_400_and_leave_nothing(
    sandbox: Sandbox, api: httpx.Client, body: bytes, needle: str
) -> None:
    r = api.post(
        "/secure_uploads",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert r.status_code == 400
    assert "Malformed multipart body" in r.json()["message"] and needle in r.json()["message"]
    assert list(sandbox.app.service.storage.root.iterdir()) == []


def test_interrupted_upload_leaves_no_file(sandbox: Sandbox, api: httpx.Client) -> None:
    def body() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.wav"\r\n\r\n'
        yield b"RIFF" + b"\x00" * 100_000
        raise RuntimeError("client gave up")

    with pytest.raises(RuntimeError):
        api.post(
            "/secure_uploads",
            content=body(),
            headers={"Content-Type": "multipart/form-data; boundary=b"},
        )
    # The server may still be writing when the client gives up, and learns of the
    # disconnect only when the connection closes: close it, then wait until the server
    # has finished with the request (it is counted once its handler, cleanup included,
    # is done) before looking at the folder.
    api.close()
    deadline = time.monotonic() + 10
    while sandbox.stats()["requests_total"] < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox.stats()["requests_total"] == 1
    assert list(sandbox.app.service.storage.root.iterdir()) == []


@pytest.mark.slow
def test_600_mb_upload_streams_with_bounded_memory(tmp_path: Path) -> None:
    size = 600 * 2**20
    media = tmp_path / "long_call.wav"
    sparse_wav(media, size)
    server = ServerProcess("--rate-limit", "0", env={"TMPDIR": str(tmp_path)})
    try:
        proc = psutil.Process(server.pid)
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
            client.get("/detect", params={"page": 1})  # warm up imports
            baseline = proc.memory_info().rss
            peak = [baseline]
            done = threading.Event()

            def watch() -> None:
                while not done.is_set():
                    peak[0] = max(peak[0], proc.memory_info().rss)
                    time.sleep(0.02)

            watcher = threading.Thread(target=watch)
            watcher.start()
            try:
                with open(media, "rb") as fh:
                    r = client.post("/secure_uploads", files={"file": (media.name, fh)})
            finally:
                done.set()
                watcher.join()
            assert r.status_code == 200, r.text
            growth = peak[0] - baseline
            assert growth < 100 * 2**20, f"server grew by {growth / 2**20:.0f} MB"
            stored = [p for d in tmp_path.glob("resemble-sandbox-*") for p in d.iterdir()]
            assert [p.stat().st_size for p in stored] == [size]
            item = client.post(
                "/detect", json={"media_token": r.json()["token"]}, headers={"Prefer": "wait"}
            ).json()["item"]
            assert item["status"] == "completed"
            assert item["duration"] == pytest.approx((size - 44) / 32000, abs=0.01)
    finally:
        server.stop()
    assert list(tmp_path.glob("resemble-sandbox-*")) == []
