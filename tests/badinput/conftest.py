"""The bad-input suite: every kind of bad input, through the CLI (a real subprocess over
127.0.0.1) and, where it applies, the Python API.

Each case asserts one clear line that names the file (or the service) and the reason,
the exit code, no traceback, and that the other files of the run completed.

Permission cases need a user without root's override: as root the CLI runs under
``unshare -U`` (a user namespace with no mapping: the same uid, no capabilities), so a
``chmod 000`` file really cannot be read. A full disk is a 64 KiB tmpfs (root only).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb.sandbox import Sandbox

SAMPLES = rnb.sample_media()
KEY = "test_team_a_key"
GOOD = ("speech.wav", "portrait.png")
"""The good files put beside every bad one: both must complete."""


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def first_error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.startswith("resemble-nb")]
        return lines[0] if lines else ""


def _can_drop_override() -> bool:
    return os.geteuid() != 0 or shutil.which("unshare") is not None


def run_cli(
    *args: str | os.PathLike[str],
    key: str | None = KEY,
    unprivileged: bool = False,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> Result:
    """``resemble-nb ARGS`` in a subprocess (``env`` added to a clean environment);
    asserts no traceback reached the user."""
    extra = env or {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEMBLE")}
    if key is not None:
        env["RESEMBLE_API_KEY"] = key
    env.update(extra)
    command = [sys.executable, "-m", "resemble_nb.cli", *map(os.fspath, args)]
    if unprivileged and os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: permissions cannot be tested")
        command = ["unshare", "-U", *command]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, errors="replace"
    )
    result = Result(done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in result.text, result.text
    return result


def distinct_calls(folder: Path, n: int) -> Path:
    """``n`` tiny WAVs of distinct content (each its own item), ``call-0000.wav``..."""
    folder.mkdir()
    for i in range(n):
        with wave.open(str(folder / f"call-{i:04d}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(i.to_bytes(4, "little") * 2000)
    return folder


def interrupt_detect(api: Sandbox, folder: Path, case: Path, signum: int) -> Result:
    """``resemble-nb detect FOLDER`` with every create hanging, sent ``signum`` once the
    sandbox has seen its first request (an observable event, not a sleep)."""
    api.set_faults("POST /detect*:delay=30")  # every create hangs: the run stays in flight
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEMBLE")}
    env["RESEMBLE_API_KEY"] = KEY
    child = subprocess.Popen(
        [sys.executable, "-m", "resemble_nb.cli", "detect", str(folder), "--case",
         str(case), "--base-url", api.base_url, "--no-progress"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not api.stats().get("requests_total", 0):
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signum)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    result = Result(child.returncode, out, err)
    assert "Traceback" not in result.text, result.text
    return result


def evidence(folder: Path, *good: str) -> Path:
    """A folder holding copies of the good sample files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in good or GOOD:
        shutil.copyfile(SAMPLES / name, folder / name)
    return folder


def assert_good_completed(result: Result, n: int = len(GOOD)) -> None:
    assert f"completed {n}" in result.out or f"completed: {n}" in result.out, result.text


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox for the module (faults are set and cleared per test)."""
    sb = Sandbox(port=0, api_keys=(KEY, "test_team_b_key")).start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Sandbox]:
    sandbox.set_faults(None)
    sandbox.set_wallet(None)
    yield sandbox
    sandbox.set_faults(None)
    sandbox.set_wallet(None)


class _Junk(BaseHTTPRequestHandler):
    """Answers every request with what the first path segment asks for."""

    def _answer(self) -> None:
        kind = self.path.strip("/").split("/")[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body, ctype, status = {
            "html": (b"<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html", 200),
            "empty": (b"", "application/json", 200),
            "badjson": (b'{"success": true, "item": ', "application/json", 200),
            "html502": (b"<html><body>502 Bad Gateway</body></html>", "text/html", 502),
        }.get(kind, (b"no", "text/plain", 404))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def junk() -> Iterator[str]:
    """A server on 127.0.0.1 that is not the API: ``f"{junk}/html/api/v2"``..."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Junk)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
