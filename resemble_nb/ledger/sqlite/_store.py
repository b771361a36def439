"""The SQLite store: connections, transactions and SQLite's errors, for one case file.

One SQLite connection per thread (the engine writes from its own thread while a notebook
reads), WAL so readers never wait for the writer, ``BEGIN IMMEDIATE`` for every write so
two writers queue instead of dead-locking, and a generous busy timeout.

A case on a read-only disk or folder (an archived case, a colleague's share) opens
read-only: everything can be read and exported; a write says the case is read-only.
SQLite's own errors (not a database, damaged, disk full) become :class:`LedgerError`
messages that name the file, say it was left untouched and what to do.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from .._store import Connection
from ..errors import LedgerError, NotALedgerError, ReadOnlyLedgerError
from ._chain import seal
from ._schema import check_version, migrate

__all__ = ["BUSY_TIMEOUT_S", "SQLiteStore", "storage_error"]

BUSY_TIMEOUT_S = 30.0

_DAMAGED = ("not a database", "malformed", "corrupt", "file is encrypted")


def storage_error(path: Path, exc: sqlite3.Error, *, read_only: bool = False) -> LedgerError:
    """One SQLite error as a :class:`LedgerError` that names the file and what to do."""
    text = str(exc)
    lowered = text.lower()
    if any(word in lowered for word in _DAMAGED):
        return NotALedgerError(
            f"{path}: not a readable case ledger ({text}). The file was left untouched; "
            "restore it from a backup, or move it aside to start a new case in this folder"
        )
    if "disk is full" in lowered or "disk i/o error" in lowered:
        return LedgerError(
            f"{path}: cannot write the case ledger: the disk is full ({text}); nothing "
            "half-written was kept. Free some space and run again"
        )
    if read_only or "readonly" in lowered or "read-only" in lowered:
        return ReadOnlyLedgerError(
            f"{path}: the case is read-only (its file or folder cannot be written), so "
            "nothing can be changed; it can still be read and exported. Copy the case "
            "folder somewhere writable to work on it"
        )
    if "unable to open" in lowered:
        return LedgerError(
            f"{path}: cannot open the case ledger ({text}); check that the folder exists "
            "and that you may read and write it"
        )
    return LedgerError(f"{path}: the case ledger failed ({text})")


def _busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _writable(path: Path) -> bool:
    """Whether the ledger (or, before it exists, its folder) can be written by us."""
    folder = path.parent
    if not os.access(folder, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


class SQLiteStore:
    """A case's SQLite file as a :class:`~resemble_nb.ledger._store.Store`.

    Opening checks the file is a case ledger (refusing a newer one before writing
    anything), switches it to WAL and brings its schema to the latest version.
    """

    integrity_error: type[Exception] = sqlite3.IntegrityError
    max_params = 500
    """Ids per ``IN (...)``: well under SQLite's limit on host parameters."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._closed = False
        if self.path.is_dir():
            raise LedgerError(
                f"{self.path}: is a folder, where the case ledger file should be; it was "
                "left untouched. Move it aside, or use another case folder"
            )
        if not self.folder.is_dir():
            raise LedgerError(f"{self.folder}: the case folder does not exist")
        self.read_only = self.path.is_file() and not _writable(self.path)
        try:
            conn = self.connection()
            version = check_version(conn, self.path)  # reads only: refuse before writing
            if self.read_only:
                self.schema_version = version
            else:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise LedgerError(f"{self.path}: SQLite refused WAL mode (journal_mode={mode})")
                self.schema_version = migrate(conn, self.path)
            if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
        except sqlite3.Error as exc:
            self.close()
            raise storage_error(self.path, exc, read_only=self.read_only) from None
        except BaseException:
            self.close()
            raise

    # -- connections --------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        read_only = self.read_only
        try:
            if read_only:
                conn = sqlite3.connect(
                    self._read_only_uri(),
                    uri=True,
                    timeout=BUSY_TIMEOUT_S,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(
                    self.path,
                    timeout=BUSY_TIMEOUT_S,
                    isolation_level=None,  # we say BEGIN/COMMIT ourselves
                    check_same_thread=False,  # used by one thread; closed by close() from any
                )
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA synchronous = NORMAL")  # WAL: survives a killed process
        except sqlite3.Error as exc:
            raise storage_error(self.path, exc, read_only=read_only) from None
        return conn

    def _read_only_uri(self) -> str:
        """``mode=ro``; ``immutable=1`` too when SQLite could not make its WAL index
        beside the file (a read-only folder, with no writer to wait for)."""
        from urllib.parse import quote

        uri = f"file:{quote(str(self.path))}?mode=ro"
        if (
            not os.access(self.folder, os.W_OK)
            and not self.path.with_name(self.path.name + "-shm").exists()
        ):
            uri += "&immutable=1"
        return uri

    def connection(self) -> sqlite3.Connection:
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
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction (WAL: the snapshot is fixed by its first read); nests."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        self._local.reading = True
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # fix it now
            yield conn
        finally:
            self._local.reading = False
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # nothing was written: the reads end

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed on exit; nests."""
        conn = self.connection()
        if getattr(self._local, "reading", False):
            raise RuntimeError("a write inside a read snapshot would never be committed")
        if conn.in_transaction:
            yield conn
            return
        if self.read_only:
            raise storage_error(self.path, sqlite3.OperationalError("readonly"), read_only=True)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise
            raise storage_error(self.path, exc) from None
        try:
            yield conn
            seal(conn)  # the events this transaction appended join the chain before it commits
        except sqlite3.Error as exc:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError) or _busy(exc):
                raise
            raise storage_error(self.path, exc) from exc
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise storage_error(self.path, exc) from exc

    def seal(self, conn: Connection) -> int:
        """Seal the events this write appended so far (see :meth:`Store.seal`)."""
        return seal(cast(sqlite3.Connection, conn))

    def close(self) -> None:
        """Close every connection (WAL is checkpointed into the main file by SQLite)."""
        with self._lock:
            self._closed = True
            for _owner, conn in self._open:
                conn.close()
            self._open = []
        self._local = threading.local()
