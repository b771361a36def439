"""The seam between the ledger and the database that keeps it: what a backend provides.

:class:`~resemble_nb.ledger.Ledger` is written once, over a :class:`Store`; a backend (the
embedded :mod:`resemble_nb.ledger.sqlite` today, a team's PostgreSQL next) implements it.
The table modules (items, jobs, results, decisions...) speak DB-API 2 through the store's
connections: plain SQL with ``?`` placeholders. What differs between engines lives behind
the store: connecting, transactions and their locks, the schema and its migrations, the
chain's triggers and sealing, how its errors read, and how many values one query carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

__all__ = ["Connection", "Cursor", "Store"]


class Cursor(Protocol):
    """The part of a DB-API 2 cursor the ledger reads."""

    @property
    def lastrowid(self) -> int | None: ...

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchmany(self, size: int = ..., /) -> list[Any]: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API 2 connection the ledger uses (``execute`` returns a cursor)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Cursor: ...


class Store(Protocol):
    """What a case-store backend gives the ledger.

    Attributes:
        read_only: The store can be read but not written (an archived or shared case):
            :meth:`write` raises :class:`~resemble_nb.ledger.ReadOnlyLedgerError`.
        schema_version: The schema version in use, after opening (migrations are run by
            the store when it opens, all or none; a newer schema is refused).
        integrity_error: The driver's error for a broken constraint (a second job in
            flight, an unknown item), which the ledger turns into its own words.
        max_params: How many values one query may carry; bulk reads go in chunks of it.
    """

    read_only: bool
    schema_version: int
    integrity_error: type[Exception]
    max_params: int

    def connection(self) -> Connection:
        """This thread's connection, for reads (each thread gets its own)."""
        ...

    def write(self) -> AbstractContextManager[Connection]:
        """One write transaction, committed on exit, rolled back on error; nests.

        Writers queue on the store's write lock, and the events the transaction appended
        are sealed into the chain (each with the hash of the one before) before it
        commits, so the chain has one order and no gap, whoever writes.
        """
        ...

    def snapshot(self) -> AbstractContextManager[Connection]:
        """One read transaction: every read inside sees the case as of one commit, however
        other processes write meanwhile. No write may happen inside it; nests."""
        ...

    def seal(self, conn: Connection) -> int:
        """Seal the events appended so far in this write (as :meth:`write` does before it
        commits); return how many. For a write that must sign what it sealed first."""
        ...

    def close(self) -> None:
        """Close every connection; the store cannot be used afterwards."""
        ...
