"""Uploading media: :class:`UploadPicker` saves files from the investigator's own computer
into the case folder (``uploads/``), small ones in one message, large ones in pieces.

>>> picker = UploadPicker(case)                # doctest: +SKIP
>>> run = case.review(picker.paths)            # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as W

from .. import media
from ..ledger import UPLOADS_FOLDER
from ..media.limits import format_bytes
from ._chunked_upload import ChunkedUpload
from ._format import escape
from ._panel import Panel
from ._protocols import CaseLike
from ._store import SavedUpload, save_upload, save_upload_file
from .files import DEFAULT_LARGE_UPLOAD_MAX_BYTES, DEFAULT_UPLOAD_MAX_BYTES, MEDIA_EXTENSIONS

__all__ = ["UploadPicker"]


class UploadPicker(Panel):
    """Upload files from your own computer into the case folder (``uploads/``).

    Each file is saved as it arrives (atomically, under a free name, hashed), and the
    upload widget is emptied at once so the bytes never stay in the notebook's widget
    state. Files over ``max_bytes`` are refused with a message. Browser uploads travel
    through the notebook connection, which Jupyter limits to about 10 MB a message by
    default: bigger files go through *Upload large media*, which sends them in pieces
    with a progress bar, up to ``large_max_bytes`` (see :class:`ChunkedUpload`).
    ``picker.paths`` lists the saved files.
    """

    def __init__(
        self,
        case: CaseLike | str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_UPLOAD_MAX_BYTES,
        large_max_bytes: int = DEFAULT_LARGE_UPLOAD_MAX_BYTES,
    ) -> None:
        folder = Path(case) if isinstance(case, (str, os.PathLike)) else Path(case.folder)
        self.folder = folder / UPLOADS_FOLDER
        self.max_bytes = int(max_bytes)
        self._paths: list[Path] = []
        self._shas: dict[Path, str] = {}
        self._case = None if isinstance(case, (str, os.PathLike)) else case
        self._messages: list[str] = []
        accept = sorted(set().union(*MEDIA_EXTENSIONS.values()))
        self._upload = W.FileUpload(
            accept=",".join(accept),
            multiple=True,
            description="Upload media",
            layout=W.Layout(width="auto"),
            tooltip=f"Audio, video or images, up to {format_bytes(self.max_bytes)} each",
        )
        self._large = ChunkedUpload(
            self.folder, self._receive_part, max_bytes=large_max_bytes, accept=accept
        )
        self._help = W.HTML(
            f"<small>Files from this computer, up to {format_bytes(self.max_bytes)} each, "
            f"are saved into <code>{escape(self.folder)}</code>. Bigger files, up to "
            f"{format_bytes(large_max_bytes)}: <i>Upload large media</i> sends them in "
            "pieces with a progress bar.</small>"
        )
        self._status = W.HTML()
        self._upload.observe(self._on_upload, names="value")
        buttons = W.HBox([self._upload, self._large])
        super().__init__(children=[buttons, self._help, self._status])

    @property
    def paths(self) -> list[Path]:
        """Saved files, in the order they arrived (each once)."""
        return list(self._paths)

    @property
    def not_reviewed(self) -> list[Path]:
        """Saved files the case has no item for yet (uploaded after its review started)."""
        if self._case is None or not self._paths:
            return []
        try:
            known = set(self._case.results()["sha256"].dropna().astype(str))
        except Exception:  # a case that cannot say: nothing to offer
            return []
        return [p for p in self._paths if self._shas.get(p) not in known]

    @property
    def messages(self) -> list[str]:
        """What happened to each file, newest last."""
        return list(self._messages)

    def __repr__(self) -> str:
        n = len(self._paths)
        return f"UploadPicker: {n} file{'' if n == 1 else 's'} saved into {self.folder}"

    def _on_upload(self, change: Mapping[str, Any]) -> None:
        entries = change["new"]
        if not entries:
            return
        try:
            for entry in entries:
                self._receive(entry)
        finally:
            self._upload.value = ()  # drop the bytes from the widget state
        self._render()

    def _receive(self, entry: Mapping[str, Any]) -> None:
        name = str(entry.get("name") or "upload")
        size = int(entry.get("size") or 0)
        if size > self.max_bytes:  # decided on the declared size, before touching content
            self._messages.append(
                f"Refused {name}: {format_bytes(size)} is over the {format_bytes(self.max_bytes)} "
                "limit for browser uploads. Copy it to the server and pick it with FilePicker."
            )
            return
        if size == 0:
            self._messages.append(f"Refused {name}: the file is empty.")
            return
        content = entry["content"]
        actual = content.nbytes if isinstance(content, memoryview) else len(content)
        if actual > self.max_bytes:  # the browser's declared size was wrong
            self._messages.append(
                f"Refused {name}: {format_bytes(actual)} is over the "
                f"{format_bytes(self.max_bytes)} limit for browser uploads."
            )
            return
        try:
            saved = save_upload(self.folder, name, content)
        except OSError as exc:
            self._messages.append(f"Could not save {name} into {self.folder}: {exc}")
            return
        self._accept(name, saved)

    def _receive_part(self, name: str, part: Path) -> str:
        """A complete file from the chunked uploader: named, checked and listed like any."""
        try:
            saved = save_upload_file(self.folder, name, part)
        except OSError as exc:
            self._messages.append(f"Could not save {name} into {self.folder}: {exc}")
        else:
            self._accept(name, saved)
        self._render()
        return self._messages[-1]

    def _accept(self, name: str, saved: SavedUpload) -> None:
        found = media.inspect(saved.path, max_bytes=None)
        if not found.ok:
            if saved.created:
                saved.path.unlink(missing_ok=True)
            reason = (found.reason or found.problem or "not usable media").replace(
                str(saved.path), saved.path.name
            )
            self._messages.append(f"Refused {name}: {reason}")
            return
        if saved.path not in self._paths:
            self._paths.append(saved.path)
        self._shas[saved.path] = found.sha256 or saved.sha256
        verb = "Saved" if saved.created else "Already there"
        self._messages.append(
            f"{verb}: {name} ({format_bytes(saved.size)}, {found.media_type}) as "
            f"{saved.path.name}, sha256 {(found.sha256 or saved.sha256)[:12]}…"
        )

    def _render(self) -> None:
        n = len(self._paths)
        recent = self._messages[-20:]
        rows = "".join(f"<li>{escape(m)}</li>" for m in recent)
        # The button's own "(0)" counts what the widget holds, which is nothing once each
        # file is saved (its bytes are dropped at once): say how many were saved here.
        head = f"<b>{n} file{'' if n == 1 else 's'} saved</b> into the case"
        waiting = self.not_reviewed
        if waiting:
            head += (
                f"<div style='color:#92400e'><b>{len(waiting)} not reviewed yet</b> "
                f"({escape(', '.join(p.name for p in waiting[:5]))}"
                f"{', …' if len(waiting) > 5 else ''}): analyse them with "
                "<code>case.review(picker.paths)</code>; files already reviewed are not "
                "sent again.</div>"
            )
        self._status.value = f"{head}<ul style='margin:0'>{rows}</ul>" if rows else ""
