"""Look at one file: what it is, how big, its SHA-256, and whether the API can take it.

:func:`inspect` never raises for a bad file. It returns a :class:`MediaFile` whose
``problem`` says what is wrong and whose ``reason`` is a sentence naming the file::

    >>> inspect("notes.txt").reason  # doctest: +SKIP
    '/cases/acme/notes.txt: not a supported media type: the content looks like plain text'

The content decides the type (sniffed with puremagic), the extension must agree with it,
and the hash is computed in 1 MiB chunks so a 2 GB video costs 1 MiB of memory.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .._core.output import FILE_KINDS
from .limits import (
    ContentFamily,
    MediaType,
    family_for_extension,
    max_file_bytes,
    media_type_for_extension,
    mime_for_extension,
    over_cap_reason,
)
from .sniff import Sniff, probe, sniff_data, sniff_stream

__all__ = ["CHUNK_SIZE", "FROM_ENV", "MediaFile", "Problem", "inspect", "sha256_file"]

FROM_ENV = -1
"""``inspect(max_bytes=FROM_ENV)``: the cap in force (:func:`max_file_bytes`)."""

CHUNK_SIZE = 1024 * 1024
"""Bytes read at a time when hashing."""

Problem = Literal[
    "missing",
    "not_a_file",
    "unreadable",
    "empty",
    "unsupported",
    "mismatch",
    "too_large",
    "corrupt",
    "bad_name",
    "hidden",
    "case_folder",
]
"""Why a file is skipped, as a stable code (the ``reason`` says it in words)."""


@dataclass(frozen=True)
class MediaFile:
    """One file as found on disk.

    Attributes:
        path: Absolute path.
        size: Bytes, or ``None`` when the file could not be examined.
        sha256: Hex digest of the content; ``None`` unless the type checks passed.
        media_type: ``"audio"``, ``"video"`` or ``"image"`` (from the allowed extension).
        mime: The MIME type to upload it with.
        extension: Lower-case suffix with the dot (``""`` if none).
        duration: Seconds, where the header says so cheaply; ``None`` for images.
        looks_like: What the content looks like (``"WAV audio"``, ``"plain text"``).
        problem: Why it is skipped (a :data:`Problem` code), ``None`` when usable.
        reason: The problem as a sentence naming the file.
    """

    path: Path
    size: int | None = None
    sha256: str | None = None
    media_type: MediaType | None = None
    mime: str | None = None
    extension: str = ""
    duration: float | None = None
    looks_like: str | None = None
    problem: Problem | None = None
    reason: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def ok(self) -> bool:
        """True when the file can be sent for analysis."""
        return self.problem is None


def sha256_file(path: str | os.PathLike[str], chunk_size: int = CHUNK_SIZE) -> str:
    """SHA-256 of a file, read ``chunk_size`` bytes at a time into one reused buffer."""
    with open(path, "rb") as handle:
        return _hash_stream(handle, chunk_size)[0]


def _hash_stream(handle: object, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    digest = hashlib.sha256()
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    total = 0
    readinto = handle.readinto  # type: ignore[attr-defined]
    while True:
        count = readinto(buffer)
        if not count:
            break
        digest.update(view[:count])
        total += count
    return digest.hexdigest(), total


def inspect(
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = FROM_ENV,
    check_integrity: bool = True,
) -> MediaFile:
    """Examine one file and say whether (and as what) it can be analysed.

    Args:
        path: The file.
        max_bytes: Larger files are skipped as ``too_large`` (``None``: no limit; default:
            :func:`~resemble_nb.media.limits.max_file_bytes`, 5 GB unless
            ``RESEMBLE_NB_MAX_FILE_GB`` says otherwise).
        check_integrity: Parse headers to find damage and read the duration (cheap).

    Returns:
        A :class:`MediaFile`; check ``.ok``, else ``.problem`` and ``.reason``.
    """
    path = Path(os.path.abspath(os.fspath(path)))
    extension = path.suffix.lower()

    def skip(problem: Problem, detail: str, **known: object) -> MediaFile:
        return MediaFile(
            path=path,
            extension=extension,
            problem=problem,
            reason=f"{path}: {detail}",
            **known,  # type: ignore[arg-type]
        )

    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return skip("missing", "file not found")
    except OSError as exc:
        return skip("unreadable", f"cannot be read ({exc.strerror or type(exc).__name__})")
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in FILE_KINDS if test(info.st_mode)), "a special file")
        return skip("not_a_file", f"not a regular file (it is {kind})")
    size = info.st_size
    if size == 0:
        return skip("empty", "the file is empty (0 bytes)", size=0)
    if max_bytes == FROM_ENV:
        max_bytes = max_file_bytes()
    if max_bytes is not None and size > max_bytes:
        return skip("too_large", over_cap_reason(size, max_bytes), size=size)

    try:
        with open(path, "rb") as handle:
            if size <= CHUNK_SIZE:
                data = handle.read()
                sniffed = sniff_data(data)
                digest: str | None = hashlib.sha256(data).hexdigest()
                size = len(data)
            else:
                sniffed = sniff_stream(handle)
                digest = None
            looks_like = sniffed.description
            family = family_for_extension(extension)
            problem = _type_problem(extension, family, sniffed)
            if problem is not None:
                return skip(problem[0], problem[1], size=size, looks_like=looks_like)
            if digest is None:
                digest, size = _hash_stream(handle)
    except OSError as exc:
        return skip("unreadable", f"cannot be read ({exc.strerror or type(exc).__name__})")
    if size == 0:
        return skip("empty", "the file is empty (0 bytes)", size=0)

    assert family is not None  # _type_problem returned None: the extension is allowed
    duration: float | None = None
    if check_integrity:
        found = probe(path, family, size)
        if found.problem is not None:
            return skip("corrupt", found.problem, size=size, sha256=digest, looks_like=looks_like)
        duration = found.duration
    return MediaFile(
        path=path,
        size=size,
        sha256=digest,
        media_type=media_type_for_extension(extension),
        mime=mime_for_extension(extension),
        extension=extension,
        duration=duration,
        looks_like=looks_like,
    )


def _type_problem(
    extension: str, expected: ContentFamily | None, sniffed: Sniff
) -> tuple[Problem, str] | None:
    """Compare the extension's promise with what the content is."""
    looks_like = sniffed.description
    named = f"named {extension}" if extension else "without an extension"
    if expected is None:  # the extension is not on the allowlist
        if sniffed.family is not None:
            return (
                "unsupported",
                f"the extension {extension or '(none)'} is not accepted by the API although "
                f"the content looks like {looks_like}; rename it to {sniffed.family.extension}",
            )
        return ("unsupported", f"not a supported media type: the content looks like {looks_like}")
    if sniffed.family is None:
        return (
            "unsupported",
            f"not a supported media type: {named} but the content looks like {looks_like}",
        )
    if not sniffed.matches(expected):
        return (
            "mismatch",
            f"extension and content disagree: {named} ({expected.description}) but the "
            f"content looks like {looks_like}",
        )
    return None
