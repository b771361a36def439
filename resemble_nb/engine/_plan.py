"""A plan before any bill: what a review will do for each item, and what it will send.

:func:`classify` reads the ledger only; the review's pipeline acts on the same
decisions, so ``case.plan(...)`` (and ``resemble-nb detect --dry-run``) says exactly
what a review started now sends: how many items are done, how many are analysed,
through which endpoints, how many create requests, how many new detects.

>>> p = ReviewPlan(items=3, done=2, endpoints={"POST /detect/batch": 1}, new_detects=1)
>>> str(p)
'3 items: 2 done, 1 to send: 1 new detect; 1 request (POST /detect/batch 1)'
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..api import ADDABLE_ANALYSES, MAX_BATCH_BYTES, MAX_BATCH_FILES, DetectOptions
from ..ledger import Job, Ledger
from ..media import MediaItem, Route, plan_batches
from ._satisfy import Completed, Need, need_of

__all__ = ["Decision", "ReviewPlan", "classify", "job_key", "summarize"]

Kind = Literal["done", "follow", "reconcile", "add", "refresh", "new", "local"]


@dataclass
class Decision:
    """What the review does for one item (``need``: how its results answer the request)."""

    item: MediaItem
    kind: Kind
    route: Route | None
    damage: str | None = None
    need: Need | None = None
    by_need: bool = False
    """Decided by the item's completed results, not by a job for these very options."""


@dataclass(frozen=True)
class ReviewPlan:
    """What a review will do, before it sends anything.

    Attributes:
        items: Media items in the review.
        done: Answered already by completed results (nothing sent).
        follow: Sent by an earlier run; their results are fetched (nothing created).
        refresh: Completed, but an analysis was not returned yet: read again (no create).
        added: Items that get analyses added to their existing detect, by analysis.
        new_detects: Items that get a new detect.
        check: Items whose earlier create request may have reached the server: looked up
            first, sent again only if provably absent (counted in the requests).
        local: Damaged or unroutable items, settled without a request.
        endpoints: Create requests by endpoint (``"POST /detect/batch": 2``...).
    """

    items: int = 0
    done: int = 0
    follow: int = 0
    refresh: int = 0
    added: dict[str, int] = field(default_factory=dict)
    new_detects: int = 0
    check: int = 0
    local: int = 0
    endpoints: dict[str, int] = field(default_factory=dict)

    @property
    def to_send(self) -> int:
        """Items for which something will be created (a detect, or an added analysis)."""
        return self.new_detects + self.check + max(self.added.values(), default=0)

    @property
    def requests(self) -> int:
        """Create requests in all (uploads included): what may be billed or stored."""
        return sum(self.endpoints.values())

    def __str__(self) -> str:
        parts = [f"{self.done} done"]
        if self.follow:
            parts.append(f"{self.follow} to fetch")
        if self.refresh:
            parts.append(f"{self.refresh} to read again")
        if self.local:
            parts.append(f"{self.local} not sendable")
        sending = []
        if self.new_detects:
            sending.append(f"{self.new_detects} new detect{'s' if self.new_detects > 1 else ''}")
        for name, n in sorted(self.added.items()):
            sending.append(f"{name} added to {n} existing detect{'s' if n > 1 else ''}")
        if self.check:
            sending.append(f"{self.check} to check first")
        head = f"{self.items} item{'' if self.items == 1 else 's'}: " + ", ".join(parts)
        if not sending:
            return head + "; nothing to send"
        calls = ", ".join(f"{k} {v}" for k, v in sorted(self.endpoints.items()))
        n = self.requests
        return (
            f"{head}, {self.to_send} to send: {', '.join(sending)}; "
            f"{n} request{'' if n == 1 else 's'} ({calls})"
        )

    def __repr__(self) -> str:
        return f"ReviewPlan({self})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>"
            for k, v in sorted(self.endpoints.items())
        )
        table = f"<table><tr><th>endpoint</th><th>requests</th></tr>{rows}</table>" if rows else ""
        return f"<div class='rnb-plan'><p>{html.escape(str(self))}</p>{table}</div>"


