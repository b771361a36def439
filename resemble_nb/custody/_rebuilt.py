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
    "SIGNING_REQUIRED",
    "close_history",
    "history_prefix",
]

CHECKPOINT = "checkpoint"
"""The event kind of every checkpoint (its facts: ``reason``, ``seq``, ``head``, ``reviewer``)."""

SIGNING_REQUIRED = "signing_required"
"""The event a migration leaves when an older case holds events it did not sign then."""

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


def _closing_end(ledger: Ledger) -> Event | None:
    """The last event a closing checkpoint must cover, or ``None`` if nothing needs it."""
    events = ledger.events()
    end = history_prefix(events)
    for marker in ledger.events(kind=SIGNING_REQUIRED):
        end = max(end, int(checkpoint_facts(marker).get("unsigned_before") or 1) - 1)
    return next((e for e in events if e.seq == end), None)


def close_history(ledger: Ledger, reviewer: Callable[[], str]) -> Event | None:
    """Close what an older release left unsigned with a signed checkpoint, once.

    That is a migrated ledger's reconstructed history and, in a case made before every
    label, threshold, exhibit and feedback was signed, those older events (the
    ``signing_required`` event names them). Returns the checkpoint written, or ``None``
    when there is nothing to close or it is closed already. The ledger's signer signs it
    in the same write.
    """
    first = ledger.events(limit=1)
    if not first:
        return None
    if not first[0].reconstructed and not ledger.events(kind=SIGNING_REQUIRED, limit=1):
        return None  # born with the chain and with signing: nothing to close
    for event in ledger.events(kind=CHECKPOINT):
        if checkpoint_facts(event).get("reason") == HISTORY_CLOSED:
            return None
    last = _closing_end(ledger)
    if last is None:
        return None
    return ledger.record_event(
        CHECKPOINT,
        {"reason": HISTORY_CLOSED, "seq": last.seq, "head": last.hash, "reviewer": reviewer()},
    )
