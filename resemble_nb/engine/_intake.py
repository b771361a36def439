"""From what the investigator pointed at to media items in the ledger.

Files and folders are found and inspected on worker threads (hashing a 2 GB video must
not freeze the engine's loop); the board shows each file as ``inspecting`` meanwhile.
Then the same content under two paths becomes one item, and each file ends as:

* an **item** (analysable media), or
* a **damaged item** (media whose header is broken: it becomes an item that fails with
  the reason, without being sent; sending it would only buy a failed detect), or
* a **skipped file** (not media, unreadable, empty, too large...) with the reason.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..ledger import Item as LedgerItem
from ..ledger import Ledger
from ..media import Include, MediaCandidate, MediaFile, MediaItem, find_media, group_items, inspect
from ..media.items import candidate_file
from ..media.limits import max_file_bytes, media_type_for_extension, mime_for_extension
from ._state import ItemStatus, Tracker

__all__ = ["Inputs", "Intake", "case_files", "check_inputs", "intake", "replaced_paths"]

Inputs = Any
"""A path, a MediaItem, a ledger Item, or an iterable of them."""

INSPECT_WORKERS = 2


@dataclass
class Intake:
    items: list[MediaItem] = field(default_factory=list)
    damaged: list[tuple[MediaItem, str]] = field(default_factory=list)
    skipped: list[MediaFile] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    """Board keys of the files shown while being inspected."""

    def show(self, tracker: Tracker) -> None:
        """Swap the placeholders for the items and skipped files they became."""
        statuses = [
            ItemStatus(key=i.sha256, name=i.name, media_type=i.media_type, state="pending")
            for i in [*self.items, *(d for d, _ in self.damaged)]
        ]
        statuses += [
            ItemStatus(
                key=str(f.path),
                name=f.path.name,
                media_type=f.media_type,
                state="skipped",
                error=f.reason,
            )
            for f in self.skipped
        ]
        tracker.replace(self.placeholders, statuses)


def case_files(ledger_path: Path) -> list[Path]:
    """The case's own files, never reviewed: its ledger (with SQLite's side files) and
    its reports folder (a case folder may sit inside the evidence folder)."""
    folder = ledger_path.parent
    sides = [ledger_path.with_name(ledger_path.name + s) for s in ("-wal", "-shm", "-journal")]
    return [ledger_path, *sides, folder / "reports"]


def check_inputs(inputs: Inputs) -> None:
    """Refuse, in the caller's thread, inputs that are not paths or media items.

    Raises:
        TypeError: ``None``, a number, or anything else that is not a path or an item.
        ValueError: ``RESEMBLE_NB_MAX_FILE_GB`` is set to something that is not a size.
    """
    max_file_bytes()  # a bad cap is said here, not by every file in the background
    if inputs is None or isinstance(inputs, (bytes, bool, int, float)):
        raise TypeError(
            "review() takes paths (files or folders) or media items, not "
            f"{type(inputs).__name__}: {inputs!r}"
        )
    try:
        _split(inputs)
    except TypeError as exc:
        if "not iterable" in str(exc):
            raise TypeError(
                "review() takes paths (files or folders) or media items, not "
                f"{type(inputs).__name__}: {inputs!r}"
            ) from None
        raise


def _split(inputs: Inputs) -> tuple[list[Path], list[MediaItem]]:
    if isinstance(inputs, (str, os.PathLike, MediaItem, LedgerItem)):
        inputs = [inputs]
    paths: list[Path] = []
    items: list[MediaItem] = []
    for entry in inputs:
        if isinstance(entry, MediaItem):
            items.append(entry)
        elif isinstance(entry, LedgerItem):
            items.append(
                MediaItem(
                    sha256=entry.sha256,
                    size=entry.size,
                    media_type=entry.media_type,  # type: ignore[arg-type]
                    mime=entry.mime or mime_for_extension(entry.extension) or "",
                    extension=entry.extension,
                    duration=entry.duration,
                    paths=tuple(p.path for p in entry.paths),
                )
            )
        elif isinstance(entry, (str, os.PathLike)):
            paths.append(Path(os.fspath(entry)).expanduser())
        else:
            raise TypeError(
                "review() takes paths (files or folders) or media items, not "
                f"{type(entry).__name__}: {entry!r}"
            )
    return paths, items


def _damaged_item(file: MediaFile) -> MediaItem | None:
    media_type = media_type_for_extension(file.extension)
    if file.sha256 is None or file.size is None or media_type is None:
        return None
    return MediaItem(
        sha256=file.sha256,
        size=file.size,
        media_type=media_type,
        mime=mime_for_extension(file.extension) or "",
        extension=file.extension,
        duration=None,
        paths=(file.path,),
    )


def _merge(items: Iterable[MediaItem]) -> list[MediaItem]:
    merged: dict[str, MediaItem] = {}
    for item in items:
        known = merged.get(item.sha256)
        if known is None:
            merged[item.sha256] = item
        else:
            merged[item.sha256] = known.seen_at(item.paths, item.duration)
    return list(merged.values())


async def intake(
    inputs: Inputs,
    tracker: Tracker,
    *,
    include: Include = None,
    recursive: bool = True,
    leave_out: Iterable[Path] = (),
) -> Intake:
    """Find, inspect and group ``inputs``, showing progress on ``tracker``.

    ``leave_out``: paths never listed (the case's own ledger and reports)."""
    loop = asyncio.get_running_loop()
    paths, given = _split(inputs)
    candidates = (
        await loop.run_in_executor(
            None,
            partial(find_media, paths, recursive=recursive, include=include, leave_out=leave_out),
        )
        if paths
        else []
    )
    tracker.add(
        ItemStatus(key=str(c.path), name=c.path.name, media_type=None, state="inspecting")
        for c in candidates
    )
    semaphore = asyncio.Semaphore(INSPECT_WORKERS)

    async def examine(candidate: MediaCandidate) -> MediaFile:
        known = candidate_file(candidate)
        if known is not None:  # the walk already found what is wrong with it
            return known
        async with semaphore:
            return await loop.run_in_executor(None, inspect, candidate.path)

    files = list(await asyncio.gather(*(examine(c) for c in candidates)))
    found, skipped = group_items(files)
    result = Intake(placeholders=[str(c.path) for c in candidates])
    damaged: dict[str, tuple[MediaItem, str]] = {}
    for file in skipped:
        item = _damaged_item(file) if file.problem == "corrupt" else None
        if item is None:
            result.skipped.append(file)
        elif item.sha256 in damaged:
            known, reason = damaged[item.sha256]
            damaged[item.sha256] = (_merge([known, item])[0], reason)
        else:
            damaged[item.sha256] = (item, file.reason or f"{file.path}: damaged media")
    result.damaged = list(damaged.values())
    result.items = [i for i in _merge([*given, *found]) if i.sha256 not in damaged]
    return result


def replaced_paths(ledger: Ledger, items: Sequence[MediaItem]) -> list[tuple[str, str, str]]:
    """Paths that held other content at an earlier review of this case: (path, the item
    then, the item now). Both stay in the case; this is said out loud, never silent."""
    known = ledger.items_at_paths(path for item in items for path in item.paths)
    out = []
    for item in items:
        for path in item.paths:
            before = known.get(os.fspath(path))
            if before is not None and before != item.sha256:
                out.append((str(path), before, item.sha256))
    return out
