"""Nothing unsigned after the chain began, and every name bound to the key that signed.

Events a person answers for (decisions, labels, thresholds, exhibits, feedback, reports,
bundles, checkpoints; see :data:`resemble_nb.ledger._signing.SIGNED_KINDS`) must carry a
valid signature (by a trusted key, with ``--trust``), made by a key registered under the
name the event gives. ``reconstructed`` is accepted only for a migrated ledger's rebuilt
prefix, and only when a signed ``history_closed`` checkpoint names exactly that prefix.
"""

from __future__ import annotations

from typing import Any

from resemble_nb.ledger import Event
from resemble_nb.ledger._signing import ACTOR_FIELD, LEGACY_UNSIGNED, SIGNED_KINDS

from ._keyfiles import normal_name
from ._read import facts_of
from ._rebuilt import CHECKPOINT, HISTORY_CLOSED, history_prefix, unsigned_before
from ._result import Verification

__all__ = ["check_signed_events"]

_IDS = {
    "decision": "decision_id",
    "truth_label": "label_id",
    "threshold_chosen": "threshold_id",
    "exhibit_made": "exhibit_id",
    "feedback_sent": "feedback_id",
}


def describe(event: Event, facts: dict[str, Any], name: Any) -> str:
    """An event as a reader names it: ``decision 4 (confirmed_fake about a.wav, by ana)``."""
    if event.kind == "case_renamed":
        return f"the case's rename to {facts.get('to')!r} (by {facts.get('reviewer')})"
    kind = event.kind.replace("_", " ")
    ident = facts.get(_IDS.get(event.kind, ""), "")
    what = f"{kind} {ident}".strip()
    bits = [str(facts[k]) for k in ("verdict", "truth", "threshold", "reason") if k in facts]
    about = f" about {name(event.subject)}" if event.subject else ""
    field = ACTOR_FIELD.get(event.kind)
    by = f", by {facts.get(field)}" if field and facts.get(field) else ""
    inner = f"{' '.join(bits)}{about}{by}".strip(", ")
    return f"{what} ({inner})" if inner else what


def _check_history(
    events: list[Event], prefix: int, valid: dict[int, set[str]], out: Verification
) -> tuple[int, int]:
    """``(bad, closed)``: problems found, and the seq up to which a signed checkpoint
    vouches for what an older release left unsigned (0 when none does)."""
    legacy = max(unsigned_before(events) - 1, 0)
    if not prefix and not legacy:
        return 0, 0
    by_seq = {e.seq: e for e in events}
    what = (
        f"events 1..{prefix} rebuilt from an older ledger" if prefix else ""
    ) + (" and " if prefix and legacy else "") + (
        f"labels, thresholds, exhibits and feedback up to event {legacy} recorded unsigned "
        "by an older release" if legacy else ""
    )  # fmt: skip
    for event in events[prefix:]:
        facts = facts_of(event)
        if event.kind != CHECKPOINT or facts.get("reason") != HISTORY_CLOSED:
            continue
        named = by_seq.get(facts.get("seq"))  # type: ignore[arg-type]
        if named is None or facts.get("head") != named.hash or named.seq < max(prefix, legacy):
            out.fail(
                "history",
                f"the checkpoint closing {what} names event {facts.get('seq')} "
                f"({str(facts.get('head'))[:16]}…), which is not where they end",
                f"event {event.seq}",
            )
            return 1, 0
        if event.seq not in valid:
            return 0, 0  # named below as an unsigned checkpoint
        out.add("history", True, f"{what}: closed by the signed checkpoint at event {event.seq}")
        return 0, named.seq
    out.fail(
        "history",
        f"{what}, but no signed checkpoint closes them (resemble_nb writes one when it first "
        "opens such a case): they cannot be told from a forgery",
        f"events 1..{max(prefix, legacy)}",
    )
    return 1, 0


def check_signed_events(
    events: list[Event],
    valid: dict[int, set[str]],
    out: Verification,
    name: Any,
    trust: set[str] | None,
) -> None:
    """Each event a person answers for is signed, by the key of the person it names."""
    prefix = history_prefix(events)
    bad, closed = _check_history(events, prefix, valid, out)
    vouched = 0
    by_key = "a key you trust" if trust is not None else "its key"
    for event in events[prefix:]:
        facts = facts_of(event)
        where = f"event {event.seq}"
        if event.reconstructed:
            out.fail(
                "history",
                f"{describe(event, facts, name)} is marked reconstructed but comes after the "
                "chain began; only an older ledger's history, closed at migration, can be",
                where,
            )
            bad += 1
        if event.kind not in SIGNED_KINDS:
            continue
        names = valid.get(event.seq)
        if not names and event.seq <= closed and event.kind in LEGACY_UNSIGNED:
            vouched += 1  # an older release's, vouched for by the closing checkpoint
            continue
        if not names:
            out.fail("signed", f"{describe(event, facts, name)} is not signed by {by_key}", where)
            bad += 1
            continue
        field = ACTOR_FIELD.get(event.kind)
        actor = facts.get(field) if field else None
        if actor and normal_name(str(actor)) not in names:
            out.fail(
                "signed",
                f"{describe(event, facts, name)} names {actor!r}, but is signed by the key "
                f"registered to {', '.join(sorted(map(repr, names)))}",
                where,
            )
            bad += 1
    if not bad:
        count = sum(1 for e in events[prefix:] if e.kind in SIGNED_KINDS) - vouched
        older = (
            f"; {vouched} older unsigned one(s) vouched for by the checkpoint" if vouched else ""
        )
        out.add(
            "signed", True, f"{count} event(s) a person answers for, each signed by them{older}"
        )
