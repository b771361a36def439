"""Sending reviewer verdicts back to Resemble as detect feedback (opt-in).

A verdict maps onto a feedback type by comparing it with the detect's own label:

==================  ===============================  ==========================
reviewer verdict    detect label                     feedback type
==================  ===============================  ==========================
confirmed_fake      fake, likely_fake                ``correct``
confirmed_fake      real, likely_real, uncertain     ``should_be_ai_generated``
confirmed_real      real, likely_real                ``correct``
confirmed_real      fake, likely_fake, uncertain     ``should_be_authentic``
needs_escalation,   any                              nothing (no feedback says it)
inconclusive
==================  ===============================  ==========================

A verdict that changes to one with no feedback type after feedback was sent is a
change too: with ``update=True`` the earlier feedback is withdrawn (``DELETE``).

Each decision is sent at most once; what was sent, when, and for which decision is
appended to the ledger. A verdict that changed after its feedback was sent is not sent
silently: it is reported as ``changed`` and only sent with ``update=True``. Reviewer
notes stay in the case (they are not sent unless a ``comment`` is given).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..api import ResembleError

if TYPE_CHECKING:
    from ..api import Client
    from ..ledger import Decision, Ledger

__all__ = ["FeedbackOutcome", "feedback_type", "send_feedback"]

WITHDRAWN = "withdrawn"
"""Recorded as the type when feedback was deleted because the verdict no longer maps."""
_FAKE = {"fake", "likely_fake"}
_REAL = {"real", "likely_real"}


def feedback_type(verdict: str, label: str | None) -> str | None:
    """The feedback type a verdict maps to, given the detect's label (``None``: none).

    >>> feedback_type("confirmed_fake", "likely_real")
    'should_be_ai_generated'
    >>> feedback_type("confirmed_real", "real"), feedback_type("inconclusive", "fake")
    ('correct', None)
    """
    if label is None:
        return None
    if verdict == "confirmed_fake":
        return "correct" if label in _FAKE else "should_be_ai_generated"
    if verdict == "confirmed_real":
        return "correct" if label in _REAL else "should_be_authentic"
    return None


@dataclass(frozen=True)
class FeedbackOutcome:
    """What happened to one item's verdict.

    ``outcome`` is ``sent``, ``updated`` (a changed verdict, sent with ``update=True``),
    ``already_sent``, ``changed`` (the verdict changed since it was sent; not sent),
    ``not_mapped`` (no feedback type says it), ``no_result`` or ``failed``.
    """

    sha256: str
    name: str
    verdict: str
    label: str | None
    type: str | None
    outcome: str
    detail: str


def send_feedback(
    ledger: Ledger,
    client: Client,
    *,
    items: set[str] | None = None,
    update: bool = False,
    comment: str | None = None,
    dry_run: bool = False,
) -> list[FeedbackOutcome]:
    """Send every current verdict that maps onto a feedback type, once.

    Args:
        items: Only these sha256s (default: every decided item).
        update: Also send verdicts that changed since their feedback was sent.
        comment: Sent with every feedback (reviewer notes are never sent).
        dry_run: Say what would be sent, send and record nothing.
    """
    names = ledger.item_names()
    rows = ledger.results_rows()
    at = {name: i for i, name in enumerate(rows.columns)}
    latest = {row[at["sha256"]]: row for row in rows.rows}
    outcomes: list[FeedbackOutcome] = []
    for sha, decision in ledger.current_verdicts().items():
        if items is not None and sha not in items:
            continue
        row = latest.get(sha)
        label = row[at["label"]] if row is not None else None
        detect = row[at["detect_uuid"]] if row is not None else None
        completed = row is not None and row[at["status"]] == "completed"
        outcomes.append(
            _one(ledger, client, decision, names.get(sha, sha[:12]), label,
                 detect if completed else None, update, comment, dry_run)
        )  # fmt: skip
    return outcomes


def _one(
    ledger: Ledger,
    client: Client,
    decision: Decision,
    name: str,
    label: str | None,
    detect_uuid: str | None,
    update: bool,
    comment: str | None,
    dry_run: bool,
) -> FeedbackOutcome:
    def result(kind: str | None, outcome: str, detail: str) -> FeedbackOutcome:
        return FeedbackOutcome(
            decision.sha256, name, decision.verdict, label, kind, outcome, detail
        )

    if detect_uuid is None:
        return result(None, "no_result", "no completed detect to give feedback on")
    kind = feedback_type(decision.verdict, label)
    sent = [
        e
        for e in ledger.feedback_log(decision.sha256)
        if e.outcome == "sent" and e.detect_uuid == detect_uuid
    ]
    last = sent[-1] if sent else None
    if last is not None and last.type == WITHDRAWN:
        last = None if kind is not None else last
    if kind is None and (last is None or last.type == WITHDRAWN):
        return result(None, "not_mapped", f"no feedback type says {decision.verdict!r}")
    if last is not None and (last.decision_id == decision.id or last.type == kind):
        when = last.sent_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return result(kind, "already_sent", f"{last.type} sent {when}")
    outcome = "sent"
    if last is not None:
        now_says = kind or "no feedback type (it would be withdrawn)"
        change = (
            f"verdict changed from {last.verdict} ({last.type} sent) to {decision.verdict}, "
            f"which maps to {now_says}"
        )
        if not update:
            return result(kind, "changed", f"{change}; not sent (use update=True to send it)")
        outcome = "updated"
    if dry_run:
        return result(kind, "would_send" if outcome == "sent" else "would_update", "dry run")
    try:
        if kind is None:
            client.delete_feedback(detect_uuid)
        else:
            client.send_feedback(detect_uuid, kind, comment=comment)
    except ResembleError as exc:
        ledger.record_feedback(
            decision.sha256, detect_uuid, decision.id, decision.verdict, kind or WITHDRAWN,
            comment=comment, outcome="failed", error=str(exc),
        )  # fmt: skip
        return result(kind, "failed", str(exc))
    ledger.record_feedback(
        decision.sha256, detect_uuid, decision.id, decision.verdict, kind or WITHDRAWN,
        comment=comment,
    )  # fmt: skip
    if last is None:
        return result(kind, outcome, "sent")
    done = f"{kind} sent" if kind else "earlier feedback withdrawn"
    return result(kind, outcome, f"{done}: verdict changed from {last.verdict}")
