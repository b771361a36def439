"""Saving browser uploads into a case folder: safe names, atomic writes, content hashes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..media import sha256_file

__all__ = ["SavedUpload", "safe_name", "save_upload", "save_upload_file", "sha256_bytes"]

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_MAX_NAME = 200


@dataclass(frozen=True)
class SavedUpload:
    """Where one upload landed: ``created`` is False when identical bytes were already there."""

    path: Path
    sha256: str
    size: int
    created: bool


def sha256_bytes(data: bytes | memoryview) -> str:
    """SHA-256 of bytes in memory (hex)."""
    return hashlib.sha256(data).hexdigest()


def safe_name(name: str) -> str:
    """A file name the browser sent, made safe to create in one folder.

    Keeps only the last path component, drops control and reserved characters and
    leading dots (no hidden files, no ``..``), and caps the length.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\clips\\\\call 1.wav")
    'call 1.wav'
    """
    base = PurePosixPath(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if not base:
        return "upload"
    if len(base) > _MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            base = f"{stem[: _MAX_NAME - len(suffix) - 1]}.{suffix}"
        else:
            base = base[:_MAX_NAME]
    return base


def _candidates(name: str) -> list[str]:
    path = PurePosixPath(name)
    stem, suffix = path.stem, path.suffix
    return [name] + [f"{stem} ({n}){suffix}" for n in range(1, 10_000)]


def save_upload(folder: Path, name: str, content: bytes | memoryview) -> SavedUpload:
    """Write ``content`` into ``folder`` under a safe, unused version of ``name``.

    The bytes go to a temporary file first and are linked into place only when complete,
    so a crash never leaves a half-written file under a real name. A file with the same
    name and the same bytes is reused; a different file with that name gets ``" (1)"``
    added before the extension.
    """
    folder.mkdir(parents=True, exist_ok=True)
    digest = sha256_bytes(content)
    size = len(content) if isinstance(content, bytes) else content.nbytes
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        return _place(folder, name, tmp, digest, size)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def save_upload_file(folder: Path, name: str, part: Path) -> SavedUpload:
    """Give ``part``, a complete file written in ``folder`` (a chunked upload), its name.

    Named like :func:`save_upload` (same bytes reused, else a free name); ``part`` is gone
    afterwards whatever happens.
    """
    try:
        return _place(folder, name, part, sha256_file(part), part.stat().st_size)
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def _place(folder: Path, name: str, tmp: Path, digest: str, size: int) -> SavedUpload:
    for candidate in _candidates(safe_name(name)):
        target = folder / candidate
        if target.exists():
            same_size = target.is_file() and target.stat().st_size == size
            if same_size and sha256_file(target) == digest:
                return SavedUpload(target, digest, size, created=False)
            continue
        try:
            os.link(tmp, target)  # fails if the name was taken meanwhile: no clobbering
        except FileExistsError:
            continue
        except OSError:  # a filesystem without hard links
            os.replace(tmp, target)
        return SavedUpload(target, digest, size, created=True)
    raise FileExistsError(f"{name}: no free file name left in {folder}")
