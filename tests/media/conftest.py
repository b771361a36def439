"""Real media files, generated once per test session (stdlib wave, Pillow, ffmpeg)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from PIL import Image

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"

_AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
_VIDEO = ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=10:duration=2"]
_FFMPEG_RECIPES: dict[str, list[str]] = {
    "tone.mp3": [*_AUDIO, "-c:a", "libmp3lame"],
    "bare.mp3": [*_AUDIO, "-c:a", "libmp3lame", "-id3v2_version", "0", "-write_xing", "0"],
    "tone.m4a": [*_AUDIO, "-c:a", "aac"],
    "tone.ogg": [*_AUDIO, "-c:a", "libvorbis"],
    "tone.aac": [*_AUDIO, "-c:a", "aac", "-f", "adts"],
    "tone.flac": [*_AUDIO],
    "tone.amr": [
        "-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=8000",
        "-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1",
    ],
    "clip.mp4": [*_VIDEO, *_AUDIO, "-c:v", "libx264", "-c:a", "aac", "-shortest"],
    "clip.mov": [*_VIDEO, *_AUDIO, "-c:v", "libx264", "-c:a", "aac", "-shortest"],
    "clip.avi": [*_VIDEO, "-c:v", "mpeg4"],
    "clip.mkv": [*_VIDEO, "-c:v", "libx264"],
    "clip.webm": [*_VIDEO, "-c:v", "libvpx"],
    "clip.3gp": [*_VIDEO, "-c:v", "libx264", "-f", "3gp"],
    "still.webp": ["-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1"],
}  # fmt: skip


def write_wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> Path:
    """A mono 16-bit WAV of a simple ramp (stdlib only)."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes((i * 7) % 256 for i in range(frames * 2)))
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real file per allowed format: tone.wav, tone.mp3, ..., still.png, clip.mp4."""
    folder = tmp_path_factory.mktemp("media")
    write_wav(folder / "tone.wav", seconds=2.0)
    Image.new("RGB", (32, 24), (200, 30, 30)).save(folder / "still.png")
    Image.new("RGB", (32, 24), (30, 200, 30)).save(folder / "still.jpg", quality=90)
    Image.new("P", (16, 16), 3).save(folder / "still.gif")
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    for name, args in _FFMPEG_RECIPES.items():
        subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args, str(folder / name)],
            check=True,
            timeout=60,
        )
    return folder


def _call_as_nobody(fn: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    os.setgid(65534)
    os.setuid(65534)
    queue.put(fn(*args))


def call_unprivileged(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; as root, in a forked child running as ``nobody`` so permissions bite."""
    if os.geteuid() != 0:
        return fn(*args)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_call_as_nobody, args=(fn, args, queue))
    child.start()
    try:
        return queue.get(timeout=30)
    finally:
        child.join(timeout=30)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A world-traversable temp folder (pytest's own is private to root)."""
    folder = Path(os.path.realpath("/tmp")) / f"rnb-media-{os.getpid()}"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
