"""``Sandbox``: a background server for notebooks and tests; ``create_app`` in-process."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox, SandboxConfig, create_app

from .helpers import wav_bytes


def test_context_manager_serves_and_cleans_up() -> None:
    with Sandbox(port=0) as sb:
        assert sb.running
        assert sb.base_url == f"http://127.0.0.1:{sb.port}/api/v2"
        assert sb.api_key.startswith("sandbox_") and sb.api_keys == (sb.api_key,)
        root = sb.app.service.storage.root
        r = httpx.post(
            f"{sb.base_url}/detect",
            files={"file": ("a.wav", wav_bytes(1.0))},
            headers={"Authorization": f"Bearer {sb.api_key}"},
        )
        assert r.status_code == 200
        assert any(root.iterdir())
    assert not sb.running
    assert not root.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(sb.base_url + "/detect")


def test_start_stop_without_with() -> None:
    sb = Sandbox(config=SandboxConfig(api_keys=("k",)))
    assert sb.start() is sb
    assert httpx.get(sb.url + "/").json()["base_url"] == sb.base_url
    sb.stop()
    sb.stop()  # twice is fine
    assert not sb.running


def test_every_answer_is_labelled_with_a_request_id(sandbox: Sandbox, api: httpx.Client) -> None:
    answers = [
        api.get("/detect", params={"page": 1}),
        api.get("/detect/nope"),
        httpx.get(sandbox.base_url + "/detect"),  # 401
        api.get("/no/such/route"),
    ]
    ids = {r.headers["X-Request-Id"] for r in answers}
    assert len(ids) == len(answers)
    assert all(r.headers["X-Resemble-Sandbox"] == "1" for r in answers)


def test_unknown_routes_answer_json(sandbox: Sandbox, api: httpx.Client) -> None:
    r = api.get(sandbox.url + "/nothing")
    assert r.status_code == 404 and r.json() == {"success": False, "message": "Not found"}
    wrong_method = api.put("/detect")
    assert wrong_method.status_code == 405 and wrong_method.json()["success"] is False


def test_repr_never_shows_keys() -> None:
    cfg = SandboxConfig(api_keys=("super_secret_key_1",))
    with Sandbox(config=cfg) as sb:
        assert "super_secret_key_1" not in repr(sb)
        assert "super_secret_key_1" not in repr(cfg)
        assert "super_secret_key_1" not in repr(sb.app.service.store.teams)


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"127.0.0.1:{port}"):
            Sandbox(port=port).start()


def test_settings_and_config_are_exclusive() -> None:
    with pytest.raises(TypeError):
        Sandbox(config=SandboxConfig(), latency=1.0)


def test_sandboxes_are_independent(sandbox: Sandbox, sandbox_factory: object) -> None:
    with Sandbox(port=0, api_keys=sandbox.api_keys) as other:
        h = {"Authorization": f"Bearer {sandbox.api_key}"}
        httpx.post(f"{other.base_url}/detect", json={"url": "https://e.com/a.wav"}, headers=h)
        assert other.stats()["detects_created"] == 1
        assert sandbox.stats()["detects_created"] == 0


async def test_create_app_in_process(tmp_path: Path) -> None:
    app = create_app(api_keys=("k",), storage_dir=str(tmp_path / "store"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox/api/v2", headers={"Authorization": "Bearer k"}
    ) as client:
        token = (
            await client.post("/secure_uploads", files={"file": ("a.wav", wav_bytes(2.0))})
        ).json()["token"]
        item = (await client.post("/detect", json={"media_token": token})).json()["item"]
        got = await client.get(f"/detect/{item['uuid']}")
        assert got.json()["item"]["status"] == "completed"
        assert got.headers["X-Resemble-Sandbox"] == "1"
    assert app.service.stats.snapshot()["detects_created"] == 1
    app.close()
    assert (tmp_path / "store").exists()  # a folder the caller chose is left alone
