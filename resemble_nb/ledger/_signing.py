"""Signed writes: the events a person answers for are signed before their write commits.

A write that appends a decision, a label, a threshold, an exhibit, feedback, a report, a
bundle or a checkpoint event calls the ledger's :data:`EventSigner` (set by the custody
layer) for each such event, after it is sealed and before the transaction commits. When
signing fails the whole write is rolled back: the case never holds an unsigned decision.

Nothing here knows about keys; the signer is a callable handed in from above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._events import Event, row_event
from ._store import Connection

__all__ = [
    "ACTOR_FIELD",
    "ASSIGNED",
    "LEGACY_UNSIGNED",
    "SIGNED_KINDS",
    "EventSigner",
    "SignedBy",
    "last_seq",
    "sign_new",
]

ASSIGNED = "reviewers_assigned"
"""The event that deals a case's items to its team of reviewers (``Case.assign``)."""

SIGNED_KINDS: frozenset[str] = frozenset(
    {
        "decision",
        "truth_label",
        "threshold_chosen",
        "exhibit_made",
        "feedback_sent",
        "report_written",
        "bundle_written",
        "checkpoint",
        "case_renamed",
        ASSIGNED,
    }
)
"""Events that must carry a signature once the chain has begun (``verify`` checks)."""

LEGACY_UNSIGNED: tuple[str, ...] = (
    "truth_label",
    "threshold_chosen",
    "exhibit_made",
    "feedback_sent",
)
"""Kinds older releases recorded unsigned (decisions, reports, bundles and renames were
always signed): a case's first signed checkpoint vouches for those it already holds."""

ACTOR_FIELD: dict[str, str] = {
    "decision": "reviewer",
    "truth_label": "imported_by",
    "threshold_chosen": "chosen_by",
    "feedback_sent": "reviewer",  # whose verdict it sends
    "report_written": "reviewer",
    "bundle_written": "reviewer",
    "checkpoint": "reviewer",
    "case_renamed": "reviewer",
    ASSIGNED: "assigned_by",
}
"""The fact naming who an event is by: its signer must be registered under that name."""


@dataclass(frozen=True)
class SignedBy:
    """A signature over one event, with the public key and name that made it."""

    fingerprint: str
    reviewer: str
    public_key: str
    signature: str


EventSigner = Callable[[Event], SignedBy]
"""Signs one sealed event (raises when it cannot: then nothing is written)."""

_COLUMNS = "seq, kind, subject, at, payload, reconstructed, prev, hash"


def last_seq(conn: Connection) -> int:
    """The newest event's seq (0 before the first)."""
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])


def sign_new(
    conn: Connection,
    after: int,
    signer: EventSigner,
    signed_at: str,
    seal: Callable[[Connection], int],
) -> int:
    """Sign every sealed event after ``after`` that must be signed; return how many."""
    kinds = ", ".join(f"'{kind}'" for kind in sorted(SIGNED_KINDS))
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM events WHERE seq > ? AND kind IN ({kinds}) "
        "AND reconstructed = 0 ORDER BY seq",
        (after,),
    ).fetchall()
    for row in rows:
        signed = signer(row_event(row))
        conn.execute(
            "INSERT INTO signers (fingerprint, reviewer, public_key, added_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING",
            (signed.fingerprint, signed.reviewer, signed.public_key, signed_at),
        )
        conn.execute(
            "INSERT INTO signatures (seq, fingerprint, signature, signed_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(seq, fingerprint) DO NOTHING",
            (int(row[0]), signed.fingerprint, signed.signature, signed_at),
        )
    if rows:
        seal(conn)  # a new signer's own event joins the chain
    return len(rows)
