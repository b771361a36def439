"""Verifying the chain itself and the signatures over it (which events must be signed, and
by whom, is :mod:`._verify_signed`)."""

from __future__ import annotations

import sqlite3

from resemble_nb.ledger import GENESIS, Event, event_hash

from ._keyfiles import normal_name
from ._keys import fingerprint, short, verify_signature
from ._result import Verification
from ._sign import signing_message

__all__ = ["check_chain", "check_signatures"]


def check_chain(events: list[Event], out: Verification) -> bool:
    """Every event follows the one before and still has the hash it was sealed with."""
    problems = 0
    prev = GENESIS
    expected_seq = events[0].seq if events else 1
    for event in events:
        where = f"event {event.seq} ({event.kind})"
        if event.seq != expected_seq:
            out.fail("chain", f"events {expected_seq}..{event.seq - 1} are missing", where)
            problems += 1
        expected_seq = event.seq + 1
        if event.hash is None:
            out.fail("chain", "was written outside resemble_nb: it was never sealed", where)
            problems += 1
            continue
        if event.prev != prev:
            out.fail(
                "chain",
                "does not follow the event before it (removed, moved or inserted events)",
                where,
            )
            problems += 1
        recomputed = event_hash(
            event.seq,
            event.prev or "",
            event.kind,
            event.subject,
            event.at,
            event.payload,
            event.reconstructed,
        )
        if recomputed != event.hash:
            out.fail(
                "chain", "was changed after it was recorded (its hash no longer matches)", where
            )
            problems += 1
        prev = event.hash
    if not events:
        out.fail("chain", "the case has no custody events")
        return False
    if not problems:
        head = events[-1]
        rebuilt = sum(e.reconstructed for e in events)
        note = f"; {rebuilt} reconstructed from an older ledger" if rebuilt else ""
        out.add(
            "chain",
            True,
            f"{len(events)} events, each follows the one before{note}; head {head.seq} {head.hash}",
        )
    return problems == 0


def check_signatures(
    conn: sqlite3.Connection, events: list[Event], out: Verification, trust: set[str] | None
) -> dict[int, set[str]]:
    """Every signature is valid, by a registered (and, with ``trust``, trusted) key.

    Returns, per event, the registered names of the keys whose signature on it holds.
    """
    by_seq = {e.seq: e for e in events}
    signers = {
        r["fingerprint"]: (r["reviewer"], r["public_key"])
        for r in conn.execute("SELECT fingerprint, reviewer, public_key FROM signers")
    }
    out.signers = [(who, fp) for fp, (who, _key) in signers.items()]
    for fp, (who, key) in signers.items():
        if fingerprint(key) != fp:
            out.fail(
                "signers",
                f"the public key recorded for {who} does not have the "
                f"fingerprint it is filed under",
                f"signers.fingerprint={short(fp)}",
            )
    valid: dict[int, set[str]] = {}
    good = 0
    for row in conn.execute("SELECT seq, fingerprint, signature FROM signatures ORDER BY seq"):
        seq, fp = int(row["seq"]), str(row["fingerprint"])
        where = f"event {seq}"
        if fp not in signers:
            out.fail(
                "signatures",
                f"signed by an unknown key {short(fp)} (not a signer of this case)",
                where,
            )
            continue
        who, key = signers[fp]
        if trust is not None and not any(fp.startswith(t) for t in trust):
            out.fail(
                "signatures",
                f"signed by {who} ({short(fp)}), a key you did not say you trust (--trust)",
                where,
            )
            continue
        event = by_seq.get(seq)
        if event is None or event.hash is None:
            out.fail(
                "signatures", f"{who}'s signature is over an event that is not in the chain", where
            )
            continue
        if fingerprint(key) != fp or not verify_signature(
            key, signing_message(event), str(row["signature"])
        ):
            out.fail(
                "signatures",
                f"{who}'s signature does not match the event it is on "
                "(the chain before it changed, or the signature was forged or moved)",
                where,
            )
            continue
        good += 1
        valid.setdefault(seq, set()).add(normal_name(str(who)))
    last = max(valid, default=0)
    after = sum(1 for e in events if e.seq > last)
    trusted = " you trust" if trust is not None else ""
    out.add(
        "signatures",
        True,
        f"{good} valid signature(s){trusted} by {len(signers)} signer(s); "
        f"{after} event(s) after the last signature are covered by the chain only",
    )
    if trust is not None and not good:
        out.fail(
            "signatures",
            "no event is signed by a key you trust: with --trust, a case no trusted key "
            "signed never holds",
        )
    return valid
