"""The case ledger: one SQLite file holding everything a case knows.

Example (not run)::

    ledger = Ledger("cases/acme/ledger.sqlite")
    ledger.add_items(scan.items)
    job, created = ledger.ensure_job(JobSpec(item.sha256, key, "batch", "sandbox"))
    ledger.mark_submitting(job.id, {job.id: item.name})  # before the request goes out
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime

from .._core.closing import Closing
from ._base import to_text
from ._custody import CustodyMixin
from ._decisions import DecisionsMixin
from ._items import ItemsMixin
from ._job_moves import JobMovesMixin
from ._jobs import JobsMixin
from ._lease import LeaseMixin
from ._provenance import ProvenanceMixin
from ._truth import TruthMixin

__all__ = ["LEDGER_FILENAME", "REPORTS_FOLDER", "UPLOADS_FOLDER", "Ledger"]

LEDGER_FILENAME = "case.db"
"""The ledger's file name inside a case folder (a convention for ``Case``)."""
UPLOADS_FOLDER = "uploads"
"""Where a case keeps files uploaded from the browser (``Case.uploads``, ``UploadPicker``)."""
REPORTS_FOLDER = "reports"
"""Where a case writes its reports (``Case.reports``)."""


class Ledger(
    JobsMixin,
    JobMovesMixin,
    ItemsMixin,
    DecisionsMixin,
    TruthMixin,
    LeaseMixin,
    CustodyMixin,
    ProvenanceMixin,
    Closing,
):
    """A case's SQLite ledger: items, jobs, results, segments, decisions, case facts.

    Safe to share between threads (each thread gets its own connection; WAL lets readers
    work while the engine writes). Opening migrates an older file to the current schema;
    a file from a newer resemble_nb is refused with :class:`LedgerVersionError`.

    Args:
        path: The SQLite file (created if missing), or a PostgreSQL case URL
            ``postgresql://USER@HOST:PORT/DB?case=NAME`` (the ``postgresql`` extra). A
            file's folder is the case folder: paths
            inside it are stored relative, so a copied case folder opens anywhere.
        clock: What stamps every change (default: the current time in UTC); tests pass
            their own so times are known, not slept for.
        folder: For a PostgreSQL case, the local folder its files live in (default: the
            current directory).

    Attributes:
        path: Absolute path of the file.
        folder: The case folder.
        schema_version: The schema version in use (:func:`latest_version`).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] | None = None,
        folder: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(path, clock, folder)
        if self.get_meta("created_at") is None:
            self.set_meta("created_at", to_text(self._now()) or "")

    def __repr__(self) -> str:
        if self.url is not None:
            return f"Ledger({self._store.url.display!r})"  # type: ignore[attr-defined]
        return f"Ledger({str(self.path)!r})"

    # -- case facts -------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A case-level fact (``"created_at"``, ``"name"``...), or ``default``."""
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a case-level fact (the ``app`` marker is reserved)."""
        if key == "app":
            raise ValueError("'app' marks the file as a resemble_nb ledger and cannot be set")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, str(value)),
            )

    def meta(self) -> dict[str, str]:
        """Every case-level fact."""
        return dict(self._conn().execute("SELECT key, value FROM meta ORDER BY key").fetchall())
