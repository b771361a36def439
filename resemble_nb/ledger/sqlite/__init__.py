"""The embedded case store: one SQLite file per case (the default backend).

It owns what is SQLite's own: per-thread connections, WAL, ``BEGIN IMMEDIATE`` write
transactions with a busy timeout, read-only opening of an archived case, SQLite's errors
in the ledger's words (:mod:`._store`); the schema, versioned with ``PRAGMA
user_version``, and its migrations (:mod:`._schema`, :mod:`._migrations`); the chain's
triggers and sealing (:mod:`._chain`, :mod:`._history`). It implements
:class:`resemble_nb.ledger._store.Store` and must not hold the ledger's logic (what a job,
a decision or an event means): that stays in the table modules one folder up.
"""

from ._migrations import MIGRATIONS, Migration
from ._schema import latest_version
from ._store import SQLiteStore

__all__ = ["MIGRATIONS", "Migration", "SQLiteStore", "latest_version"]
