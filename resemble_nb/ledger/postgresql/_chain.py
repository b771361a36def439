"""Sealing the chain in PostgreSQL: the same hashes as SQLite's (:mod:`..sqlite._chain`).

A trigger writes each event's payload with ``json_build_object``; sealing rewrites it as
the ledger's canonical JSON (sorted keys, no spaces) before hashing, adds the facts a
trigger cannot compute (a result's raw hash, an analysis' digests), and chains it to the
one before. It runs under the case's advisory lock (see :mod:`._store`).
"""

from __future__ import annotations

import json
from typing import Any, cast

from .._events import canonical, event_hash, unsealed
from .._store import Connection
from ..sqlite._chain import _COMPLETERS

__all__ = ["seal"]


def seal(conn: Connection) -> int:
    """Hash every event not yet sealed, in order; return how many. Call inside a write."""
    prev, rows = unsealed(conn)
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
