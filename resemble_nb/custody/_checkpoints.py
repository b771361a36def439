"""A checkpoint: a case's position ``(case, seq, head)`` signed by a reviewer's key.

Made after each signed write (kept in the witness log, see :mod:`._witness`) and carried
by every report and bundle. A case is named by its first event's hash.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from resemble_nb.ledger import canonical

from ._keys import ReviewerKey, fingerprint, verify_signature
from ._read import open_read_only

__all__ = [
    "CHECKPOINT_FORMAT",
    "case_identity",
    "checkpoint_of",
    "ledger_identity",
    "make_checkpoint",
    "valid",
]

CHECKPOINT_FORMAT = "resemble_nb-checkpoint/1"


def case_identity(conn: sqlite3.Connection) -> str | None:
    """What names a case: its first event's hash (``None`` for a ledger without a chain)."""
    try:
        row = conn.execute("SELECT hash FROM events WHERE seq = 1").fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None or row[0] is None else str(row[0])


def ledger_identity(ledger_path: Path) -> str | None:
    """A ledger file's case identity, read on its own connection (read-only)."""
    try:
        conn = open_read_only(ledger_path)
    except sqlite3.DatabaseError:
        return None
    try:
        return case_identity(conn)
    finally:
        conn.close()


def _unsigned(checkpoint: dict[str, Any]) -> str:
    return canonical({k: v for k, v in checkpoint.items() if k != "signature"})


def make_checkpoint(case: str, seq: int, head: str, key: ReviewerKey) -> dict[str, Any]:
    """A checkpoint of ``case`` at ``(seq, head)``, signed by ``key``."""
    checkpoint: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "case": case,
        "seq": int(seq),
        "head": head,
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "signer": {
            "reviewer": key.reviewer,
            "fingerprint": key.fingerprint,
            "public_key": key.public_key,
        },
    }
    checkpoint["signature"] = key.sign(_unsigned(checkpoint))
    return checkpoint


def valid(checkpoint: dict[str, Any]) -> bool:
    signer = checkpoint.get("signer") or {}
    key = str(signer.get("public_key", ""))
    try:
        named = fingerprint(key) == signer.get("fingerprint")
    except ValueError:
        return False
    return named and verify_signature(key, _unsigned(checkpoint), str(checkpoint.get("signature")))


def checkpoint_of(ledger_path: Path, head: dict[str, Any], key: ReviewerKey) -> dict[str, Any]:
    """``{"checkpoint": ...}``: the head a report or bundle was made from, signed, so a case
    later found behind it or diverging from it is named (see :mod:`._witness`)."""
    case = ledger_identity(ledger_path)
    if case is None or not head.get("hash"):
        return {}
    return {"checkpoint": make_checkpoint(case, int(head["seq"]), str(head["hash"]), key)}
