"""Ctrl-C during a large review: the summary counts the unfinished files by reason
instead of printing one line per file, and the exit code is 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from resemble_nb.sandbox import Sandbox

from .conftest import KEY

FILES = 120


def _many(folder: Path) -> Path:
    folder.mkdir()
    for i in range(FILES):
        with wave.open(str(folder / f"call-{i:04d}.wav"), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(8000)
            out.writeframes(i.to_bytes(4, "little") * 2000)
    return folder


@pytest.mark.slow
def test_ctrl_c_summarises_instead_of_listing_every_file(tmp_path: Path, api: Sandbox) -> None:
    folder = _many(tmp_path / "evidence")
    api.set_faults("POST /detect*:delay=30")  # every create hangs: the run stays in flight
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESEMBLE")}
    env["RESEMBLE_API_KEY"] = KEY
    child = subprocess.Popen(
        [sys.executable, "-m", "resemble_nb.cli", "detect", str(folder), "--case",
         str(tmp_path / "case"), "--base-url", api.base_url, "--no-progress"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not api.stats().get("requests_total", 0):  # an observable event: it has sent
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert len(err.splitlines()) < 40, err
    assert "more:" in err and "cancelled" in err, err
