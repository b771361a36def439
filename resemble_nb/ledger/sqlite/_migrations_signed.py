"""The migrations that bind the case's metadata to the chain and make signed writes the
rule (issue 17): split from :mod:`._migrations` to keep each module to one screenful."""

from __future__ import annotations

import sqlite3

from .._signing import LEGACY_UNSIGNED
from ._chain import replace_event_triggers, seal

__all__ = ["_v_meta_chained", "_v_signing_required"]


def _v_meta_chained(conn: sqlite3.Connection) -> None:
    """The case's name and metadata join the chain: triggers, and today's values recorded.

    (Analyses gain per-field digests and their artifacts' hashes when sealed; no table
    changes for that.)
    """
    for statement in replace_event_triggers(["meta"]):
        conn.execute(statement)
    conn.execute(
        "INSERT INTO events (kind, subject, at, payload) "
        "SELECT 'case_meta', '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
        "json_object('key', key, 'value', value) FROM meta m WHERE NOT EXISTS ("
        "SELECT 1 FROM events e WHERE e.kind = 'case_meta' "
        "AND json_extract(e.payload, '$.key') = m.key) ORDER BY key"
    )
    seal(conn)


def _v_signing_required(conn: sqlite3.Connection) -> None:
    """From here on every label, threshold, exhibit and feedback event is signed as it is
    recorded (feedback by the reviewer whose verdict it sends, named in its event). An
    older case's unsigned ones are named by the case fact ``unsigned_before`` (chained
    like every case fact), which the case's first signed checkpoint then vouches for."""
    for statement in replace_event_triggers(["feedback"]):  # signed by the verdict's reviewer
        conn.execute(statement)
    kinds = ", ".join(f"'{kind}'" for kind in LEGACY_UNSIGNED)
    row = conn.execute(
        f"SELECT MAX(seq) FROM events e WHERE kind IN ({kinds}) AND reconstructed = 0 "
        "AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.seq = e.seq)"
    ).fetchone()
    if row[0] is None:
        return  # nothing unsigned: a new case, or one that never had such events
    conn.execute(  # the meta trigger chains it as a case_meta event
        "INSERT INTO meta (key, value) VALUES ('unsigned_before', ?)", (str(int(row[0]) + 1),)
    )
    seal(conn)
