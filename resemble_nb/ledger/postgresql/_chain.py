"""Sealing the chain in PostgreSQL: the same hashes as SQLite's (:mod:`..sqlite._chain`).

A trigger writes each event's payload with ``json_build_object``; sealing rewrites it as
the ledger's canonical JSON (sorted keys, no spaces) before hashing, adds the facts a
trigger cannot compute (a result's raw hash, an analysis' digests), and chains it to the
one before. It runs under the case's advisory lock (see :mod:`._store`).
"""

from __future__ import annotations

import json
from typing import Any, cast

from .._events import GENESIS, canonical, event_hash
from .._store import Connection
from ..sqlite._chain import _COMPLETERS

__all__ = ["seal"]


def seal(conn: Connection) -> int:
    """Hash every event not yet sealed, in order; return how many. Call inside a write."""
    last = conn.execute(
        "SELECT seq, hash FROM events WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    after, prev = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
    rows = conn.execute(
        "SELECT seq, kind, subject, at, payload, reconstructed FROM events "
        "WHERE seq > ? ORDER BY seq",
        (after,),
    ).fetchall()
    sealed = []
    for seq, kind, subject, at, payload, reconstructed in rows:
        facts: Any = json.loads(str(payload))
        complete = _COMPLETERS.get(kind)
        if complete is not None:
            facts = complete(cast(Any, conn), facts)
        text = canonical(facts)
        digest = event_hash(seq, prev, kind, subject, at, text, bool(reconstructed))
        sealed.append((text, prev, digest, seq))
        prev = digest
    if sealed:
        conn.executemany("UPDATE events SET payload = ?, prev = ?, hash = ? WHERE seq = ?", sealed)
    return len(rows)
