"""Turn what the investigator points at (files, folders) into a list of candidate files.

Folders are walked in sorted order (recursively by default). Nothing met on the way
stops the walk: a path that does not exist, a folder that cannot be listed, a symbolic
link loop, a name that is not valid UTF-8, a hidden file or folder (name starting with
``.``, left out of walks), the case's own files: each comes back as a candidate with a
``problem``, so a review reports it next to everything else. A symbolic link to a folder
is followed like a link to a file, every time; a link back to a folder already walked
(a loop, or the same folder twice) is one row saying so.

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
    code: str | None = None
    """The problem as a stable code (``missing``, ``unreadable``, ``bad_name``, ``hidden``,
    ``case_folder``); ``None`` when usable."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def find_media(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    include: Include = None,
    leave_out: Iterable[str | os.PathLike[str]] = (),
) -> list[MediaCandidate]:
    """List the files under ``paths``: files as given, folders walked.

    Args:
        paths: One path or many; each a file or a folder.
        recursive: Walk sub-folders of the folders given.
        include: Keep only files whose name matches this glob (``"*.wav"``; ``;``-separated
            alternatives like ``"*.wav;*.mp3"``), or for which this predicate is true.
            Applies to files named directly too.
        leave_out: Paths never listed (a case's own ledger and reports when the case
            folder is inside an evidence folder); their folder is reported once instead.

    Returns:
        Candidates in the order given, folder contents sorted by name; each path once.
        Missing paths are candidates with ``problem`` set, never exceptions.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    keep = _make_filter(include)
    seen: set[Path] = set()
    found: list[MediaCandidate] = []
    own = frozenset(Path(os.path.abspath(os.fspath(p))) for p in leave_out)

    def add(candidate: MediaCandidate) -> None:
        if candidate.path not in seen:
            seen.add(candidate.path)
            found.append(candidate)

    for given in paths:
        path = Path(os.path.abspath(os.fspath(given)))
        if _bad_name(path):
            add(_bad_name_candidate(path))
        elif _is_dir(path):
            for candidate in _walk(path, recursive, own):
                if candidate.code in _ALWAYS_SHOWN or keep(candidate.path):
                    add(candidate)
        elif path.exists() or path.is_symlink():
            if keep(path):
                add(MediaCandidate(path))
        else:
            add(MediaCandidate(path, problem=f"{path}: file not found", code="missing"))
    return found


_ALWAYS_SHOWN = ("unreadable", "bad_name", "case_folder", "hidden_folder", "linked_folder")
"""Problems reported whatever ``include`` says (they are not about one file's name)."""


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a symlink loop, a name too long...: inspected (and reported) as a file
        return False


def _bad_name(path: Path) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
        str(path).encode("utf-8")
    except UnicodeError:
        return True
    return False


def _bad_name_candidate(path: Path) -> MediaCandidate:
    """A path whose name is not valid UTF-8: it cannot be stored or shown as it is, so it
    is reported under its name with the odd bytes escaped (``bad\\xff.wav``)."""
    shown = os.fsencode(path).decode("utf-8", "backslashreplace")
    return MediaCandidate(
        Path(shown),
        problem=f"{shown}: the file name is not valid UTF-8 (bytes shown as \\xNN); "
        "rename it to review it",
        code="bad_name",
    )


def _walk(root: Path, recursive: bool, own: frozenset[Path]) -> Iterator[MediaCandidate]:
    """Every candidate under ``root``, depth first in sorted order, without recursion (a
    folder nested thousands of levels deep is walked like any other)."""
    walked: dict[str, Path] = {}  # each real folder once, however many links lead to it
    pending: list[Iterator[MediaCandidate | Path]] = [_entries(root, recursive, own, walked)]
    while pending:
        found = next(pending[-1], None)
        if found is None:
            pending.pop()
        elif isinstance(found, Path):  # a sub-folder: walk it first
            pending.append(_entries(found, recursive, own, walked))
        else:
            yield found


def _entries(
    folder: Path, recursive: bool, own: frozenset[Path], walked: dict[str, Path]
) -> Iterator[MediaCandidate | Path]:
    """The candidates of one folder, and (as paths) the sub-folders to walk, in order:
    real sub-folders first, then those reached through a symbolic link."""
    real = os.path.realpath(folder)
    if real in walked:
        yield MediaCandidate(
            folder,
            problem=f"{folder}: the same folder as {walked[real]} (a symbolic link leads "
            "here), already walked: left out so no file is listed twice",
            code="linked_folder",
        )
        return
    walked[real] = folder
    if real != os.path.abspath(folder):  # reached through a link: the case may be inside
        own = own | frozenset(Path(os.path.realpath(p)) for p in own)
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:  # reported, and the walk goes on elsewhere
        reason = exc.strerror or type(exc).__name__
        yield MediaCandidate(
            folder, problem=f"{folder}: folder cannot be read ({reason})", code="unreadable"
        )
        return
    left_out = False
    linked: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        if path in own or Path(real) / entry.name in own:
            if not left_out:
                left_out = True
                yield MediaCandidate(
                    folder,
                    problem=f"{folder}: this is the case's own folder: its ledger and "
                    "reports are left out of the review",
                    code="case_folder",
                )
            continue
        if _bad_name(path):
            yield _bad_name_candidate(path)
            continue
        try:
            is_dir = entry.is_dir()
        except OSError as exc:  # a symbolic link loop, or a link that cannot be followed
            reason = exc.strerror or type(exc).__name__
            yield MediaCandidate(
                path, problem=f"{path}: cannot be opened ({reason})", code="unreadable"
            )
            continue
        if entry.name.startswith("."):
            what = "folder" if is_dir else "file"
            yield MediaCandidate(
                path,
                problem=f"{path}: hidden {what} (name starts with '.'), left out of folder "
                "walks; name it directly to review it",
                code="hidden_folder" if is_dir else "hidden",
            )
            continue
        if is_dir:
            if recursive and entry.is_symlink():
                linked.append(path)  # followed after the real folders, as a linked file is
            elif recursive:
                yield path
            continue
        yield MediaCandidate(path)
    yield from linked


def _make_filter(include: Include) -> Callable[[Path], bool]:
    if include is None:
        return lambda path: True
    if callable(include):
        return include
    patterns = [p.strip().lower() for p in include.split(";") if p.strip()]
    return lambda path: any(fnmatch.fnmatchcase(path.name.lower(), p) for p in patterns)
