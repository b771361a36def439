"""Connections, transactions, times and paths shared by the ledger's parts.

One SQLite connection per thread (the engine writes from its own thread while a notebook
reads), WAL so readers never wait for the writer, ``BEGIN IMMEDIATE`` for every write so
two writers queue instead of dead-locking, and a generous busy timeout.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ._events import seal
from ._schema import check_version, migrate
from .errors import LedgerError, NotALedgerError

BUSY_TIMEOUT_S = 30.0


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
    """The plumbing: a file, its folder, per-thread connections."""

    def __init__(
        self, path: str | os.PathLike[str], clock: Callable[[], datetime] | None = None
    ) -> None:
        self._clock = clock or now
        self.path = Path(os.path.abspath(os.fspath(path)))
        self.folder = self.path.parent
        self._prefix = str(self.folder).rstrip(os.sep) + os.sep
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._closed = False
        if self.path.is_dir():
            raise LedgerError(f"{self.path}: is a folder; give the ledger file inside it")
        if not self.folder.is_dir():
            raise LedgerError(f"{self.folder}: the case folder does not exist")
        try:
            conn = self._conn()
            check_version(conn, self.path)  # read-only: refuse before touching the file
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise LedgerError(f"{self.path}: SQLite refused WAL mode (journal_mode={mode})")
            self.schema_version = migrate(conn, self.path)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise NotALedgerError(
                f"{self.path}: cannot be opened as a case ledger ({exc})"
            ) from None
        except BaseException:
            self.close()
            raise

    # -- connections --------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # we say BEGIN/COMMIT ourselves
                check_same_thread=False,  # used by one thread; closed by close() from any
            )
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: survives a killed process
        except sqlite3.DatabaseError as exc:
            raise NotALedgerError(
                f"{self.path}: cannot be opened as a case ledger ({exc})"
            ) from None
        return conn

    def _now(self) -> datetime:
        """The time to stamp a change with: the injected clock, tz-aware."""
        return self._clock()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and not self._closed:
            return conn
        with self._lock:
            if self._closed:
                raise LedgerError(f"{self.path}: the ledger is closed")
            # connections of threads that have ended are closed here, not leaked
            alive = []
            for owner, other in self._open:
                if owner() is None or not owner().is_alive():  # type: ignore[union-attr]
                    other.close()
                else:
                    alive.append((owner, other))
            conn = self._connect()
            alive.append((weakref.ref(threading.current_thread()), conn))
            self._open = alive
        self._local.conn = conn
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed on exit; nests."""
        conn = self._conn()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            seal(conn)  # the events this transaction appended join the chain before it commits
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close every connection (WAL is checkpointed into the main file by SQLite)."""
        with self._lock:
            self._closed = True
            for _owner, conn in self._open:
                conn.close()
            self._open = []
        self._local = threading.local()

    # -- paths --------------------------------------------------------------------------

    def _store_path(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        """``(text, in_case)``: relative to the case folder when inside it, else absolute."""
        absolute = os.path.abspath(os.fspath(path))
        if absolute.startswith(self._prefix):
            return absolute[len(self._prefix) :].replace(os.sep, "/"), 1
        return absolute, 0

    def _load_path(self, text: str, in_case: int) -> Path:
        return self.folder / text if in_case else Path(text)
