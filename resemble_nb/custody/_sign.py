"""Signing the chain: a reviewer's key over an event's hash.

Signing an event signs everything before it too, since its hash covers the chain. A
decision is signed by the reviewer who made it; a report or a bundle signs the chain head
it was made from.
"""

from __future__ import annotations

from resemble_nb.ledger import Event, Ledger, Signature

from ._errors import CustodyError
from ._keys import ReviewerKey, reviewer_key

__all__ = ["sign_event", "signing_message"]


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
