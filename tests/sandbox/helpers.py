"""Media generators and small HTTP helpers for the sandbox tests."""

from __future__ import annotations

import io
import subprocess
import wave
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"


def wav_bytes(seconds: float = 5.0, freq: float = 440.0, rate: int = 16000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (np.sin(2 * np.pi * freq * t) * 12000).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


def image_bytes(fmt: str = "PNG", seed: int = 0, size: tuple[int, int] = (64, 48)) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    exe = imageio_ffmpeg.get_ffmpeg_exe()
    subprocess.run([exe, "-v", "error", "-y", *args], check=True, timeout=60)


def upload(client: httpx.Client, path: Path) -> str:
    """Secure-upload a file and return its media token."""
    with open(path, "rb") as fh:
        r = client.post("/secure_uploads", files={"file": (path.name, fh)})
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    return token


def detect_file(client: httpx.Client, path: Path, **options: object) -> dict[str, object]:
    """Direct multipart detect; returns the item."""
    data = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()}
    with open(path, "rb") as fh:
        r = client.post("/detect", files={"file": (path.name, fh)}, data=data)
    assert r.status_code == 200, r.text
    item: dict[str, object] = r.json()["item"]
    return item


class ServerProcess:
    """``python -m resemble_nb.sandbox`` (or ``resemble-nb sandbox``) as a child process."""

    def __init__(
        self, *args: str, command: list[str] | None = None, env: dict[str, str] | None = None
    ):
        import os
        import sys

        base = command or [sys.executable, "-m", "resemble_nb.sandbox"]
        self.proc = subprocess.Popen(
            [*base, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        assert self.proc.stdout is not None
        self.lines = [self.proc.stdout.readline() for _ in range(2)]
        url_line = self.lines[0].strip()
        if not url_line.startswith("Resemble sandbox API: "):
            self.stop()
            raise RuntimeError(f"sandbox did not start: {url_line!r} {self.proc.stderr.read()!r}")  # type: ignore[union-attr]
        self.base_url = url_line.split(": ", 1)[1]
        self.api_key = self.lines[1].strip().split(": ", 1)[1]
        self.pid = self.proc.pid

    def stop(self) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def sparse_wav(path: Path, size: int, rate: int = 16000) -> None:
    """A valid silent 16-bit mono WAV of ``size`` bytes, written sparsely (instant, no disk)."""
    import struct

    data = size - 44
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", data)
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(size)
