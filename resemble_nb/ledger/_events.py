"""The case's event log: every change that matters, chained by SHA-256.

The store appends an ``events`` row for each change to the tables that hold evidence
(items and their paths, skipped files, jobs, results, decisions, signers, exhibits...),
inside the same transaction as the change (SQLite: triggers, see
:mod:`resemble_nb.ledger.sqlite._chain`). Before that transaction commits, the store seals
every new event with the hash of the one before and its own hash::

    hash(n) = sha256(canonical JSON of [seq, hash(n-1), kind, subject, at, payload, reconstructed])

so removing, reordering, inserting or editing an event breaks every hash after it. The
ledger also refuses to change or delete a sealed event; someone who drops those triggers
with the sqlite3 shell still cannot make the chain agree with the tables and with the
signatures over it (``resemble_nb.custody.verify_case`` checks all three).

Nothing here knows about keys: signing and verifying live in :mod:`resemble_nb.custody`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._store import Connection

__all__ = [
    "DECISION_ID_SQL",
    "GENESIS",
    "Event",
    "canonical",
    "event_hash",
    "row_event",
    "unsealed",
]

GENESIS = "0" * 64
"""The ``prev`` of the first event."""


@dataclass(frozen=True)
class Event:
    """One link of the chain.

    Attributes:
        seq: Position in the chain, from 1.
        kind: What happened (``"item_added"``, ``"decision"``, ``"report_written"``...).
        subject: The item's SHA-256 it is about, or ``""`` for the case itself.
        at: When (ISO-8601, UTC).
        payload: The facts, as canonical JSON text.
        reconstructed: ``True`` for history rebuilt from an older ledger when it gained
            the chain (the times are the recorded ones; the order is by table, then time).
        prev: The previous event's hash (``GENESIS`` for the first).
        hash: This event's hash (``None`` until sealed).
    """

    seq: int
    kind: str
    subject: str
    at: str
    payload: str
    reconstructed: bool
    prev: str | None
    hash: str | None

    @property
    def facts(self) -> dict[str, Any]:
        """The payload, parsed."""
        value = json.loads(self.payload)
        return value if isinstance(value, dict) else {"value": value}


def canonical(value: Any) -> str:
    """The one JSON text hashed and signed for ``value`` (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def field_digest(value: Any) -> str:
    """The SHA-256 that stands for one stored value (bytes as they are, else its JSON)."""
    data = bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else None
    if data is None:
        data = canonical(value).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def event_hash(
    seq: int, prev: str, kind: str, subject: str, at: str, payload: str, reconstructed: bool
) -> str:
    """The hash that seals an event (see the module's docstring)."""
    text = json.dumps(
        [seq, prev, kind, subject, at, payload, int(reconstructed)],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


DECISION_ID_SQL = "json_extract(payload, '$.decision_id')"
"""The expression a decision's event is found by; the index below is on exactly it."""


def row_event(row: Sequence[Any]) -> Event:
    """An :class:`Event` from ``SELECT seq, kind, subject, at, payload, reconstructed, prev,
    hash``."""
    return Event(
        int(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        bool(row[5]),
        None if row[6] is None else str(row[6]),
        None if row[7] is None else str(row[7]),
    )


def unsealed(conn: Connection) -> tuple[str, list[Any]]:
    """What sealing starts from, in any store: the last sealed event's hash (``GENESIS``
    before the first) and every event after it, in order, as ``(seq, kind, subject, at,
    payload, reconstructed)`` rows. Sealed events are a prefix of the chain."""
    last = conn.execute(
        "SELECT seq, hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    after, prev = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
    rows = conn.execute(
        "SELECT seq, kind, subject, at, payload, reconstructed FROM events "
        "WHERE seq > ? ORDER BY seq",
        (after,),
    ).fetchall()
    return prev, list(rows)
