"""Verifying local provenance: each ``provenance`` row says what its chain event recorded."""

from __future__ import annotations

import sqlite3

from resemble_nb.ledger import Event

from ._read import compare, latest
from ._result import Verification

__all__ = ["check_provenance"]

_FIELDS = ("sha256", "state", "reason", "claim_generator", "title", "signer", "signed_at")


def check_provenance(conn: sqlite3.Connection, events: list[Event], out: Verification) -> None:
    """Every reading is in the chain as recorded, and none was removed."""
    try:
        found = conn.execute(
            "SELECT p.id AS provenance_id, p.sha256, p.state, p.reason, p.claim_generator, "
            "p.title, p.signer, p.signed_at, fp.name FROM provenance p "
            "LEFT JOIN items i ON i.sha256 = p.sha256 "
            "LEFT JOIN item_paths fp ON fp.rowid = i.first_path_id"
        ).fetchall()
    except sqlite3.OperationalError:  # a ledger from before local provenance
        return
    rows = {r["provenance_id"]: dict(r) for r in found}
    recorded = latest(events, "provenance_read", "provenance_id")
    bad = 0
    for reading_id, row in rows.items():
        label = f"provenance of {row['name'] or str(row['sha256'])[:12]} (reading {reading_id})"
        if reading_id not in recorded:
            out.fail(
                "provenance",
                f"{label} is not in the chain (added outside resemble_nb)",
                f"provenance.id={reading_id}",
            )
            bad += 1
            continue
        event, facts = recorded[reading_id]
        bad += not compare(
            out,
            "provenance",
            label,
            row,
            facts,
            _FIELDS,
            f"provenance.id={reading_id}, event {event.seq}",
        )
    names = dict(
        conn.execute(
            "SELECT i.sha256, p.name FROM items i JOIN item_paths p ON p.rowid = i.first_path_id"
        ).fetchall()
    )
    for reading_id, (event, facts) in recorded.items():
        if reading_id not in rows:
            out.fail(
                "provenance",
                f"the provenance reading {reading_id} of "
                f"{names.get(event.subject) or event.subject[:12]} ({facts.get('state')}) "
                "recorded in "
                f"event {event.seq} was removed from the ledger",
                f"event {event.seq}",
            )
            bad += 1
    if rows and not bad:
        out.add("provenance", True, f"{len(rows)} provenance reading(s) match the chain")
