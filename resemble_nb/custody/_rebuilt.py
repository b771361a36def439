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

__all__ = ["CHECKPOINT", "HISTORY_CLOSED", "close_history", "history_prefix"]

CHECKPOINT = "checkpoint"
"""The event kind of every checkpoint (its facts: ``reason``, ``seq``, ``head``, ``reviewer``)."""

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


def close_history(ledger: Ledger, reviewer: Callable[[], str]) -> Event | None:
    """Close a migrated ledger's reconstructed history with a signed checkpoint, once.

    Returns the checkpoint written, or ``None`` when there is nothing to close (a case born
    with the chain) or it is closed already. The ledger's signer signs it in the same write.
    """
    first = ledger.events(limit=1)
    if not first or not first[0].reconstructed:
        return None  # born with the chain: nothing was rebuilt (a later rebuilt event is forged)
    for event in ledger.events(kind=CHECKPOINT):
        if checkpoint_facts(event).get("reason") == HISTORY_CLOSED:
            return None
    events = ledger.events()
    last = events[history_prefix(events) - 1]
    return ledger.record_event(
        CHECKPOINT,
        {"reason": HISTORY_CLOSED, "seq": last.seq, "head": last.hash, "reviewer": reviewer()},
    )
