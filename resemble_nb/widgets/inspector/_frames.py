"""A video's key frames for the media inspector: a small JPEG at each scored timestamp,
clamped to the media's real duration, cached in the case beside the audio overview.

>>> duration, frames = key_frames("clip.mp4", [(0.5, 0.91, "fake")])  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._data import _atomic_write, _cache_file, _open, media_duration

__all__ = ["MAX_FRAMES", "KeyFrame", "key_frames"]

#: Most key frames shown for one video (evenly chosen when more were scored).
MAX_FRAMES = 48
THUMB_HEIGHT = 72


@dataclass(frozen=True)
class KeyFrame:
    """One scored video frame: when (clamped to the media), its score, a thumbnail."""

    time: float
    scored_at: float
    score: float | None
    label: str | None
    jpeg: bytes

    def as_dict(self) -> dict[str, Any]:
        return {
            "t": self.time,
            "scored_at": self.scored_at,
            "score": self.score,
            "label": self.label,
            "src": "data:image/jpeg;base64," + base64.b64encode(self.jpeg).decode("ascii"),
        }


def _choose(times: Sequence[tuple[float, float | None, str | None]]) -> list[int]:
    if len(times) <= MAX_FRAMES:
        return list(range(len(times)))
    return sorted({round(i) for i in np.linspace(0, len(times) - 1, MAX_FRAMES)})


def _thumbnail(frame: Any) -> bytes:
    image = frame.to_image()
    width = max(1, round(image.width * THUMB_HEIGHT / max(1, image.height)))
    image = image.resize((width, THUMB_HEIGHT))
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()


def _grab(container: Any, stream: Any, at: float) -> bytes | None:
    """A thumbnail of the first frame shown at or after ``at`` seconds."""
    tb = stream.time_base
    container.seek(max(0, int(at / tb)) if tb else 0, stream=stream, backward=True)
    last = None
    for frame in container.decode(stream):
        last = frame
        if frame.time is None or frame.time + 1e-3 >= at:
            return _thumbnail(frame)
    return None if last is None else _thumbnail(last)


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def key_frames(
    path: str | os.PathLike[str],
    scored: Iterable[tuple[float, float | None, str | None]],
    *,
    cache: Path | None = None,
    key: str | None = None,
) -> tuple[float | None, list[KeyFrame]]:
    """The video's duration and a thumbnail at each scored ``(time, score, label)``.

    Times past the end of the media are clamped to its last frame (a score at 4.76 s of
    a 4.06 s file is shown at 4.06 s, and keeps ``scored_at``).
    """
    path = Path(path)
    wanted = sorted(scored, key=lambda s: s[0])
    chosen = [wanted[i] for i in _choose(wanted)]
    if key is None:
        key = f"{path.name}-{path.stat().st_size}"
    stored = _cache_file(cache, key, "frames.json")
    if stored is not None and stored.is_file():
        try:
            saved = json.loads(stored.read_text())
            if saved["scored"] == [list(s) for s in chosen]:
                known = [
                    KeyFrame(f["t"], f["scored_at"], f["score"], f["label"], _unb64(f["jpeg"]))
                    for f in saved["frames"]
                ]
                return saved["duration"], known
        except (ValueError, KeyError, TypeError):
            pass
    duration = media_duration(path)
    frames: list[KeyFrame] = []
    with _open(path) as container:
        if container.streams.video:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or 25)
            last_frame = max(0.0, (duration or 0.0) - 1.0 / rate)
            for at, score, label in chosen:
                shown = min(max(0.0, float(at)), last_frame) if duration else max(0.0, float(at))
                try:
                    jpeg = _grab(container, stream, shown)
                except Exception:  # a damaged frame: show the score without a picture
                    jpeg = None
                frames.append(KeyFrame(shown, float(at), score, label, jpeg or b""))
    if stored is not None:
        payload = {
            "duration": duration,
            "scored": [list(s) for s in chosen],
            "frames": [
                {"t": f.time, "scored_at": f.scored_at, "score": f.score, "label": f.label,
                 "jpeg": base64.b64encode(f.jpeg).decode("ascii")}
                for f in frames
            ],
        }  # fmt: skip
        _atomic_write(stored, json.dumps(payload).encode())
    return duration, frames
