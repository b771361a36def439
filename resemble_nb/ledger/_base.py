"""What the ledger's table modules share: the store they write through, times and paths.

Every table module (items, jobs, results, decisions...) reads with ``self._conn()`` and
writes inside ``with self._write() as conn:``; both come from the case's
:class:`~resemble_nb.ledger._store.Store` (SQLite: :mod:`resemble_nb.ledger.sqlite`).
Times are stored as ISO-8601 text in UTC; paths inside the case folder are stored
relative to it, so a copied case folder opens anywhere.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ._signing import EventSigner, last_seq, sign_new
from ._store import Connection, Store
from .errors import LedgerError
from .postgresql._url import is_case_url
from .sqlite import SQLiteStore

__all__ = ["LedgerBase", "default_reviewer", "from_text", "must_time", "now", "to_text"]


def default_reviewer() -> str:
    """The logged-in user's name, or ``"unknown"`` where the system cannot say."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


def now() -> datetime:
    """The ledger's default clock: the current time in UTC."""
    return datetime.now(timezone.utc)


def to_text(moment: datetime | None) -> str | None:
    """Store a time: ISO-8601 in UTC with microseconds (so text order is time order)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: give a timezone (UTC is stored)")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_text(text: str | None) -> datetime | None:
    """Read a stored time back as a tz-aware datetime."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def must_time(text: str) -> datetime:
    moment = from_text(text)
    assert moment is not None
    return moment


class LedgerBase:
    """The plumbing: a case folder, its store, the clock."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        clock: Callable[[], datetime] | None = None,
        folder: str | os.PathLike[str] | None = None,
    ) -> None:
        self._clock = clock or now
        self.url: str | None = None
        """The PostgreSQL case URL, for a case kept there (else ``None``: a SQLite file)."""
        store: Store
        if is_case_url(path):
            try:
                from .postgresql._store import PostgreSQLStore
            except ImportError:
                raise LedgerError(
                    "a PostgreSQL case needs psycopg 3: pip install 'resemble_nb[postgresql]'"
                ) from None
            pg = PostgreSQLStore(str(path))
            store, self.url = pg, str(path)
            # files a case keeps (uploads, reports) live in a local working folder
            local = Path(os.path.abspath(os.fspath(folder or os.getcwd())))
            self.path = local / f"{pg.url.case}.postgresql"
        else:
            self.path = Path(os.path.abspath(os.fspath(path)))
            store = SQLiteStore(self.path)
        self.folder = self.path.parent
        self._prefix = str(self.folder).rstrip(os.sep) + os.sep
        self.event_signer: EventSigner | None = None
        """Signs the events a person answers for inside their write (set by custody)."""
        self.reviewer_rule: Callable[[], str] | None = None
        """Who acts when a write names no one (set by the case; else the OS user)."""
        self._store: Store = store
        self.read_only = self._store.read_only
        """Whether the case was opened read-only (its file or folder cannot be written)."""
        self.schema_version = self._store.schema_version
        self.after_commit: list[Callable[[], None]] = []
        """Called after each outermost write commits (custody leaves checkpoints here)."""
        self.before_close: list[Callable[[], None]] = []
        """Called once when the ledger is closed, before its connections are (the same)."""

    # -- the store ----------------------------------------------------------------------

    def _conn(self) -> Connection:
        """This thread's connection, for reads."""
        return self._store.connection()

    @contextmanager
    def _write(
        self, signer: EventSigner | None = None, *, signed: bool = False
    ) -> Iterator[Connection]:
        """A write transaction (committed on exit, the chain sealed before); nests.

        A write that may append an event a person answers for (``signed=True``: decide,
        labels, thresholds, exhibits, feedback, recorded events) has those events signed
        by ``signer`` (else :attr:`event_signer`) after sealing and before the commit; a
        signer that fails rolls the write back. Other writes (a review's) skip the work;
        a signed kind slipped into one stays unsigned, and ``verify`` names it.
        """
        signer = signer or (self.event_signer if signed else None)
        nested = signer is not None and bool(getattr(self._conn(), "in_transaction", False))
        with self._store.write() as conn:
            if signer is None or nested:  # the outermost write signs
                yield conn
            else:
                before = last_seq(conn)
                yield conn
                self._store.seal(conn)
                sign_new(conn, before, signer, to_text(self._now()) or "", self._store.seal)
        if not nested:  # committed: what runs after a write (custody's checkpoints)
            for hook in self.after_commit:
                hook()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several changes written as one (one commit, the chain sealed once): all of them
        are kept or none. Nothing inside may wait on anything else that writes."""
        with self._write():
            yield

    def snapshot(self) -> AbstractContextManager[Connection]:
        """Read the case as of one commit: every read inside (this thread's) sees the same
        snapshot, whatever other processes write meanwhile (a report, an export)."""
        return self._store.snapshot()

    def actor(self, explicit: str | None) -> str:
        """The one rule for who acts: the name given, else the case's rule, else the OS user."""
        if explicit is not None:
            return explicit
        if self.reviewer_rule is not None:
            return self.reviewer_rule()
        return default_reviewer()

    def _chunks(self, ids: list[int]) -> list[list[int]]:
        """``ids`` in runs short enough for one ``IN (...)`` query of the store."""
        size = self._store.max_params
        return [ids[start : start + size] for start in range(0, len(ids), size)]

    def _log(self, table: str, columns: str, sha256: str | None = None) -> list[Any]:
        """``columns`` of a log's rows, oldest first: of one item, or of the whole case."""
        where, params = ("", ()) if sha256 is None else (" WHERE sha256 = ?", (sha256,))
        sql = f"SELECT {columns} FROM {table}{where} ORDER BY id"
        return self._conn().execute(sql, params).fetchall()

    @staticmethod
    def _added(conn: Any, table: str, columns: str, cursor: Any) -> Any:
        """``columns`` of the row the INSERT behind ``cursor`` just added to ``table``."""
        sql = f"SELECT {columns} FROM {table} WHERE id = ?"
        return conn.execute(sql, (cursor.lastrowid,)).fetchone()

    def _latest(self, table: str, columns: str, sha256: str) -> Any:
        """``columns`` of an item's latest row in a log, or ``None`` if it has none."""
        sql = f"SELECT {columns} FROM {table} WHERE sha256 = ? ORDER BY id DESC LIMIT 1"
        return self._conn().execute(sql, (sha256,)).fetchone()

    def close(self) -> None:
        """Close every connection (SQLite checkpoints its WAL into the main file)."""
        hooks, self.before_close = self.before_close, []
        for hook in hooks:
            hook()
        self._store.close()

    def _now(self) -> datetime:
        """The time to stamp a change with: the injected clock, tz-aware."""
        return self._clock()

    # -- paths --------------------------------------------------------------------------

    def _store_path(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        """``(text, in_case)``: relative to the case folder when inside it, else absolute."""
        absolute = os.path.abspath(os.fspath(path))
        if absolute.startswith(self._prefix):
            return absolute[len(self._prefix) :].replace(os.sep, "/"), 1
        return absolute, 0

    def _load_path(self, text: str, in_case: int) -> Path:
        return self.folder / text if in_case else Path(text)
