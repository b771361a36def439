"""Media files on disk and small helpers for engine tests."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path
from typing import Any

from resemble_nb.api import Client
from resemble_nb.engine import Run
from resemble_nb.sandbox import Sandbox

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
FAST = (0.05, 0.5)
"""Polling rounds 50 ms to 0.5 s apart: tests need not wait a second per round."""


def write_wav(path: Path, seconds: float = 1.0, freq: float = 440.0, rate: int = 8000) -> Path:
    """A real WAV tone; different ``freq`` or ``seconds`` give different content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return path


def write_wavs(folder: Path, count: int, seconds: float = 0.5) -> list[Path]:
    """``count`` distinct short WAV files named ``clip000.wav``..."""
    return [
        write_wav(folder / f"clip{i:03d}.wav", seconds=seconds, freq=200.0 + 7.0 * i)
        for i in range(count)
    ]


def client_for(sandbox: Sandbox, **kwargs: Any) -> Client:
    return Client(api_key=sandbox.api_key, base_url=sandbox.base_url, **kwargs)


def states(run: Run) -> dict[str, str]:
    """``{name: state}`` of a run's items."""
    return {item.name: item.state for item in run.items()}


def duplicates(sandbox: Sandbox) -> dict[str, int]:
    """Contents the sandbox analysed more than once (should always be empty)."""
    return {sha: n for sha, n in sandbox.stats()["detects_per_sha256"].items() if n > 1}
