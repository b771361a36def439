"""Team review as plain data: who was dealt which item, and where each item stands.

Everything is read back from the chain: the signed ``reviewers_assigned`` events (the
deal) and the decisions log (every verdict, by whom). Nothing is kept beside them, so any
store that holds the chain holds the team's state, and ``verify`` covers it.

An item dealt to reviewers S is ``pending`` until each of S has a verdict, ``settled``
when their latest verdicts agree, ``disputed`` when they differ, and ``adjudicated`` when
someone outside S has decided it since it was disputed (the adjudicator's latest verdict
is then final). A reviewer's verdict is her latest decision about the item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..ledger import Decision, Event
from ..ledger._signing import ASSIGNED

__all__ = [
    "ASSIGNED",
    "STATUSES",
    "Team",
    "TeamItem",
    "deal",
    "team_from",
    "team_item",
]

STATUSES = ("pending", "settled", "disputed", "adjudicated")


@dataclass
class TeamItem:
    """One dealt item: its reviewers, their verdicts and where it stands."""

    sha256: str
    reviewers: tuple[str, ...]
    verdicts: dict[str, Decision] = field(default_factory=dict)
    adjudication: Decision | None = None

    @property
    def status(self) -> str:
        if len(self.verdicts) < len(self.reviewers):
            return "pending"
        if len({d.verdict for d in self.verdicts.values()}) == 1:
            return "settled"
        return "adjudicated" if self.adjudication is not None else "disputed"

    @property
    def final(self) -> str | None:
        """The settled or adjudicated verdict (``None`` while pending or disputed)."""
        status = self.status
        if status == "settled":
            return next(iter(self.verdicts.values())).verdict
        if status == "adjudicated" and self.adjudication is not None:
            return self.adjudication.verdict
        return None


@dataclass
class Team:
    """The case's deal (every assignment event, merged) and the items' standing."""

    items: dict[str, TeamItem]
    reviewers: tuple[str, ...]
    overlap: int
    blind: bool
    hide_scores: bool

    def queue(self, reviewer: str) -> list[str]:
        """The items dealt to ``reviewer``, in the order they were dealt."""
        return [sha for sha, item in self.items.items() if reviewer in item.reviewers]

    def adjudication_queue(self, reviewer: str) -> list[str]:
        """Disputed (and adjudicated) items ``reviewer`` may adjudicate: never her own."""
        return [
            sha
            for sha, item in self.items.items()
            if item.status in ("disputed", "adjudicated") and reviewer not in item.reviewers
        ]


def team_from(events: Iterable[Event], decisions: Sequence[Decision]) -> Team | None:
    """The team's state from the assignment events and the decisions log (oldest first);
    ``None`` when nothing was ever dealt."""
    items: dict[str, TeamItem] = {}
    settings: dict[str, Any] = {}
    names: dict[str, None] = {}
    for event in events:
        facts = event.facts
        settings = facts
        for name in facts.get("reviewers", []):
            names[str(name)] = None
        for sha, dealt in facts.get("deal", {}).items():
            items.setdefault(sha, TeamItem(sha, tuple(str(n) for n in dealt)))
    if not settings:
        return None
    for decision in decisions:  # oldest first: the latest of each person counts
        item = items.get(decision.sha256)
        if item is not None:
            _apply(item, decision)
    return Team(
        items,
        tuple(names),
        int(settings.get("overlap", 2)),
        bool(settings.get("blind", True)),
        bool(settings.get("hide_scores", False)),
    )


def _apply(item: TeamItem, decision: Decision) -> None:
    """One more decision about ``item`` (decisions come oldest first)."""
    if decision.reviewer in item.reviewers:
        item.verdicts[decision.reviewer] = decision
        if item.status != "adjudicated":
            item.adjudication = None
    elif item.status in ("disputed", "adjudicated"):
        item.adjudication = decision


def team_item(
    events: Iterable[Event], sha256: str, decisions: Sequence[Decision]
) -> TeamItem | None:
    """One item's standing from the deal and that item's decisions (oldest first): what a
    verdict needs, without reading every other item's decisions."""
    for event in events:
        dealt = event.facts.get("deal", {}).get(sha256)
        if dealt is not None:
            item = TeamItem(sha256, tuple(str(n) for n in dealt))
            for decision in decisions:
                _apply(item, decision)
            return item
    return None


def deal(
    shas: Sequence[str], reviewers: Sequence[str], overlap: int, load: dict[str, int]
) -> dict[str, list[str]]:
    """Deal each item to ``overlap`` different reviewers, the least loaded first (ties
    broken by a hash of the item and the name, so pairs vary and the deal is repeatable)."""
    counts = {name: load.get(name, 0) for name in reviewers}
    out: dict[str, list[str]] = {}
    for sha in shas:

        def rank(name: str, sha: str = sha) -> tuple[int, str]:
            return counts[name], hashlib.sha256(f"{sha}:{name}".encode()).hexdigest()

        chosen = sorted(reviewers, key=rank)[:overlap]
        for name in chosen:
            counts[name] += 1
        out[sha] = chosen
    return out
