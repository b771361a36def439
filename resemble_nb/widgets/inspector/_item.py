"""One item as the inspector shows it: plain data from the case, ready for the browser.

``item_view`` turns a results row and its segments into the widget's traits: where to
play the file from (a server URL, never its bytes), the scored windows and frames, the
waveform and spectrogram from the case's cache. Pure enough to test without a browser.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ...ledger import LEDGER_FILENAME, recorded_media
from ...media.limits import format_bytes, media_type_for_extension, mime_for_extension
from ._data import InspectorDataError, audio_overview, media_duration
from ._frames import key_frames
from ._server import media_route

__all__ = [
    "DEFAULT_EMBED_MAX_BYTES",
    "EMPTY_VIEW",
    "HEATMAP_DIR",
    "is_cached",
    "item_view",
    "local_file",
    "read_chunks",
]

#: Largest file sent through the kernel when no Jupyter server can serve it.
DEFAULT_EMBED_MAX_BYTES = 50 * 1024**2
#: Heatmaps saved for an item, in the case: ``<case>/heatmaps/<sha256>.png``.
HEATMAP_DIR = "heatmaps"

EMPTY_VIEW: dict[str, Any] = {
    "item": "",
    "kind": "none",
    "name": "",
    "src": "",
    "mime": "",
    "size": 0,
    "message": "",
    "duration": 0.0,
    "peaks": b"",
    "spectrogram": b"",
    "spectrogram_hz": 0,
    "windows": [],
    "frames": [],
    "heatmap": "",
}


def local_file(item: Mapping[str, Any]) -> Path | None:
    """The first of the item's recorded paths that exists on this machine."""
    for candidate in [item.get("path"), *(item.get("paths") or [])]:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _windows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    kind = rows["kind"].astype("string")
    track = rows["track"].astype("string")
    keep = ((kind == "window") & (track == "audio")).fillna(False).to_numpy()
    found = rows[keep & rows["start_s"].notna().to_numpy() & rows["score"].notna().to_numpy()]
    out = []
    for start, end, score, label in zip(
        found["start_s"], found["end_s"], found["score"], found["label"], strict=True
    ):
        begin = float(start)
        stop = float(end) if not pd.isna(end) else begin
        out.append(
            {
                "start": round(begin, 3),
                "end": round(max(stop, begin), 3),
                "score": round(float(score), 4),
                "label": None if pd.isna(label) else str(label),
            }
        )
    out.sort(key=lambda w: float(w["start"] or 0.0))
    return out


def _frames(rows: pd.DataFrame) -> list[tuple[float, float | None, str | None]]:
    kind = rows["kind"].astype("string")
    track = rows["track"].astype("string")
    keep = ((kind == "frame") & (track == "video")).fillna(False).to_numpy()
    found = rows[keep & rows["start_s"].notna().to_numpy()]
    return [
        (
            float(at),
            None if pd.isna(score) else float(score),
            None if pd.isna(label) else str(label),
        )
        for at, score, label in zip(found["start_s"], found["score"], found["label"], strict=True)
    ]


def _route(case_folder: Path | None, sha: str) -> str:
    """The media route for an item the case's ledger holds (the server extension serves
    nothing else); ``""`` otherwise, and the player asks the kernel for the bytes."""
    if case_folder is None or not sha or recorded_media(case_folder / LEDGER_FILENAME, sha) is None:
        return ""
    return media_route(case_folder, sha)


def _heatmap(case_folder: Path | None, sha: str) -> str:
    if case_folder is None:
        return ""
    for suffix, mime in ((".png", "image/png"), (".jpg", "image/jpeg")):
        path = case_folder / HEATMAP_DIR / f"{sha}{suffix}"
        if path.is_file() and path.stat().st_size <= 512 * 1024:
            return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    return ""


def item_view(
    item: Mapping[str, Any],
    segments: pd.DataFrame,
    *,
    case_folder: Path | None,
    cache: Path | None,
    light: bool = False,
    heatmap: str = "",
) -> dict[str, Any]:
    """Every trait of the inspector for ``item`` (a ``case.results()`` row as a dict).

    ``light``: skip what needs decoding (waveform, spectrogram, key frames), for a first
    view that shows at once while the rest is computed elsewhere. ``heatmap``: a
    ``data:`` URI of the item's heatmap (from the ledger), else one saved in the case's
    ``heatmaps/`` folder is used.
    """
    sha = str(item.get("sha256") or "")
    view = dict(EMPTY_VIEW, item=sha, name=str(item.get("name") or sha[:12]))
    path = local_file(item)
    listed = [p for p in [item.get("path"), *(item.get("paths") or [])] if p]
    if path is None:
        where = str(listed[0]) if listed else "(no path recorded)"
        view["message"] = f"The file is not on this machine ({Path(where).name})."
        return view
    kind = str(item.get("media_type") or media_type_for_extension(path.suffix.lower()) or "")
    if kind not in ("audio", "video", "image"):
        view["message"] = f"{path.name} is not audio, video or an image."
        return view
    size = path.stat().st_size
    view.update(
        kind=kind,
        src=_route(case_folder, sha),
        mime=mime_for_extension(path.suffix.lower()) or "",
        size=size,
        message=f"{path.name} · {kind} · {format_bytes(size)}",
    )
    rows = segments[segments["sha256"].astype("string") == sha] if len(segments) else segments
    if kind == "image":
        view["heatmap"] = heatmap or _heatmap(case_folder, sha)
        return view
    key = sha or None
    try:
        if len(rows):
            view["windows"] = _windows(rows)
        if light:
            view["duration"] = media_duration(path) or float(item.get("duration") or 0.0)
            view["message"] += " · drawing the waveform…"
            return view
        overview = audio_overview(path, cache=cache, key=key)
        if overview is not None:
            view.update(
                duration=overview.duration,
                peaks=overview.peaks,
                spectrogram=overview.spectrogram_png,
                spectrogram_hz=overview.rate // 2,
            )
        if kind == "video":
            scored = _frames(rows) if len(rows) else []
            duration, frames = key_frames(path, scored, cache=cache, key=key)
            view["frames"] = [f.as_dict() for f in frames]
            if duration:
                view["duration"] = duration
        elif not view["duration"]:
            view["duration"] = media_duration(path) or 0.0
    except (InspectorDataError, OSError) as exc:
        view["message"] += f" · no waveform: {exc}"
    return view


def is_cached(item: Mapping[str, Any], cache: Path | None) -> bool:
    """Whether the decoded data of ``item`` is in the case's cache already."""
    sha = str(item.get("sha256") or "")
    if cache is None or not sha:
        return False
    return any(cache.glob(f"{sha}.v*.audio"))


def read_chunks(path: Path, chunk: int = 512 * 1024) -> list[bytes]:
    """The file in pieces small enough for one widget message each."""
    out = []
    with open(path, "rb") as fh:
        while piece := fh.read(chunk):
            out.append(piece)
    return out
