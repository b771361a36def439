"""What every verb of a case stands on: its folder, its ledger, finding an item by name.

:class:`CaseBase` is the one class the verb mixins (``_review``, ``_asking``,
``_evidence``, ``_custody``) derive from, so they reach the folder and the ledger without
importing :class:`~resemble_nb.case.Case`, which is made of them.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from ..ledger import (
    LEDGER_FILENAME,
    REPORTS_FOLDER,
    UPLOADS_FOLDER,
    CaseFolderError,
    CaseNameError,
    Ledger,
)
from ..ledger.postgresql import is_case_url, parse_case_url

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CASE_DB", "CaseBase", "make_case_folder"]

CASE_DB = LEDGER_FILENAME
"""The ledger's file name inside a case folder."""

_HEX = re.compile(r"[0-9a-f]{6,64}")


class CaseBase:
    """A case folder and its ledger (see :class:`~resemble_nb.case.Case` for the verbs)."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        name: str | None = None,
        workdir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.url: str | None = None
        """The PostgreSQL case URL of a team's case (else ``None``: a folder's SQLite)."""
        if is_case_url(folder):  # a team's case: its files (uploads, reports) stay local
            self.url = str(folder)
            local = workdir or Path.cwd() / parse_case_url(self.url).case
            self.folder: Path = make_case_folder(Path(os.fspath(local)).expanduser())
            self.ledger = Ledger(self.url, folder=self.folder)
            self._default_name = parse_case_url(self.url).case  # named after the case
        else:
            path = Path(os.fspath(folder)).expanduser()
            self.folder = make_case_folder(path)
            self.ledger = Ledger(self.folder / CASE_DB)
            self._default_name = self.folder.name  # named after its folder
        from ._reviewer import install_custody

        install_custody(self.ledger, self.folder)  # signed writes, by the one reviewer rule
        if not self.ledger.read_only:  # each signed write leaves a checkpoint on this machine
            from ..custody._witness import install_witness

            install_witness(self.ledger)
        stored = self.ledger.get_meta("name")
        if self.ledger.read_only:
            if name is not None and stored is not None and name != stored:
                raise _name_clash(self.folder, stored, name)
            return  # an archived or shared case: read and export only
        if stored is None:  # a new case: named now, by choice or after its folder
            self.ledger.set_meta("name", self._default_name if name is None else name)
            if name is not None:
                self.ledger.set_meta("name_chosen", "1")
        elif name is not None and name != stored:
            if self.ledger.get_meta("name_chosen") is None and stored == self._default_name:
                self.ledger.set_meta("name", name)  # it only had its folder's name: named now
                self.ledger.set_meta("name_chosen", "1")
            else:
                raise _name_clash(self.folder, stored, name)

    # -- facts ------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The case's display name."""
        return self.ledger.get_meta("name") or self._default_name

    @property
    def uploads(self) -> Path:
        """Where browser uploads go (``UploadPicker``)."""
        return self.folder / UPLOADS_FOLDER

    @property
    def reports(self) -> Path:
        return self.folder / REPORTS_FOLDER

    def __repr__(self) -> str:
        counts = self.ledger.state_counts()
        total = sum(counts.values())
        shown = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()) if n)
        inside = f"{total} item{'' if total == 1 else 's'}" + (f": {shown}" if shown else "")
        return f"Case({self.name!r}, {inside}) at {self.folder}"

    def close(self) -> None:
        """Close the ledger's connections (reopen with ``Case(folder)``)."""
        self.ledger.close()

    # -- frames -----------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """One row per media item, then one per skipped file (see :mod:`resemble_nb.frames`)."""
        from ..frames import results_frame

        return results_frame(self.ledger)

    def segments(self) -> pd.DataFrame:
        """One row per scored audio window, video frame and face segment."""
        from ..frames import segments_frame

        return segments_frame(self.ledger)

    def decisions(self) -> pd.DataFrame:
        """Every triage decision, oldest first (the chain of custody)."""
        from ..frames import decisions_frame

        return decisions_frame(self.ledger)

    # -- finding an item --------------------------------------------------------------------
    def item_key(self, item: str | os.PathLike[str]) -> str:
        """The sha256 of an item named by its sha256 (or a unique prefix), name or path.

        Raises:
            KeyError: Nothing in the case matches.
            ValueError: The name matches several items (give the sha256 or the path).
        """
        text = os.fspath(item)
        if isinstance(text, str) and _HEX.fullmatch(text.lower()):
            if len(text) == 64 and self.ledger.item(text.lower()) is not None:
                return text.lower()
            matches = [sha for sha in self.ledger.item_names() if sha.startswith(text.lower())]
            if len(matches) == 1:
                return matches[0]
        named = self.ledger.items_named(str(text)) or self._named_alike(str(text))
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            shown = ", ".join(sha[:12] for sha in named[:5])
            way = "the sha256" if os.sep in str(text) else "the sha256 or the full path"
            raise ValueError(
                f"{text!r} names {len(named)} different items in this case (sha256 {shown}"
                f"{', ...' if len(named) > 5 else ''}: the file there changed between "
                f"reviews, or two files share the name); give {way} instead (the latest: "
                f"{named[-1]})"
            )
        found = self.ledger.item_for_path(text)
        if found is not None:
            return found.sha256
        raise KeyError(f"no item {text!r} in case {self.name!r} (give a sha256, name or path)")

    def _named_alike(self, text: str) -> list[str]:
        """Items whose name or path equals ``text`` once both are NFC: macOS stores names
        decomposed (NFD), keyboards type them composed."""
        wanted = unicodedata.normalize("NFC", text)
        found: dict[str, None] = {}
        for sha, path, name in self.ledger.path_index():
            if wanted in (unicodedata.normalize("NFC", name), unicodedata.normalize("NFC", path)):
                found[sha] = None
        return list(found)


def _name_clash(folder: Path, stored: str, asked: str) -> CaseNameError:
    return CaseNameError(
        f"{folder}: this case is named {stored!r}, not {asked!r}; open it without name= "
        f"(rnb.Case({str(folder)!r})), or rename it on purpose with "
        f"rnb.Case({str(folder)!r}).rename({asked!r}) (a signed event in its chain)"
    )


def make_case_folder(path: Path) -> Path:
    """The case folder, made with ``uploads/`` and ``reports/`` where it can be written;
    an existing read-only case is left as it is (it opens read-only).

    Raises:
        CaseFolderError: ``path`` (or a parent) is a file, or the folder cannot be made.
    """
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            raise CaseFolderError(
                f"{path}: cannot be a case folder: {parent} is a file, not a folder"
            )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CaseFolderError(
            f"{path}: cannot create the case folder ({exc.strerror or exc}); choose a "
            "folder you may write to"
        ) from None
    folder = path.resolve()
    if os.access(folder, os.W_OK):
        for sub in (UPLOADS_FOLDER, REPORTS_FOLDER):
            try:
                (folder / sub).mkdir(exist_ok=True)
            except OSError as exc:
                raise CaseFolderError(
                    f"{folder / sub}: cannot create it ({exc.strerror or exc})"
                ) from None
    elif not (folder / CASE_DB).is_file():
        raise CaseFolderError(
            f"{folder}: cannot start a case here: the folder is read-only; choose a "
            "folder you may write to"
        )
    return folder
