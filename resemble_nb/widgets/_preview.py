"""Inline media for the triage board: an Audio, Video or Image widget, or a message.

The size is checked on disk before a single byte is read: a file over the cap is never
loaded (its bytes would travel to the browser and into saved widget state).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as W

from ..media.limits import format_bytes, media_type_for_extension, mime_for_extension

__all__ = ["DEFAULT_PREVIEW_MAX_BYTES", "Preview", "preview"]

DEFAULT_PREVIEW_MAX_BYTES = 20 * 1024**2

_FALLBACK_FORMAT = {"audio": "wav", "video": "mp4", "image": "png"}


@dataclass
class Preview:
    """What to show for one item: a media widget (or None) and a line about it."""

    widget: Any | None
    message: str
    path: Path | None = None


def _first_existing(paths: Iterable[str | os.PathLike[str] | None]) -> Path | None:
    for candidate in paths:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _format(path: Path, kind: str) -> str:
    mime = mime_for_extension(path.suffix.lower())
    if mime and mime.startswith(f"{kind}/"):
        return mime.split("/", 1)[1]
    return _FALLBACK_FORMAT[kind]


def preview(
    paths: Iterable[str | os.PathLike[str] | None],
    media_type: str | None,
    *,
    max_bytes: int = DEFAULT_PREVIEW_MAX_BYTES,
) -> Preview:
    """A player or viewer for the first of ``paths`` that exists, within ``max_bytes``."""
    listed = [p for p in paths if p]
    path = _first_existing(listed)
    if path is None:
        where = str(listed[0]) if listed else "(no path recorded)"
        return Preview(None, f"No preview: the file is not on this machine ({where}).")
    kind = media_type or media_type_for_extension(path.suffix.lower())
    if kind not in _FALLBACK_FORMAT:
        return Preview(None, f"No preview: {path.name} is not audio, video or an image.", path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Preview(None, f"No preview: cannot read {path} ({exc.strerror or exc}).", path)
    if size > max_bytes:
        return Preview(
            None,
            f"No preview: {path.name} is {format_bytes(size)}, over the "
            f"{format_bytes(max_bytes)} preview limit. Open it from {path}.",
            path,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Preview(None, f"No preview: cannot read {path} ({exc.strerror or exc}).", path)
    fmt = _format(path, kind)
    widget: Any
    if kind == "audio":
        widget = W.Audio(value=data, format=fmt, autoplay=False, loop=False, controls=True)
    elif kind == "video":
        widget = W.Video(value=data, format=fmt, autoplay=False, loop=False, controls=True)
        widget.layout = W.Layout(max_width="480px")
    else:
        widget = W.Image(value=data, format=fmt)
        widget.layout = W.Layout(max_width="480px", max_height="360px")
    return Preview(widget, f"{path.name} · {kind} · {format_bytes(size)}", path)
