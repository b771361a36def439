"""Choosing media: :class:`FilePicker` for folders on the server (and the sizes and types
both pickers accept; :class:`~resemble_nb.widgets.uploads.UploadPicker` takes files from
the investigator's own computer).

>>> picker = FilePicker("evidence/")           # doctest: +SKIP
>>> picker                                     # browse, tick types, select files
>>> run = case.review(picker.selected)         # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as W

from .. import media
from ..media.limits import (
    ALLOWED_EXTENSIONS,
    DIRECT_UPLOAD_MAX_BYTES,
    format_bytes,
    media_type_for_extension,
)
from ._checklist import CheckList
from ._format import escape
from ._panel import Panel

__all__ = [
    "DEFAULT_LARGE_UPLOAD_MAX_BYTES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_UPLOAD_MAX_BYTES",
    "MEDIA_EXTENSIONS",
    "FilePicker",
]

#: The API's direct-upload cap; bigger files are flagged in the picker.
DEFAULT_MAX_BYTES = DIRECT_UPLOAD_MAX_BYTES
#: Browser uploads travel in one websocket message, which Jupyter caps at 10 MiB by default;
#: 10 MB (decimal, like every size the toolkit shows) stays under it.
DEFAULT_UPLOAD_MAX_BYTES = 10 * 1000**2
#: Largest file the chunked uploader takes (it never holds more than one piece in memory).
DEFAULT_LARGE_UPLOAD_MAX_BYTES = 20 * 1000**3

#: File name extensions the pickers offer (the API's allowlist), by media type.
MEDIA_EXTENSIONS: Mapping[str, frozenset[str]] = {
    kind: frozenset(e for e in ALLOWED_EXTENSIONS if media_type_for_extension(e) == kind)
    for kind in ("audio", "video", "image")
}
_MAX_LISTED = 2000


def media_type_of(path: str | os.PathLike[str]) -> str | None:
    """The media type a file name suggests (``"audio"``, ``"video"``, ``"image"``) or None."""
    return media_type_for_extension(Path(path).suffix.lower())


def _check_types(media_types: Iterable[str]) -> tuple[str, ...]:
    types = tuple(media_types)
    unknown = [t for t in types if t not in MEDIA_EXTENSIONS]
    if unknown:
        raise ValueError(
            f"unknown media type(s) {unknown}: choose from {', '.join(MEDIA_EXTENSIONS)}"
        )
    return types


class FilePicker(Panel):
    """Browse folders on the server and select media files.

    Open a subfolder by choosing it and pressing *Open* (or ``picker.browse(path)``), go
    back with *Up*; tick the media types to list; tick files (a click ticks or unticks
    one file, Shift-click a range; *Select all* ticks every file listed) in as many
    folders as you like. The
    summary shows how many files are selected, their total size, and which are over
    ``max_bytes``. ``picker.selected`` is the list of paths.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str] = ".",
        *,
        media_types: Sequence[str] = ("audio", "video", "image"),
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        start = Path(folder).expanduser()
        if not start.exists():
            raise FileNotFoundError(f"{start}: no such folder")
        if not start.is_dir():
            raise NotADirectoryError(f"{start}: not a folder (pass the folder that holds it)")
        self.max_bytes = int(max_bytes)
        self._cwd = start.resolve()
        self._chosen: dict[Path, int] = {}  # path -> size, across folders
        self._digests: dict[tuple[Path, int, int], str] = {}
        self._listing: dict[str, int] = {}  # file name -> size, in the current folder
        self._updating = False
        self._note = ""

        types = _check_types(media_types)
        self._location = W.HTML()
        self._up = W.Button(description="Up", icon="arrow-up", tooltip="Parent folder")
        self._folders = W.Select(options=[], rows=6, description="Folders")
        self._open = W.Button(description="Open", icon="folder-open", tooltip="Open folder")
        self._types = {
            t: W.Checkbox(
                value=t in types, description=t, indent=False, layout=W.Layout(width="auto")
            )
            for t in MEDIA_EXTENSIONS
        }
        self._files = CheckList(options=[], rows=12)
        self._all = W.Button(description="Select all", tooltip="Select every file listed here")
        self._none = W.Button(
            description="Select none", tooltip="Untick every file, in every folder"
        )
        self._summary = W.HTML()

        self._up.on_click(lambda _: self.up())
        self._open.on_click(lambda _: self._open_chosen())
        self._all.on_click(lambda _: self.select_all())
        self._none.on_click(lambda _: self.clear())
        self._files.observe(self._on_files, names="value")
        for box in self._types.values():
            box.observe(self._on_types, names="value")

        wide = W.Layout(width="60%")
        self._folders.layout = wide
        self._files.layout = wide
        super().__init__(
            children=[
                self._location,
                W.HBox([self._folders, W.VBox([self._up, self._open])]),
                W.HBox(
                    [W.Label("Show:"), *self._types.values()],
                    layout=W.Layout(align_items="center", grid_gap="12px"),
                ),
                self._files,
                W.HBox([self._all, self._none]),
                self._summary,
            ]
        )
        self._refresh()

    # -- public API --------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        """The folder being shown."""
        return self._cwd

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media types currently listed."""
        return tuple(t for t, box in self._types.items() if box.value)

    @property
    def selected(self) -> list[Path]:
        """Every selected file of a ticked type, sorted by path.

        Unticking a type hides its files from the selection; ticking it again brings
        them back (the choice is remembered, not thrown away).
        """
        return sorted(self._shown())

    @property
    def total_bytes(self) -> int:
        """Total size of the selection."""
        return sum(self._shown().values())

    @property
    def too_large(self) -> list[Path]:
        """Selected files bigger than ``max_bytes``."""
        return sorted(p for p, size in self._shown().items() if size > self.max_bytes)

    def duplicates(self) -> dict[Path, list[Path]]:
        """Selected files whose bytes equal an earlier one: first path -> its copies.

        Only files of equal size are hashed, so a selection without equal sizes costs
        nothing; the same bytes are one item in a review (content is identity).
        """
        by_size: dict[int, list[Path]] = {}
        for path, size in sorted(self._shown().items()):
            by_size.setdefault(size, []).append(path)
        found: dict[Path, list[Path]] = {}
        for paths in by_size.values():
            if len(paths) < 2:
                continue
            first_of: dict[str, Path] = {}
            for path in paths:
                digest = self._digest(path)
                if digest is None:
                    continue
                if digest in first_of:
                    found.setdefault(first_of[digest], []).append(path)
                else:
                    first_of[digest] = path
        return found

    def browse(self, folder: str | os.PathLike[str]) -> None:
        """Show ``folder`` (relative to the current one, or absolute)."""
        target = (self._cwd / Path(folder).expanduser()).resolve()
        if not target.is_dir():
            self._note = f"{target}: not a folder"
            self._render_summary()
            return
        previous, self._cwd = self._cwd, target
        if not self._refresh():
            self._cwd = previous
            self._refresh(keep_note=True)

    def up(self) -> None:
        """Show the parent folder."""
        if self._cwd.parent != self._cwd:
            self.browse(self._cwd.parent)

    def select(self, *names: str | os.PathLike[str]) -> None:
        """Add files of the current folder (names or paths) to the selection."""
        for name in names:
            path = (self._cwd / Path(name)).resolve()
            if path.parent == self._cwd and path.name in self._listing:
                self._chosen[path] = self._listing[path.name]
            else:
                self._note = f"{path}: not among the listed files of {self._cwd}"
        self._sync_files_value()
        self._render_summary()

    def select_all(self) -> None:
        """Select every file listed in the current folder."""
        self.select(*self._listing)

    def clear(self) -> None:
        """Empty the selection (in every folder)."""
        self._chosen.clear()
        self._note = ""
        self._sync_files_value()
        self._render_summary()

    def __repr__(self) -> str:
        text = f"FilePicker: {self._cwd} — {self._count_text()}"
        if self.too_large:
            text += f", {len(self.too_large)} over {format_bytes(self.max_bytes)}"
        return text

    # -- internals ---------------------------------------------------------------------
    def _shown(self) -> dict[Path, int]:
        kept = set(self.media_types)
        return {p: n for p, n in self._chosen.items() if media_type_of(p) in kept}

    def _digest(self, path: Path) -> str | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (path, stat.st_size, stat.st_mtime_ns)
        if key not in self._digests:
            try:
                self._digests[key] = media.sha256_file(path)
            except OSError:
                return None
        return self._digests[key]

    def _count_text(self) -> str:
        n = len(self._shown())
        return f"{n} file{'' if n == 1 else 's'} selected ({format_bytes(self.total_bytes)})"

    def _duplicates_text(self) -> str:
        copies = self.duplicates()
        if not copies:
            return ""
        n = len(self._shown())
        extra = sum(len(c) for c in copies.values())
        named = "; ".join(
            f"{', '.join(c.name for c in found)} {'is a copy' if len(found) == 1 else 'are copies'}"
            f" of {first.name}"
            for first, found in list(copies.items())[:5]
        )
        more = f"; and {len(copies) - 5} more" if len(copies) > 5 else ""
        return (
            f"{n} files, {n - extra} distinct: {extra} duplicate{'' if extra == 1 else 's'} "
            f"({named}{more}), each reviewed once"
        )

    def _refresh(self, keep_note: bool = False) -> bool:
        """List the current folder; False (and a note) when it cannot be read."""
        allowed = set().union(*(MEDIA_EXTENSIONS[t] for t in self.media_types))
        folders: list[str] = []
        files: dict[str, int] = {}
        try:
            with os.scandir(self._cwd) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    try:
                        if entry.is_dir():
                            folders.append(entry.name)
                        elif entry.is_file() and Path(entry.name).suffix.lower() in allowed:
                            files[entry.name] = entry.stat().st_size
                    except OSError:
                        continue
        except OSError as exc:
            self._note = f"Cannot open {self._cwd}: {exc.strerror or exc}"
            self._render_summary()
            return False
        if not keep_note:
            self._note = ""
        names = sorted(files, key=str.casefold)
        if len(names) > _MAX_LISTED:
            self._note = (
                f"Showing the first {_MAX_LISTED:,} of {len(names):,} files here; "
                "to review a whole folder pass it to case.review() directly."
            )
            names = names[:_MAX_LISTED]
        self._listing = {name: files[name] for name in names}
        self._location.value = f"<b>Folder:</b> <code>{escape(self._cwd)}</code>"
        here = tuple(n for n in self._listing if (self._cwd / n) in self._chosen)
        self._updating = True
        try:
            self._folders.options = sorted(folders, key=str.casefold)
            self._folders.value = None
            # options and value in one message: the browser never selects a missing option
            with self._files.hold_sync():
                self._files.value = ()
                self._files.options = [(self._label(n, s), n) for n, s in self._listing.items()]
                self._files.value = here
        finally:
            self._updating = False
        self._render_summary()
        return True

    def _label(self, name: str, size: int) -> str:
        flag = f"  ⚠ over {format_bytes(self.max_bytes)}" if size > self.max_bytes else ""
        return f"{name}  ({format_bytes(size)}){flag}"

    def _sync_files_value(self) -> None:
        here = tuple(n for n in self._listing if (self._cwd / n) in self._chosen)
        self._updating = True
        try:
            self._files.value = here
        finally:
            self._updating = False

    def _open_chosen(self) -> None:
        if self._folders.value:
            self.browse(self._folders.value)

    def _on_files(self, change: Mapping[str, Any]) -> None:
        if self._updating:
            return
        wanted = set(change["new"])
        for name, size in self._listing.items():
            path = self._cwd / name
            if name in wanted:
                self._chosen[path] = size
            else:
                self._chosen.pop(path, None)
        self._render_summary()

    def _on_types(self, change: Mapping[str, Any]) -> None:
        self._refresh(keep_note=True)  # hidden choices are kept for when the type returns

    def _render_summary(self) -> None:
        parts = [f"<b>{escape(self._count_text())}</b>"]
        twins = self._duplicates_text()
        if twins:
            parts.append(f"<span style='color:#1d4ed8'>{escape(twins)}</span>")
        hidden = len(self._chosen) - len(self._shown())
        if hidden:
            parts.append(
                f"<i>{hidden} more selected of an unticked type (tick it to include them)</i>"
            )
        big = self.too_large
        if big:
            names = ", ".join(
                f"{escape(p.name)} ({format_bytes(self._chosen[p])})" for p in big[:10]
            )
            more = f" and {len(big) - 10} more" if len(big) > 10 else ""
            parts.append(
                f"<span style='color:#b45309'>⚠ {len(big)} over the "
                f"{format_bytes(self.max_bytes)} limit: {names}{more}</span>"
            )
        if self._note:
            parts.append(f"<i>{escape(self._note)}</i>")
        self._summary.value = "<br>".join(parts)
