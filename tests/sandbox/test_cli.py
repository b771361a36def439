"""``resemble-nb sandbox`` and ``python -m resemble_nb.sandbox`` in a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from .helpers import ServerProcess

VENV_BIN = Path(sys.executable).parent


def test_module_prints_its_url_and_key_and_serves(tmp_path: Path) -> None:
    server = ServerProcess("--api-key", "cli_key_1", env={"TMPDIR": str(tmp_path)})
    try:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.base_url.endswith("/api/v2")
        assert server.api_key == "cli_key_1"
        r = httpx.get(
            f"{server.base_url}/detect",
            params={"page": 1},
            headers={"Authorization": "Bearer cli_key_1"},
        )
        assert r.status_code == 200 and r.headers["X-Resemble-Sandbox"] == "1"
        assert [p.name.startswith("resemble-sandbox-") for p in tmp_path.iterdir()] == [True]
    finally:
        code = server.stop()
    assert code in (0, 130)  # Ctrl-C
    assert list(tmp_path.iterdir()) == []  # storage removed on shutdown


def test_resemble_nb_sandbox_command_with_options() -> None:
    server = ServerProcess(
        "--progress",
        "polls:1",
        "--faults",
        "GET /detect:503",
        "--rate-limit",
        "0",
        command=[str(VENV_BIN / "resemble-nb"), "sandbox"],
    )
    try:
        assert server.api_key.startswith("sandbox_")  # generated when none is given
        headers = {"Authorization": f"Bearer {server.api_key}"}
        assert (
            httpx.get(f"{server.base_url}/detect", params={"page": 1}, headers=headers).status_code
            == 503
        )
        created = httpx.post(
            f"{server.base_url}/detect", json={"url": "https://e.com/a.wav"}, headers=headers
        ).json()["item"]
        assert created["status"] == "processing"
    finally:
        server.stop()


def test_bad_arguments_are_reported() -> None:
    for args, needle in (
        (["--progress", "sometimes"], "progress must be"),
        (["--faults", "*:explode"], "unknown fault item"),
        (["--latency", "-1"], "expected a number >= 0"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "resemble_nb.sandbox", *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2
        assert needle in done.stderr


def test_cli_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys, resemble_nb.sandbox.cli; "
        "heavy = ('starlette', 'uvicorn', 'jwt', 'multipart', 'python_multipart'); "
        "bad = [m for m in heavy if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "[]"


def test_answers_can_be_set_to_fail_from_the_command_line() -> None:
    server = ServerProcess("--answers", "fail", "--api-key", "cli_key_answers")
    try:
        headers = {"Authorization": "Bearer cli_key_answers"}
        made = httpx.post(
            f"{server.base_url}/detect",
            json={"url": "https://e.com/a.wav"},
            headers={**headers, "Prefer": "wait"},
        ).json()["item"]
        asked = httpx.post(
            f"{server.base_url}/detects/{made['uuid']}/intelligence",
            json={"query": "Cloned?"},
            headers=headers,
        )
        assert asked.status_code == 202
        question = asked.json()["item"]["uuid"]
        got = httpx.get(
            f"{server.base_url}/detects/{made['uuid']}/intelligence/{question}", headers=headers
        ).json()["item"]
        assert got["status"] == "failed" and got["error_message"]
    finally:
        server.stop()
