"""The media the Detect API accepts: extension -> (media type, MIME type), one table.

The allowlist is the contract's (§3.1). Uploads declare the MIME type from here, media
intake classifies files by it, and the previews pick their player by it; the sandbox
keeps its own copy, written from the contract.

>>> MEDIA_TYPES[".m4a"]
('audio', 'audio/mp4')
>>> content_type("clip.MOV"), content_type("batch.zip")
('video/quicktime', 'application/zip')
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Literal

__all__ = ["MEDIA_EXTENSIONS", "MEDIA_TYPES", "ZIP_MIME", "MediaType", "content_type"]

MediaType = Literal["audio", "video", "image"]

MEDIA_TYPES: dict[str, tuple[MediaType, str]] = {
    ".wav": ("audio", "audio/wav"),
    ".mp3": ("audio", "audio/mpeg"),
    ".m4a": ("audio", "audio/mp4"),
    ".ogg": ("audio", "audio/ogg"),
    ".aac": ("audio", "audio/aac"),
    ".flac": ("audio", "audio/flac"),
    ".amr": ("audio", "audio/amr"),
    ".3gp": ("video", "video/3gpp"),
    ".3gpp": ("video", "video/3gpp"),
    ".mp4": ("video", "video/mp4"),
    ".mov": ("video", "video/quicktime"),
    ".avi": ("video", "video/x-msvideo"),
    ".mkv": ("video", "video/x-matroska"),
    ".webm": ("video", "video/webm"),
    ".jpg": ("image", "image/jpeg"),
    ".jpeg": ("image", "image/jpeg"),
    ".png": ("image", "image/png"),
    ".gif": ("image", "image/gif"),
    ".webp": ("image", "image/webp"),
}
"""Allowed extension (lower case, with the dot) -> (media type, canonical MIME type)."""

MEDIA_EXTENSIONS: frozenset[str] = frozenset(MEDIA_TYPES)
"""Extensions the API accepts for direct and batch uploads."""

ZIP_MIME = "application/zip"
"""A zip of media files for ``POST /detect/batch``."""


def content_type(filename: str) -> str:
    """The MIME type to declare for ``filename`` (``application/octet-stream`` if unknown)."""
    suffix = Path(filename).suffix.lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix][1]
    if suffix == ".zip":
        return ZIP_MIME
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
