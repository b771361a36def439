"""What every check reads: the ledger opened read-only, its events, and the helpers that
hold a table's rows against the events that recorded them.

Reads with plain SQL (never through the code that wrote the ledger), so a verification
never changes what it checks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from resemble_nb.ledger import Event

from ._result import Verification

__all__ = [
    "Facts",
    "chain_head_of",
    "compare",
    "facts_of",
    "item_names",
    "latest",
    "open_read_only",
    "read_events",
]


def open_read_only(path: Path) -> sqlite3.Connection:
    """The ledger opened read-only (a verification never writes).

    With no ``-wal`` file beside it (no writer has it open), it is opened as immutable, so
    not even SQLite's shared-memory file is made; otherwise read-only, reading the WAL.
    Every read then happens in ONE read transaction: a case being written is read as of
    one head, never half before and half after another process's commit.
    """
    wal = path.with_name(path.name + "-wal")
    flags = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("BEGIN")  # deferred: the first read below fixes the snapshot
    conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    return conn


def read_events(conn: sqlite3.Connection) -> list[Event]:
    rows = conn.execute(
        "SELECT seq, kind, subject, at, payload, reconstructed, prev, hash FROM events ORDER BY seq"
    )
    return [Event(int(r[0]), r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]


def facts_of(event: Event) -> dict[str, Any]:
    try:
        return event.facts
    except ValueError:
        return {}


def latest(events: Iterable[Event], kind: str, key: str) -> dict[Any, tuple[Event, dict[str, Any]]]:
    found: dict[Any, tuple[Event, dict[str, Any]]] = {}
    for event in events:
        if event.kind == kind:
            facts = facts_of(event)
            found[facts.get(key)] = (event, facts)
    return found


def compare(
    out: Verification,
    area: str,
    label: str,
    row: dict[str, Any],
    facts: dict[str, Any],
    fields: Iterable[str],
    where: str,
) -> bool:
    same = True
    for name in fields:
        recorded, now = facts.get(name), row.get(name)
        if isinstance(recorded, float) or isinstance(now, float):
            equal = (
                recorded is not None
                and now is not None
                and abs(float(recorded) - float(now)) < 1e-12
            )
            equal = equal or (recorded is None and now is None)
        else:
            equal = recorded == now
        if not equal:
            out.fail(
                area,
                f"{label}: {name} is {now!r} in the ledger but was recorded as {recorded!r}",
                where,
            )
            same = False
    return same


class Facts(dict[str, Any]):
    """An event's facts for a message: a fact the event lacks reads as ``?``."""

    def __missing__(self, key: str) -> str:
        return "?"


def chain_head_of(ledger_path: Path) -> dict[str, Any]:
    """``{"seq", "hash"}`` of a ledger's newest event (read-only)."""
    conn = open_read_only(ledger_path)
    try:
        row = conn.execute(
            "SELECT seq, hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return {"seq": int(row[0]), "hash": str(row[1])} if row else {}


def item_names(conn: sqlite3.Connection) -> Callable[[Any], str]:
    """How a check names an item: its first file name, else the start of its hash."""
    names = {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT i.sha256, p.name FROM items i "
            "LEFT JOIN item_paths p ON p.rowid = i.first_path_id"
        )
    }

    def name(sha: Any) -> str:
        return str(names.get(sha) or str(sha)[:12])

    return name
