"""``POST /detect/batch`` and ``GET /detect/batch/{uuid}`` over real HTTP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx

from resemble_nb.sandbox import Sandbox

from .helpers import wav_bytes


def _files(media_dir: Path, *names: str) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files[]", (n, (media_dir / n).read_bytes())) for n in names]


def test_files_array_batch_like_the_docs(api: httpx.Client, media_dir: Path) -> None:
    r = api.post(
        "/detect/batch",
        files=_files(media_dir, "speech.wav", "pic.png", "clip.mp4"),
        data={"frame_length": "1"},
    )
    assert r.status_code == 202
    batch = r.json()["item"]
    assert batch["total_files"] == 3 and len(batch["detect_uuids"]) == 3
    got = api.get(f"/detect/batch/{batch['uuid']}").json()["item"]
    assert got["status"] == "completed"
    assert got["completed_count"] == 3 and got["failed_count"] == 0
    items = [api.get(f"/detect/{u}").json()["item"] for u in got["detect_uuids"]]
    assert [i["filename"] for i in items] == ["speech.wav", "pic.png", "clip.mp4"]
    assert [i["media_type"] for i in items] == ["audio", "image", "video"]
    assert len(items[0]["metrics"]["score"]) == 5  # frame_length applies to every file
    assert items[0]["visualize"] is True  # the batch default


def test_single_file_field_with_one_media_file(api: httpx.Client, media_dir: Path) -> None:
    # The docs' curl example sends `-F file=@<file1>`.
    r = api.post("/detect/batch", files={"file": ("speech.wav", wav_bytes(2.0))})
    assert r.status_code == 202 and r.json()["item"]["total_files"] == 1


def test_zip_batch_skips_non_media_entries(api: httpx.Client, media_dir: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(media_dir / "speech.wav", "calls/speech.wav")
        zf.write(media_dir / "pic.jpg", "pic.jpg")
        zf.write(media_dir / "notes.txt", "notes.txt")
        zf.writestr("fake.wav", "this is text, not audio")
        zf.writestr("calls/", "")
    r = api.post("/detect/batch", files={"file": ("case.zip", buf.getvalue())})
    assert r.status_code == 202
    uuids = r.json()["item"]["detect_uuids"]
    names = sorted(api.get(f"/detect/{u}").json()["item"]["filename"] for u in uuids)
    assert names == ["pic.jpg", "speech.wav"]


def test_zip_without_media_is_400(api: httpx.Client) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    r = api.post("/detect/batch", files={"file": ("case.zip", buf.getvalue())})
    assert r.status_code == 400 and "no media" in r.json()["message"]


def test_broken_zip_is_400(api: httpx.Client) -> None:
    r = api.post("/detect/batch", files={"file": ("case.zip", b"PK\x03\x04garbage")})
    assert r.status_code == 400 and "zip" in r.json()["message"]


def test_partially_failed_and_failed(api: httpx.Client, media_dir: Path) -> None:
    mixed = api.post("/detect/batch", files=_files(media_dir, "speech.wav", "damaged.wav"))
    got = api.get(f"/detect/batch/{mixed.json()['item']['uuid']}").json()["item"]
    assert got["status"] == "partially_failed"
    assert got["completed_count"] == 1 and got["failed_count"] == 1
    bad = api.post("/detect/batch", files=_files(media_dir, "damaged.wav"))
    assert api.get(f"/detect/batch/{bad.json()['item']['uuid']}").json()["item"]["status"] == (
        "failed"
    )


def test_polls_mode_batch_reads_count_for_children(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    api = client_for(sandbox_factory(progress="polls:2"))
    files = [("files[]", (f"{i}.wav", wav_bytes(1.0, 200 + i))) for i in range(3)]
    batch = api.post("/detect/batch", files=files).json()["item"]
    assert batch["status"] == "processing" and batch["completed_count"] == 0
    first = api.get(f"/detect/batch/{batch['uuid']}").json()["item"]
    assert first["status"] == "processing"
    second = api.get(f"/detect/batch/{batch['uuid']}").json()["item"]
    assert second["status"] == "completed" and second["completed_count"] == 3


def test_batch_order_files_or_sorted(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    files = [("files[]", (f"{i}.wav", wav_bytes(0.5, 300 + 10 * i))) for i in range(8)]

    def names(order: str) -> tuple[list[str], list[str]]:
        api = client_for(sandbox_factory(batch_order=order))
        item = api.post("/detect/batch", files=files).json()["item"]
        got = [api.get(f"/detect/{u}").json()["item"]["filename"] for u in item["detect_uuids"]]
        return item["detect_uuids"], got

    _, in_order = names("files")
    assert in_order == [f"{i}.wav" for i in range(8)]
    uuids, shuffled = names("sorted")
    assert uuids == sorted(uuids) and sorted(shuffled) == in_order


def test_batch_limits(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(max_batch_bytes=200_000)
    api = client_for(sb)
    many = [("files[]", (f"{i}.wav", wav_bytes(0.05, 100 + i))) for i in range(51)]
    r = api.post("/detect/batch", files=many)
    assert r.status_code == 400 and "at most 50 files" in r.json()["message"]
    big = [("files[]", (f"{i}.wav", wav_bytes(3.0, 100 + i))) for i in range(3)]  # 3 x 96 kB
    r = api.post("/detect/batch", files=big)
    assert r.status_code == 400 and "MB in total" in r.json()["message"]
    assert sb.stats()["detects_created"] == 0
    assert list(sb.app.service.storage.root.iterdir()) == []


def test_batch_request_errors(api: httpx.Client, media_dir: Path) -> None:
    files = _files(media_dir, "speech.wav")
    wait = api.post("/detect/batch", files=files, headers={"Prefer": "wait"})
    assert wait.status_code == 400 and "Prefer: wait" in wait.json()["message"]
    none = api.post("/detect/batch", files={"other": ("x.wav", wav_bytes(0.1))})
    assert none.status_code == 400 and "No files" in none.json()["message"]
    both = api.post("/detect/batch", files=[*files, ("file", ("a.zip", b"PK\x03\x04"))])
    assert both.status_code == 400 and "not both" in both.json()["message"]
    text = api.post("/detect/batch", files=_files(media_dir, "speech.wav", "notes.txt"))
    assert text.status_code == 400 and "notes.txt" in text.json()["message"]
    mark = api.post("/detect/batch", files=files, data={"detect_watermark": "true"})
    assert mark.status_code == 400 and "detect_watermark" in mark.json()["message"]
    json_body = api.post("/detect/batch", json={"url": "https://example.com/a.wav"})
    assert json_body.status_code == 400


def test_batch_billing_is_all_or_nothing(
    sandbox_factory: Callable[..., Sandbox], client_for: Callable[..., httpx.Client]
) -> None:
    sb = sandbox_factory(wallet_cents=10.0)
    api = client_for(sb)
    files = [("files[]", (f"{i}.wav", wav_bytes(0.5, 300 + i))) for i in range(3)]
    r = api.post("/detect/batch", files=files)  # 3 x 3.5 = 10.5 > 10
    assert r.status_code == 402
    body = r.json()
    assert body["error_code"] == "insufficient_balance"
    assert body["details"]["estimated_cost_cents"] == 10.5
    assert [f["filename"] for f in body["details"]["files"]] == ["0.wav", "1.wav", "2.wav"]
    assert sb.stats()["detects_created"] == 0 and sb.stats()["batches_created"] == 0
    assert api.post("/detect/batch", files=files[:2]).status_code == 202


def test_batch_of_another_team_is_404(
    api: httpx.Client, api_b: httpx.Client, media_dir: Path
) -> None:
    batch = api.post("/detect/batch", files=_files(media_dir, "speech.wav")).json()["item"]
    r = api_b.get(f"/detect/batch/{batch['uuid']}")
    assert r.status_code == 404 and "Batch not found" in r.json()["message"]
    assert api_b.get(f"/detect/{batch['detect_uuids'][0]}").status_code == 404
