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
