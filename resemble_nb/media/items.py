"""Media items: one per distinct content, with every path it was found at.

Content is identity: two files with the same bytes are one :class:`MediaItem` (keyed by
SHA-256) with two paths, and are analysed once. :func:`scan` runs the whole intake:
find, inspect, group.

>>> found = scan(["evidence/"], include="*.wav")  # doctest: +SKIP
>>> [item.name for item in found.items], [f.reason for f in found.skipped]  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .find import Include, MediaCandidate, find_media
from .limits import MediaType
from .probe import FROM_ENV, MediaFile, inspect

__all__ = ["MediaItem", "Scan", "candidate_file", "group_items", "scan"]


@dataclass(frozen=True)
class MediaItem:
    """One distinct piece of media.

    Attributes:
        sha256: Hex digest of the content: the item's identity.
        size: Bytes.
        media_type: ``"audio"``, ``"video"`` or ``"image"``.
        mime: MIME type to upload it with (from the first path's extension).
        extension: The first path's extension.
        duration: Seconds where cheaply known, else ``None``.
        paths: Every path with this content, in the order found.
    """

    sha256: str
    size: int
    media_type: MediaType
    mime: str
    extension: str
    duration: float | None
    paths: tuple[Path, ...] = field(default=())

    def seen_at(self, paths: Iterable[Path], duration: float | None = None) -> MediaItem:
        """This item also found at ``paths`` (new ones appended in order), with
        ``duration`` if it knew none: the same content found again."""
        more = tuple(p for p in paths if p not in self.paths)
        known = self.duration if self.duration is not None else duration
        return dataclasses.replace(self, paths=self.paths + more, duration=known)

    @property
    def path(self) -> Path:
        """The first path: the one to upload from."""
        return self.paths[0]

    @property
    def name(self) -> str:
        """The first path's file name: the name to upload under."""
        return self.paths[0].name

    @classmethod
    def from_file(cls, file: MediaFile) -> MediaItem:
        """An item from a usable :class:`MediaFile` (``ValueError`` if it was skipped)."""
        if not file.ok or file.sha256 is None or file.size is None:
            raise ValueError(f"{file.path}: cannot be an item: {file.reason or 'not hashed'}")
        assert file.media_type is not None and file.mime is not None
        return cls(
            sha256=file.sha256,
            size=file.size,
            media_type=file.media_type,
            mime=file.mime,
            extension=file.extension,
            duration=file.duration,
            paths=(file.path,),
        )


@dataclass(frozen=True)
class Scan:
    """What an intake found.

    Attributes:
        items: Distinct media, in the order first found.
        skipped: Files that cannot be analysed, each with ``problem`` and ``reason``.
        files: Every file examined, in order (usable and skipped).
    """

    items: list[MediaItem]
    skipped: list[MediaFile]
    files: list[MediaFile]

    @property
    def total_bytes(self) -> int:
        """Bytes to analyse (each item counted once)."""
        return sum(item.size for item in self.items)


def group_items(files: Iterable[MediaFile]) -> tuple[list[MediaItem], list[MediaFile]]:
    """Merge usable files by content; return ``(items, skipped_files)``.

    A path seen twice counts once; the item keeps the first file's type and extension.
    """
    items: dict[str, MediaItem] = {}
    skipped: list[MediaFile] = []
    for file in files:
        if not file.ok or file.sha256 is None:
            skipped.append(file)
            continue
        known = items.get(file.sha256)
        if known is None:
            items[file.sha256] = MediaItem.from_file(file)
        elif file.path not in known.paths:
            items[file.sha256] = known.seen_at([file.path], file.duration)
    return list(items.values()), skipped


def candidate_file(candidate: MediaCandidate) -> MediaFile | None:
    """The skipped file a candidate already is (the walk found its problem), else ``None``
    (it must be inspected; a missing file is inspected too, to say so the usual way)."""
    if candidate.ok or candidate.code == "missing":
        return None
    code = {"hidden_folder": "hidden", "linked_folder": "not_a_file"}.get(
        candidate.code or "", candidate.code or "unreadable"
    )
    return MediaFile(
        path=candidate.path,
        extension=candidate.path.suffix.lower(),
        problem=code,  # type: ignore[arg-type]
        reason=candidate.problem,
    )


def scan(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    include: Include = None,
    max_bytes: int | None = FROM_ENV,
    check_integrity: bool = True,
    workers: int = 1,
    progress: Callable[[MediaFile], None] | None = None,
) -> Scan:
    """Find, inspect and group: everything an intake needs, without any HTTP.

    Args:
        paths: Files and folders (see :func:`~resemble_nb.media.find_media`).
        recursive: Walk sub-folders.
        include: File-name glob or predicate.
        max_bytes: Skip larger files as ``too_large``.
        check_integrity: Parse headers for damage and durations.
        workers: Threads hashing at once (helps for large files on fast disks).
        progress: Called with each :class:`MediaFile` as it is done, in order.
    """
    candidates = find_media(paths, recursive=recursive, include=include)

    def examine(candidate: MediaCandidate) -> MediaFile:
        return candidate_file(candidate) or inspect(
            candidate.path, max_bytes=max_bytes, check_integrity=check_integrity
        )

    files: list[MediaFile] = []
    if workers > 1 and len(candidates) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rnb-scan") as pool:
            for file in pool.map(examine, candidates):
                files.append(file)
                if progress is not None:
                    progress(file)
    else:
        for candidate in candidates:
            file = examine(candidate)
            files.append(file)
            if progress is not None:
                progress(file)
    items, skipped = group_items(files)
    return Scan(items=items, skipped=skipped, files=files)
