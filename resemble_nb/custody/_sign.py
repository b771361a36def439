"""Signing the chain: a reviewer's key over an event's hash.

Signing an event signs everything before it too, since its hash covers the chain. A
decision is signed by the reviewer who made it, inside the write that records it (see
:mod:`resemble_nb.ledger._signing`); a report or a bundle signs the chain head it was
made from and the event that records it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from resemble_nb.ledger import Event, Ledger, Signature
from resemble_nb.ledger._signing import ACTOR_FIELD, EventSigner, SignedBy

from ._errors import CustodyError
from ._keys import ReviewerKey, reviewer_key

__all__ = ["case_signer", "key_signer", "sign_event", "signing_message"]


def signing_message(event: Event) -> str:
    """What a signature over ``event`` covers: its position and hash."""
    if event.hash is None:
        raise CustodyError(f"event {event.seq} is not sealed yet and cannot be signed")
    return f"resemble_nb-event:{event.seq}:{event.hash}"


def sign_event(ledger: Ledger, event: Event, key: ReviewerKey | str) -> Signature:
    """Sign ``event`` with a reviewer's key (recording the public key in the case once)."""
    signer = reviewer_key(key) if isinstance(key, str) else key
    if signer.fingerprint not in ledger.signers():
        ledger.add_signer(signer.fingerprint, signer.reviewer, signer.public_key)
    return ledger.add_signature(event.seq, signer.fingerprint, signer.sign(signing_message(event)))


def _signed(key: ReviewerKey, event: Event) -> SignedBy:
    return SignedBy(key.fingerprint, key.reviewer, key.public_key, key.sign(signing_message(event)))


def key_signer(key: ReviewerKey) -> EventSigner:
    """Sign every event of a write with one key (a report's, a bundle's)."""
    return lambda event: _signed(key, event)


def case_signer(default_name: Callable[[], str], folder: Path | None = None) -> EventSigner:
    """Sign each event with the key of the person it names (a decision's reviewer, a
    label's importer...), else of ``default_name()``; keys are loaded once per name."""
    keys: dict[str, ReviewerKey] = {}

    def sign(event: Event) -> SignedBy:
        field = ACTOR_FIELD.get(event.kind)
        named = event.facts.get(field) if field else None
        name = str(named) if named else default_name()
        key = keys.get(name)
        if key is None:
            key = keys[name] = reviewer_key(name, folder)
        return _signed(key, event)

    return sign
