"""The PostgreSQL store: one case is one schema of a shared database.

Each thread has its own connection (autocommit for reads, so a reader always sees what
was committed); :meth:`PostgreSQLStore.write` opens a transaction that first takes the
case's advisory lock, so writers on any machine queue and the chain's head advances one
writer at a time (the events are numbered and sealed under that lock, with no gap). Each
statement of a write runs under a savepoint, so a refused one (a broken constraint) is
undone alone, as SQLite does, and the ledger can still say which row it was.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql as pgsql

from .._store import Connection
from ..errors import LedgerError, LedgerVersionError, NotALedgerError, ReadOnlyLedgerError
from ..sqlite._migrations import APP_ID
from ..sqlite._schema import latest_version
from ._chain import seal
from ._dialect import sqlite_words, translate
from ._schema import NOW, table_statements, trigger_statements
from ._url import CaseURL, parse_case_url

__all__ = ["PgConnection", "PostgreSQLStore"]


class PgCursor:
    """A psycopg cursor with SQLite's ``lastrowid`` (the key an INSERT returned)."""

    def __init__(self, cursor: psycopg.Cursor[Any], lastrowid: int | None) -> None:
        self._cursor = cursor
        self.lastrowid = lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchmany(self, size: int = 1, /) -> list[Any]:
        return self._cursor.fetchmany(size)

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


class PgConnection:
    """One psycopg connection speaking the ledger's SQL (see :mod:`._dialect`)."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self.depth = 0
        self.reading = False

    @property
    def in_transaction(self) -> bool:
        return self.depth > 0

    def _guarded(self, text: str) -> Any:
        """A savepoint around one change of a write (a read breaks no constraint)."""
        reads = text.lstrip()[:6].upper() == "SELECT"
        return self.raw.transaction() if self.depth and not self.reading and not reads else _NOTHING

    def execute(self, sql: str, parameters: Any = None, /) -> PgCursor:
        text, returning = translate(sql)
        cursor = self.raw.cursor()
        try:
            with self._guarded(text):
                cursor.execute(text, _params(parameters))
                lastrowid = None
                if returning is not None:
                    row = cursor.fetchone()
                    lastrowid = None if row is None else int(row[0])
        except psycopg.IntegrityError as exc:
            raise sqlite_words(exc) from None
        return PgCursor(cursor, lastrowid)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> PgCursor:
        text, returning = translate(sql)
        if returning is not None:
            text = text[: text.rindex(" RETURNING ")]
        rows = [_params(p) for p in parameters]
        cursor = self.raw.cursor()
        try:
            with self._guarded(text):
                cursor.executemany(text, rows)
        except psycopg.IntegrityError as exc:
            if not self.depth:
                raise sqlite_words(exc) from None
            # as SQLite does: the rows before the refused one stay in the transaction
            for row in rows:
                self.execute(sql, row)  # raises at the refused row
            raise sqlite_words(exc) from None
        return PgCursor(cursor, None)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NOTHING = _Nothing()


def _params(parameters: Any) -> Sequence[Any] | dict[str, Any]:
    if parameters is None:
        return ()
    if isinstance(parameters, dict):
        return parameters
    return tuple(parameters)


class PostgreSQLStore:
    """A case in a PostgreSQL database as a :class:`~resemble_nb.ledger._store.Store`.

    Opening connects, creates the case's schema if it is new (tables, triggers, the
    chain's first events) and refuses a case written by a newer resemble_nb.
    """

    integrity_error: type[Exception] = psycopg.IntegrityError
    max_params = 5000
    read_only = False

    def __init__(self, url: str) -> None:
        self.url: CaseURL = parse_case_url(url)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[psycopg.Connection[Any]] = []
        self._closed = False
        self._key = f"resemble_nb:{self.url.schema}"
        try:
            self.schema_version = self._prepare()
        except psycopg.Error as exc:
            self.close()
            raise self.error(exc) from None
        except BaseException:
            self.close()
            raise

    def error(self, exc: psycopg.Error) -> LedgerError:
        """A psycopg error as one line naming the case (never its password)."""
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, psycopg.OperationalError):
            return LedgerError(
                f"{self.url.display}: cannot reach the case's PostgreSQL server ({text}); "
                "check the host, port, user and database, and that the server runs"
            )
        return LedgerError(f"{self.url.display}: the case ledger failed ({text})")

    # -- connections --------------------------------------------------------------------

    def _connect(self) -> PgConnection:
        raw = psycopg.connect(self.url.conninfo, autocommit=True, connect_timeout=10)
        raw.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(self.url.schema)))
        return PgConnection(raw)

    def connection(self) -> PgConnection:
        conn: PgConnection | None = getattr(self._local, "conn", None)
        if conn is not None and not self._closed and not conn.raw.closed:
            return conn
        with self._lock:
            if self._closed:
                raise LedgerError(f"{self.url.display}: the ledger is closed")
            try:
                conn = self._connect()
            except psycopg.Error as exc:
                raise self.error(exc) from None
            self._open.append(conn.raw)
        self._local.conn = conn
        return conn

    @contextmanager
    def snapshot(self) -> Iterator[PgConnection]:
        """A read-only ``REPEATABLE READ`` transaction: one commit's view; nests."""
        conn = self.connection()
        if conn.depth:
            yield conn
            return
        with conn.raw.transaction():
            conn.raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            conn.depth, conn.reading = 1, True
            try:
                yield conn
            finally:
                conn.depth, conn.reading = 0, False

    @contextmanager
    def write(self) -> Iterator[PgConnection]:
        """A write transaction under the case's advisory lock, sealed before commit; nests."""
        conn = self.connection()
        if conn.reading:
            raise RuntimeError("a write inside a read snapshot would never be committed")
        if conn.depth:
            conn.depth += 1
            try:
                yield conn
            finally:
                conn.depth -= 1
            return
        if self.read_only:
            raise ReadOnlyLedgerError(f"{self.url.display}: the case is read-only")
        with conn.raw.transaction():
            conn.raw.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (self._key,))
            conn.depth = 1
            try:
                yield conn
                seal(conn)
            finally:
                conn.depth = 0

    def seal(self, conn: Connection) -> int:
        """Seal the events this write appended so far (see :meth:`Store.seal`)."""
        assert isinstance(conn, PgConnection)
        return seal(conn)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for raw in self._open:
                raw.close()
            self._open = []
        self._local = threading.local()

    # -- the schema ---------------------------------------------------------------------

    def _prepare(self) -> int:
        """Create the case if it is new; return its schema version."""
        latest = latest_version()
        raw = psycopg.connect(self.url.conninfo, autocommit=True, connect_timeout=10)
        try:
            with raw.transaction():
                raw.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (self._key,))
                schema = pgsql.Identifier(self.url.schema)
                found = raw.execute(
                    "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
                    (self.url.schema,),
                ).fetchone()
                if found is None:
                    raw.execute(pgsql.SQL("CREATE SCHEMA {}").format(schema))
                raw.execute(pgsql.SQL("SET LOCAL search_path TO {}").format(schema))
                if found is None:
                    create(PgConnection(raw))
                version = _version(raw, self.url)
        finally:
            raw.close()
        if version < latest:  # PostgreSQL cases are made at the latest schema, not stepped
            raise LedgerVersionError(
                f"{self.url.display}: this case uses schema version {version}; this "
                f"resemble_nb writes {latest} and cannot yet upgrade a PostgreSQL case in "
                "place. Export it with the resemble_nb that made it (resemble-nb "
                "export-case), open the folder with this one, then import-case it anew"
            )
        if version > latest:
            raise LedgerVersionError(
                f"{self.url.display}: this case uses schema version {version}, written by a "
                f"newer resemble_nb; this one understands versions up to {latest}. Upgrade "
                "resemble_nb to open it (the case was left untouched)."
            )
        return version


