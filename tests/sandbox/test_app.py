"""The seed documents' flows, unchanged except for the base URL.

1. The curl commands of the Secure Upload and batch pages, run with the real ``curl``.
2. The seed's folder script (requests + a thread pool): upload each file, detect by
   token, poll to a terminal state, write results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import pytest
import requests

from resemble_nb.sandbox import Sandbox

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


def _curl(*args: str) -> dict[str, Any]:
    out = subprocess.run(["curl", "-sS", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    body: dict[str, Any] = json.loads(out.stdout)
    return body


@needs_curl
def test_seed_curl_commands(sandbox: Sandbox, media_dir: Path) -> None:
    base = sandbox.base_url
    key = sandbox.api_key
    # $ curl --request POST '.../secure_uploads' -H 'Authorization: Bearer ...' -F 'file=@...'
    up = _curl(
        "--request", "POST", f"{base}/secure_uploads",
        "-H", f"Authorization: Bearer {key}",
        "-F", f"file=@{media_dir / 'clip.mp4'}",
    )  # fmt: skip
    assert up["success"] is True
    # $ curl --request POST '.../detect' -H ... -H 'Content-Type: application/json'
    #   --data '{"media_token": "...", "intelligence": true}'
    created = _curl(
        "--request", "POST", f"{base}/detect",
        "-H", f"Authorization: Bearer {key}",
        "-H", "Content-Type: application/json",
        "--data", json.dumps({"media_token": up["token"], "intelligence": True}),
    )  # fmt: skip
    uuid = created["item"]["uuid"]
    got = _curl(f"{base}/detect/{uuid}", "-H", f"Authorization: Bearer {key}")
    assert got["item"]["status"] == "completed" and got["item"]["media_type"] == "video"
    assert got["item"]["intelligence"]["description"]
    # $ curl -X POST .../detect/batch -H "Authorization: Bearer <token>"
    #   -H "Content-Type: multipart/form-data" -F file=@<file1>
    batch = _curl(
        "-X", "POST", f"{base}/detect/batch",
        "-H", f"Authorization: Bearer {key}",
        "-H", "Content-Type: multipart/form-data",
        "-F", f"file=@{media_dir / 'speech.wav'}",
    )  # fmt: skip
    assert batch["success"] is True and batch["item"]["total_files"] == 1
    # files[] form, repeated.
    many = _curl(
        "-X", "POST", f"{base}/detect/batch",
        "-H", f"Authorization: Bearer {key}",
        "-F", f"files[]=@{media_dir / 'speech.wav'}",
        "-F", f"files[]=@{media_dir / 'pic.jpg'}",
        "-F", "intelligence=true",
    )  # fmt: skip
    status = _curl(
        f"{base}/detect/batch/{many['item']['uuid']}", "-H", f"Authorization: Bearer {key}"
    )
    assert status["item"]["status"] == "completed" and status["item"]["total_files"] == 2


# -- the seed's detect_with_secure_uploads.py, verbatim apart from BASE_URL and sleeps ----------

MEDIA_EXTS = {".wav", ".mp3", ".mp4", ".mov", ".png", ".jpg", ".jpeg"}


def _seed_run(base_url: str, api_key: str, folder: str, output_path: str) -> str:
    API_KEY = api_key
    BASE_URL = base_url
    MAX_WORKERS = 4
    lines: list[str] = []

    def json_headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}

    def auth_only_headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {API_KEY}"}

    def secure_upload(path: str) -> str:
        with open(path, "rb") as f:
            resp = requests.post(
                f"{BASE_URL}/secure_uploads",
                headers=auth_only_headers(),
                files={"file": (os.path.basename(path), f)},
            )
        if not resp.ok:
            raise RuntimeError(f"POST /secure_uploads returned {resp.status_code}: {resp.text}")
        token = resp.json().get("token")
        if not token:
            raise RuntimeError(f"no token in secure upload response: {resp.text}")
        return str(token)

    def submit_detect(media_token: str) -> str:
        payload = {"media_token": media_token}
        resp = requests.post(f"{BASE_URL}/detect", headers=json_headers(), json=payload)
        if not resp.ok:
            raise RuntimeError(f"POST /detect returned {resp.status_code}: {resp.text}")
        uuid = resp.json().get("item", {}).get("uuid")
        if not uuid:
            raise RuntimeError("no uuid in detect response")
        return str(uuid)

    def poll_for_result(uuid: str, timeout: int = 600, interval: float = 0.05) -> dict[str, Any]:
        url = f"{BASE_URL}/detect/{uuid}"
        deadline = time.time() + timeout
        while time.time() < deadline:
            resp = requests.get(url, headers=json_headers())
            if not resp.ok:
                raise RuntimeError(f"GET /detect/{uuid} returned {resp.status_code}: {resp.text}")
            item: dict[str, Any] = resp.json().get("item", {})
            status = item.get("status", "unknown")
            if status in ("completed", "failed"):
                return item
            time.sleep(interval)
        raise RuntimeError(f"polling timed out after {timeout}s")

    def iter_media_files(folder: str) -> list[str]:
        out = []
        for name in sorted(os.listdir(folder)):
            full = os.path.join(folder, name)
            if not os.path.isfile(full):
                continue
            if os.path.splitext(name)[1].lower() not in MEDIA_EXTS:
                continue
            out.append(full)
        return out

    def process_file(path: str) -> dict[str, Any]:
        token = secure_upload(path)
        uuid = submit_detect(token)
        result = poll_for_result(uuid)
        status = result.get("status", "unknown")
        if status != "completed":
            raise RuntimeError(f"detect job {uuid} ended with status={status}")
        return {"file": path, "detect": result}

    files = iter_media_files(folder)
    succeeded, failed = [], []
    with ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        future_to_path = {pool.submit(process_file, p): p for p in files}
        for future in as_completed(future_to_path):
            path = future_to_path[future]
            name = os.path.basename(path)
            try:
                record = future.result()
                succeeded.append(record)
                metrics = record["detect"].get("metrics") or {}
                lines.append(
                    f"  [OK] {name} label={metrics.get('label')} "
                    f"score={metrics.get('aggregated_score')}"
                )
            except Exception as e:
                failed.append({"file": path, "error": str(e)})
                lines.append(f"  [ERR] {name} {e}")
    with open(output_path, "w") as f:
        json.dump({"folder": folder, "succeeded": succeeded, "failed": failed}, f, indent=2)
    lines.append(f"Done. {len(succeeded)} succeeded, {len(failed)} failed (of {len(files)}).")
    return "\n".join(lines)


def test_seed_folder_script(sandbox_factory: Any, media_dir: Path, tmp_path: Path) -> None:
    sb: Sandbox = sandbox_factory(progress="polls:2")
    folder = tmp_path / "evidence"
    folder.mkdir()
    for name in ("speech.wav", "voice.mp3", "clip.mp4", "pic.png", "pic.jpg", "damaged.wav"):
        shutil.copy(media_dir / name, folder / name)
    (folder / "notes.txt").write_text("not media")
    (folder / "sub").mkdir()
    out = tmp_path / "results.json"
    summary = _seed_run(sb.base_url, sb.api_key, str(folder), str(out))
    assert summary.endswith("Done. 5 succeeded, 1 failed (of 6).")
    assert "[ERR] damaged.wav detect job" in summary and "status=failed" in summary
    results = json.loads(out.read_text())
    by_name = {Path(r["file"]).name: r["detect"] for r in results["succeeded"]}
    assert set(by_name) == {"speech.wav", "voice.mp3", "clip.mp4", "pic.png", "pic.jpg"}
    assert by_name["speech.wav"]["metrics"]["label"] in ("fake", "real")
    assert by_name["pic.png"]["image_metrics"]["label"]
    stats = sb.stats()
    assert stats["uploads"] == 6 and stats["detects_created"] == 6
    assert set(stats["detects_per_sha256"].values()) == {1}
