"""Turn what the investigator points at (files, folders) into a list of candidate files.

Folders are walked in sorted order (recursively by default); hidden files and folders
(names starting with ``.``) are left out of walks. A path that does not exist is not an
error: it comes back as a candidate with a ``problem``, so a review can report it next to
everything else.

>>> find_media(["evidence/", "call.wav"], include="*.wav")  # doctest: +SKIP
[MediaCandidate(path=PosixPath('/cases/evidence/a.wav')), ...]
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Include", "MediaCandidate", "find_media"]

Include = str | Callable[[Path], bool] | None
"""A filter: a glob on the file name (``"*.wav"``, case-insensitive), or a predicate."""


@dataclass(frozen=True)
class MediaCandidate:
    """A file to consider, or a path that could not be used.

    Attributes:
        path: Absolute path (made absolute as given, symlinks kept).
        problem: Why the path cannot be used (e.g. it does not exist), else ``None``.
    """

    path: Path
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def find_media(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    include: Include = None,
) -> list[MediaCandidate]:
    """List the files under ``paths``: files as given, folders walked.

    Args:
        paths: One path or many; each a file or a folder.
        recursive: Walk sub-folders of the folders given.
        include: Keep only files whose name matches this glob (``"*.wav"``; ``;``-separated
            alternatives like ``"*.wav;*.mp3"``), or for which this predicate is true.
            Applies to files named directly too.

    Returns:
        Candidates in the order given, folder contents sorted by name; each path once.
        Missing paths are candidates with ``problem`` set, never exceptions.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    keep = _make_filter(include)
    seen: set[Path] = set()
    found: list[MediaCandidate] = []

    def add(candidate: MediaCandidate) -> None:
        if candidate.path not in seen:
            seen.add(candidate.path)
            found.append(candidate)

    for given in paths:
        path = Path(os.path.abspath(os.fspath(given)))
        if path.is_dir():
            for candidate in _walk(path, recursive):
                if not candidate.ok or keep(candidate.path):
                    add(candidate)
        elif path.exists() or path.is_symlink():
            if keep(path):
                add(MediaCandidate(path))
        else:
            add(MediaCandidate(path, problem=f"{path}: file not found"))
    return found


def _walk(folder: Path, recursive: bool) -> Iterator[MediaCandidate]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:  # reported, and the walk goes on elsewhere
        reason = exc.strerror or type(exc).__name__
        yield MediaCandidate(folder, problem=f"{folder}: folder cannot be read ({reason})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if recursive and not entry.is_symlink():
                yield from _walk(Path(entry.path), recursive)
            continue
        yield MediaCandidate(Path(entry.path))


def _make_filter(include: Include) -> Callable[[Path], bool]:
    if include is None:
        return lambda path: True
    if callable(include):
        return include
    patterns = [p.strip().lower() for p in include.split(";") if p.strip()]
    return lambda path: any(fnmatch.fnmatchcase(path.name.lower(), p) for p in patterns)
