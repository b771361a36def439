"""The ledger's schema version (``PRAGMA user_version``) and the runner of its migrations.

Opening a ledger runs every missing step of :data:`MIGRATIONS` inside one transaction, so
a failed migration leaves the file as it was. A file written by a newer resemble_nb (a
higher version) is refused, never guessed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path

from ..errors import LedgerError, LedgerVersionError, NotALedgerError
from ._migrations import APP_ID, MIGRATIONS, Migration

__all__ = ["APP_ID", "MIGRATIONS", "Migration", "check_version", "latest_version", "migrate"]


def latest_version(migrations: Mapping[int, Migration] | None = None) -> int:
    """The schema version this resemble_nb writes."""
    return max(MIGRATIONS if migrations is None else migrations)


def migrate(
    conn: sqlite3.Connection, path: Path, migrations: Mapping[int, Migration] | None = None
) -> int:
    """Bring the file open on ``conn`` to the latest version; return that version.

    ``conn`` must be in autocommit mode (``isolation_level=None``).

    Raises:
        NotALedgerError: the file holds other tables, or lacks the ledger's marker.
        LedgerVersionError: the file is newer than this resemble_nb.
    """
    steps = MIGRATIONS if migrations is None else migrations
    latest = max(steps)
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = check_version(conn, path, steps)
        for step in range(version + 1, latest + 1):
            try:
                steps[step](conn)
            except Exception as exc:
                raise LedgerError(
                    f"{path}: upgrading the case ledger to schema version {step} failed "
                    f"({exc}); the file was left at version {version}"
                ) from exc
            conn.execute(f"PRAGMA user_version = {int(step)}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return max(version, latest)


def check_version(
    conn: sqlite3.Connection, path: Path, migrations: Mapping[int, Migration] | None = None
) -> int:
    """The file's schema version, after checking it is ours and not from the future.

    Reads only: safe to call before anything is written to a file that may not be ours.
    """
    latest = latest_version(migrations)
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    _check_owner(conn, path, version)
    if version > latest:
        raise LedgerVersionError(
            f"{path}: this case ledger uses schema version {version}, written by a newer "
            f"resemble_nb; this one understands versions up to {latest}. "
            "Upgrade resemble_nb to open it (the file was left untouched)."
        )
    return version


def _check_owner(conn: sqlite3.Connection, path: Path, version: int) -> None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version == 0:
        if tables:
            raise NotALedgerError(
                f"{path}: this SQLite file holds other data ({', '.join(sorted(tables))}), "
                "not a resemble_nb case ledger"
            )
        return
    marker = None
    if "meta" in tables:
        row = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
        marker = row[0] if row else None
    if marker != APP_ID:
        raise NotALedgerError(f"{path}: this SQLite file is not a resemble_nb case ledger")
