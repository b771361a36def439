"""Closing a migrated ledger's rebuilt history: one signed `checkpoint` event ``(seq, head)``.

One checkpoint is written once per migrated ledger: it closes the history rebuilt from the
older ledger (events marked ``reconstructed``, which nobody signed when they happened).
``verify`` accepts reconstructed events only as the prefix that checkpoint names; any
after it is a forgery. Other checkpoints (a process leaving the case, a witness) use the
same event with another ``reason``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from resemble_nb.ledger import Event, Ledger

__all__ = [
    "CHECKPOINT",
    "HISTORY_CLOSED",
    "UNSIGNED_BEFORE",
    "close_history",
    "history_prefix",
]

CHECKPOINT = "checkpoint"
"""The event kind of every checkpoint (its facts: ``reason``, ``seq``, ``head``, ``reviewer``)."""

UNSIGNED_BEFORE = "unsigned_before"
"""The case fact a migration leaves when an older case holds events it did not sign then
(the seq after the last of them); chained as a ``case_meta`` event."""

CLOSED_AT = "history_closed"
"""The case fact naming the closing checkpoint's seq, so opening a case need not search."""

HISTORY_CLOSED = "history_closed"
"""The reason of the checkpoint that closes a migrated ledger's reconstructed history."""


def history_prefix(events: list[Event]) -> int:
    """How many events at the chain's start are reconstructed (0 for a case born chained)."""
    count = 0
    for event in events:
        if not event.reconstructed:
            break
        count += 1
    return count


def checkpoint_facts(event: Event) -> dict[str, Any]:
    try:
        return event.facts
    except ValueError:
        return {}


def unsigned_before(events: list[Event]) -> int:
    """The seq after the last event an older release left unsigned (0: none), from the
    chained case fact the migration wrote."""
    found = 0
    for event in events:
        if event.kind == "case_meta":
            facts = checkpoint_facts(event)
            if facts.get("key") == UNSIGNED_BEFORE:
                found = int(str(facts.get("value") or 0))
    return found


def close_history(ledger: Ledger, reviewer: Callable[[], str]) -> Event | None:
    """Close what an older release left unsigned with a signed checkpoint, once.

    That is a migrated ledger's reconstructed history and, in a case made before every
    label, threshold, exhibit and feedback was signed, those older events (the case fact
    ``unsigned_before`` names where they end). Returns the checkpoint written, or
    ``None`` when there is nothing to close or it is closed already. The ledger's signer
    signs it in the same write. Cheap on every open: two case facts and one event read.
    """
    if ledger.get_meta(CLOSED_AT) is not None:
        return None
    first = ledger.events(limit=1)
    legacy = int(ledger.get_meta(UNSIGNED_BEFORE) or 0)
    if not first or (not first[0].reconstructed and not legacy):
        return None  # born with the chain and with signing: nothing to close
    for event in ledger.events(kind=CHECKPOINT):  # closed before its fact was kept
        if checkpoint_facts(event).get("reason") == HISTORY_CLOSED:
            ledger.set_meta(CLOSED_AT, str(event.seq))
            return None
    events = ledger.events()
    end = max(history_prefix(events), legacy - 1)
    last = next((e for e in events if e.seq == end), None)
    if last is None:
        return None
    closing = ledger.record_event(
        CHECKPOINT,
        {"reason": HISTORY_CLOSED, "seq": last.seq, "head": last.hash, "reviewer": reviewer()},
    )
    ledger.set_meta(CLOSED_AT, str(closing.seq))
    return closing
