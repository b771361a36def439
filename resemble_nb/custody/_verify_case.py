"""Verifying a case: the chain, the signatures, the tables against the chain, the media.

Each area is checked by its own module; this one opens the ledger once and runs them all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ._read import item_names, open_read_only, read_events
from ._result import Verification
from ._verify_chain import check_chain, check_signatures
from ._verify_files import check_exhibits, check_media
from ._verify_provenance import check_provenance
from ._verify_signed import check_signed_events
from ._verify_tables import check_tables

__all__ = ["verify_case"]


def verify_case(
    ledger_path: Path, *, trust: Iterable[str] | None = None, media: bool = True
) -> Verification:
    """Check a case folder (or its ``case.db``) and return every finding."""
    out = Verification(str(ledger_path.parent))
    try:
        conn = open_read_only(ledger_path)
        events = read_events(conn)
    except sqlite3.DatabaseError as exc:
        out.fail(
            "ledger",
            f"{ledger_path} cannot be read as a case ledger with a custody chain ({exc})",
            str(ledger_path),
        )
        return out
    try:
        trusted = None if trust is None else set(trust)
        name = item_names(conn)
        check_chain(events, out)
        valid = check_signatures(conn, events, out, trusted)
        check_signed_events(events, valid, out, name, trusted)
        check_tables(conn, events, out, name)
        check_provenance(conn, events, out)
        check_exhibits(conn, ledger_path.parent, out, events)
        if media:
            check_media(conn, ledger_path.parent, out)
    finally:
        conn.close()
    return out