def create(conn: PgConnection, *, first_events: bool = True) -> None:
    """Make a new case's tables, triggers and (unless its events are being imported) the
    chain's first events, inside the transaction ``conn`` is in."""
    conn.depth += 1
    try:
        for statement in table_statements():
            conn.raw.execute(statement)
        conn.raw.execute("CREATE TABLE rnb_version (version BIGINT NOT NULL)")
        conn.raw.execute("INSERT INTO rnb_version VALUES (%s)", (latest_version(),))
        if first_events:
            add_triggers(conn)
            conn.execute(
                "INSERT INTO events (kind, subject, at, payload) VALUES "
                f"('case_created', '', {NOW}, json_build_object('app', CAST(? AS TEXT))::text)",
                (APP_ID,),
            )
            conn.execute("INSERT INTO meta (key, value) VALUES ('app', ?)", (APP_ID,))
            seal(conn)
    finally:
        conn.depth -= 1


def add_triggers(conn: PgConnection) -> None:
    """The chain's and the tables' triggers (after an import has loaded its rows)."""
    for statement in trigger_statements():
        conn.raw.execute(statement)


def _version(raw: psycopg.Connection[Any], url: CaseURL) -> int:
    try:
        with raw.transaction():
            row = raw.execute("SELECT version FROM rnb_version").fetchone()
            marker = raw.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
    except psycopg.errors.UndefinedTable:
        row, marker = None, None
    if row is None or marker is None or marker[0] != APP_ID:
        raise NotALedgerError(
            f"{url.display}: the schema {url.schema} holds other data, not a resemble_nb case"
        )
    return int(row[0])