def job_key(
    ledger: Ledger, options: DetectOptions, run_key: str, sha256: str, media: str | None
) -> str:
    """The options key of an item's job (see :meth:`Context.job_key`)."""
    key = options.key_for(media)
    if (
        key != run_key
        and ledger.job_for(sha256, key) is None
        and ledger.job_for(sha256, run_key) is not None
    ):
        return run_key
    return key


def _fresh(job: Job) -> bool:
    """A job the pipeline would send afresh (nothing of it may exist on the server)."""
    return (
        job.state in ("pending", "failed", "skipped", "cancelled")
        and job.detect_uuid is None
        and job.batch_uuid is None
        and job.attempts == 0
    )


def _by_need(need: Need) -> Kind:
    return {"done": "done", "add": "add", "refresh": "refresh"}.get(need.kind, "new")  # type: ignore[return-value]


def classify(
    ledger: Ledger,
    options: DetectOptions,
    items: Sequence[MediaItem],
    routes: Sequence[Route],
    damaged: Sequence[tuple[MediaItem, str]],
    *,
    force: bool,
) -> list[Decision]:
    """What the review does for each item (reads the ledger only)."""
    run_key = options.key
    completed = Completed.read(ledger)  # once for the plan, not a query per item
    out: list[Decision] = []
    for item, r in zip(items, routes, strict=True):
        key = job_key(ledger, options, run_key, item.sha256, item.media_type)
        job = ledger.job_for(item.sha256, key)
        local = r.strategy is None
        need = (
            None
            if force or local
            else need_of(ledger, item.sha256, item.media_type, options, completed)
        )
        kind: Kind
        if job is not None and job.state == "completed" and not force:
            kind = "refresh" if need is not None and need.kind == "refresh" else "done"
        elif job is not None and job.state == "failed" and job.detect_uuid and not force:
            kind = "done"
        elif job is not None and (
            job.state == "submitted"
            or (job.state == "cancelled" and (job.detect_uuid or job.batch_uuid))
            or (job.state == "submitting" and (job.detect_uuid or job.batch_uuid))
        ):
            kind = "follow"
        elif local and (job is None or job.state not in ("submitting", "submitted")):
            kind = "local"
        elif job is not None and job.attempts > 0 and job.detect_uuid is None:
            if need is not None and need.kind == "add" and job.state == "failed":
                # an analysis added to an existing detect, refused: no detect to look up
                out.append(Decision(item, "add", r, need=need, by_need=True))
                continue
            kind = "reconcile"
        elif need is not None and (job is None or _fresh(job)):
            kind = _by_need(need)
            out.append(Decision(item, kind, r, need=need, by_need=kind != "new"))
            continue
        else:
            kind = "new"
        out.append(Decision(item, kind, r, need=need))
    out.extend(Decision(item, "local", None, damage=why) for item, why in damaged)
    return out


def summarize(decisions: Sequence[Decision]) -> ReviewPlan:
    """Count what ``decisions`` send, endpoint by endpoint."""
    kinds = Counter(d.kind for d in decisions)
    calls: Counter[str] = Counter()
    added: Counter[str] = Counter()
    sending = [d for d in decisions if d.kind in ("new", "reconcile")]
    batched = [d.item for d in sending if d.route is not None and d.route.strategy == "batch"]
    if batched:
        groups = plan_batches(batched, max_files=MAX_BATCH_FILES, max_bytes=MAX_BATCH_BYTES)
        calls["POST /detect/batch"] += len(groups)
    singles = sum(1 for d in sending if d.route is not None and d.route.strategy == "single")
    if singles:
        calls["POST /secure_uploads"] += singles
        calls["POST /detect"] += singles
    for d in decisions:
        if d.kind == "add" and d.need is not None:
            calls["POST /secure_uploads"] += 1
            for name in sorted(d.need.missing):
                added[name] += 1
                endpoint = ADDABLE_ANALYSES[name]
                calls[endpoint] += 1
    return ReviewPlan(
        items=len(decisions),
        done=kinds["done"],
        follow=kinds["follow"],
        refresh=kinds["refresh"],
        added=dict(added),
        new_detects=kinds["new"],
        check=kinds["reconcile"],
        local=kinds["local"],
        endpoints=dict(calls),
    )
