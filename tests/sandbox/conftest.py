"""Media files and HTTP clients for the sandbox tests.

Media are generated, not checked in: WAV with the stdlib ``wave`` module and numpy,
images with Pillow, MP3/M4A/MP4 with the ffmpeg binary shipped by imageio-ffmpeg.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from resemble_nb.sandbox import Sandbox

from .helpers import ffmpeg, image_bytes, wav_bytes


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """speech.wav (5 s), tone.wav (3.3 s), pic.png, pic.jpg, voice.mp3 (4 s),
    voice.m4a (3 s, audio-only MP4), clip.mp4 (6 s video with AAC audio),
    mute.mp4 (4 s video, no audio), damaged.wav (corrupt), notes.txt."""
    d = tmp_path_factory.mktemp("media")
    (d / "speech.wav").write_bytes(wav_bytes(5.0, 440))
    (d / "tone.wav").write_bytes(wav_bytes(3.3, 300))
    (d / "pic.png").write_bytes(image_bytes("PNG", 1))
    (d / "pic.jpg").write_bytes(image_bytes("JPEG", 2))
    (d / "damaged.wav").write_bytes(b"RIFF\x24\xee\x02\x00WAVEfmt " + bytes(range(256)) * 4)
    (d / "notes.txt").write_text("Case notes: call from the bank on Monday.\n")
    lavfi_audio = "sine=frequency=220:sample_rate=16000"
    ffmpeg("-f", "lavfi", "-i", f"{lavfi_audio}:duration=4", str(d / "voice.mp3"))
    ffmpeg("-f", "lavfi", "-i", f"{lavfi_audio}:duration=3", "-c:a", "aac", str(d / "voice.m4a"))
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=6",
        "-f", "lavfi", "-i", f"{lavfi_audio}:duration=6",
        "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(d / "clip.mp4"),
    )  # fmt: skip
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=4",
        "-c:v", "mpeg4", "-an", str(d / "mute.mp4"),
    )  # fmt: skip
    return d


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client on the sandbox's base URL, authenticated as team A."""
    with httpx.Client(
        base_url=sandbox.base_url,
        headers={"Authorization": f"Bearer {sandbox.api_keys[0]}"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture
def api_b(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """The same sandbox, authenticated as team B."""
    with httpx.Client(
        base_url=sandbox.base_url,
        headers={"Authorization": f"Bearer {sandbox.api_keys[1]}"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture
def client_for() -> Iterator[Callable[[Sandbox], httpx.Client]]:
    """Clients for sandboxes made with ``sandbox_factory`` (team A's key), closed after."""
    clients: list[httpx.Client] = []

    def make(sb: Sandbox, key: str | None = None) -> httpx.Client:
        client = httpx.Client(
            base_url=sb.base_url,
            headers={"Authorization": f"Bearer {key or sb.api_key}"},
            timeout=30,
        )
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
