"""Team review: deal items to registered reviewers, blind queues, adjudication, agreement.

>>> case.add_reviewer("ana"); case.add_reviewer("ben"); case.add_reviewer("carol")  # doctest: +SKIP
>>> case.assign(reviewers=["ana", "ben"], overlap=2, blind=True)  # doctest: +SKIP
>>> case.triage(reviewer="ana")                  # ana's queue only  # doctest: +SKIP
>>> case.triage(adjudicate=True, reviewer="carol")  # disputes, never carol's own  # doctest: +SKIP
>>> case.agreement(by="media_type").table        # doctest: +SKIP

The deal is a chained event signed by whoever dealt (``reviewers_assigned``); every
verdict is an ordinary signed decision, so the chain keeps them all and ``verify`` checks
them. State is derived from the chain (:mod:`._team_state`), on any store.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .._core.errors import ResembleError
from ..ledger import VERDICTS
from ._base import CaseBase
from ._team_state import ASSIGNED, Team, deal, team_from, team_item

if TYPE_CHECKING:
    import pandas as pd

    from ..evaluation import Agreement

__all__ = ["TeamError", "TeamVerbs", "TeamView"]

_HIDDEN_WHEN_BLIND = ("verdict", "note", "reviewer", "decided_at")


class TeamError(ResembleError, ValueError):
    """A team request that cannot be met; the message says why."""


class TeamView:
    """What one reviewer may see of the case: her queue, her own verdicts only (blind),
    scores hidden if the deal says so. The triage board is built over it."""

    def __init__(self, case: TeamVerbs, reviewer: str, *, adjudicate: bool = False) -> None:
        self._case = case
        self.reviewer = reviewer
        self.adjudicate = adjudicate
        self.folder = case.folder

    def results(self) -> pd.DataFrame:
        return self._case.queue(self.reviewer, adjudicate=self.adjudicate)

    def segments(self) -> pd.DataFrame:
        team = self._case.team()
        frame = self._case.segments()
        if team is not None and team.hide_scores and "score" in frame:
            frame = frame.assign(score=None)
        return frame

    def decide(self, item: str, verdict: str, note: str = "", reviewer: str | None = None) -> Any:
        if reviewer not in (None, self.reviewer):
            raise TeamError(f"this board decides as {self.reviewer!r}, not {reviewer!r}")
        return self._case.team_decide(item, verdict, note, self.reviewer, self.adjudicate)


class TeamVerbs(CaseBase):
    """``add_reviewer``, ``assign``, ``queue``, ``team``, ``agreement``: team review."""

    if TYPE_CHECKING:

        def results(self) -> pd.DataFrame: ...
        def segments(self) -> pd.DataFrame: ...
        def decide(
            self,
            item: str | os.PathLike[str],
            verdict: Any,
            note: str = "",
            reviewer: str | None = None,
        ) -> Any: ...

    def add_reviewer(self, name: str) -> str:
        """Register ``name`` with the case: this computer's key for that person (made once)
        goes into the case's signers. Returns the key's fingerprint."""
        from ..custody import reviewer_key

        key = reviewer_key(name)
        if key.fingerprint not in self.ledger.signers():
            self.ledger.add_signer(key.fingerprint, key.reviewer, key.public_key)
        return key.fingerprint

    def reviewers(self) -> list[str]:
        """The names registered with the case (each with a public key)."""
        return sorted({s.reviewer for s in self.ledger.signers().values()})

    def team(self) -> Team | None:
        """The deal and every dealt item's standing (``None`` before any ``assign``)."""
        return team_from(self.ledger.events(kind=ASSIGNED), self.ledger.decisions())

    def assign(
        self,
        reviewers: list[str],
        *,
        overlap: int = 2,
        blind: bool = True,
        hide_scores: bool = False,
        items: list[str] | None = None,
        assigned_by: str | None = None,
    ) -> dict[str, list[str]]:
        """Deal items to ``overlap`` different reviewers each: a signed, chained event.

        Items already dealt are never dealt again (so no item ever has more reviewers
        than the overlap). ``items`` defaults to every item of the case. Returns the new
        deal, item sha256 -> reviewers.

        Raises:
            TeamError: A reviewer is not registered, or the overlap is not 1..reviewers.
        """
        names = list(dict.fromkeys(str(n).strip() for n in reviewers))
        unknown = [n for n in names if n not in self.reviewers()]
        if unknown:
            raise TeamError(
                f"not registered with case {self.name!r}: {', '.join(unknown)}; register "
                "each with case.add_reviewer('name') first"
            )
        if not 1 <= overlap <= len(names):
            raise TeamError(f"overlap must be 1..{len(names)} (the reviewers), not {overlap}")
        team = self.team()
        dealt = set(team.items) if team else set()
        wanted = [self.item_key(i) for i in items] if items is not None else None
        shas = [s for s in (wanted or [i.sha256 for i in self.ledger.items()]) if s not in dealt]
        load: dict[str, int] = {}
        if team:
            for item in team.items.values():
                for name in item.reviewers:
                    load[name] = load.get(name, 0) + 1
        new = deal(shas, names, overlap, load)
        facts = {
            "assigned_by": self.ledger.actor(assigned_by),
            "reviewers": names,
            "overlap": overlap,
            "blind": blind,
            "hide_scores": hide_scores,
            "deal": new,
        }
        self.ledger.record_event(ASSIGNED, facts)
        return new

    def _team_or_raise(self) -> Team:
        team = self.team()
        if team is None:
            raise TeamError(f"case {self.name!r} has no team review: deal items with assign()")
        return team

    def queue(self, reviewer: str, *, adjudicate: bool = False) -> pd.DataFrame:
        """``reviewer``'s queue as rows of ``case.results()``: the items dealt to her (or,
        with ``adjudicate``, the disputes she may settle, never her own). In blind mode
        the verdict, note and reviewer columns are hers only; with ``hide_scores`` the
        detector's scores and labels are blank."""
        import pandas as pd

        team = self._team_or_raise()
        shas = team.adjudication_queue(reviewer) if adjudicate else team.queue(reviewer)
        every = self.results()
        frame: pd.DataFrame = every[every["sha256"].isin(shas)].reset_index(drop=True)
        own = {}
        for sha in shas:
            item = team.items[sha]
            mine = item.adjudication if adjudicate else item.verdicts.get(reviewer)
            if mine is not None and mine.reviewer == reviewer:
                own[sha] = mine
        if team.blind or adjudicate:
            rows = frame["sha256"].astype("string")
            for column in _HIDDEN_WHEN_BLIND:
                if column not in frame:
                    continue
                values = [
                    getattr(own[s], column, None) if s in own else None for s in rows.tolist()
                ]
                frame[column] = pd.Series(values, dtype=frame[column].dtype)
        if adjudicate:  # the adjudicator sees the pair's verdicts: that is the dispute
            frame["team_verdicts"] = [
                ", ".join(f"{n}: {d.verdict}" for n, d in team.items[s].verdicts.items())
                for s in frame["sha256"].astype("string")
            ]
        if team.hide_scores:
            for column in frame.columns:
                if "score" in column or column == "label":
                    frame[column] = pd.Series([pd.NA] * len(frame), dtype=frame[column].dtype)
        return frame

    def team_decide(
        self, item: str, verdict: str, note: str, reviewer: str, adjudicate: bool = False
    ) -> Any:
        """Decide as ``reviewer`` on her queue (or, ``adjudicate``, on a dispute that is
        not hers); refused otherwise, so a verdict never lands outside the deal."""
        sha = self.item_key(item)
        events = self.ledger.events(kind=ASSIGNED)
        if not events:
            raise TeamError(f"case {self.name!r} has no team review: deal items with assign()")
        dealt = team_item(events, sha, self.ledger.decisions(sha))
        if dealt is None:
            raise TeamError(f"{item}: not dealt to anyone in this team review")
        if adjudicate:
            if reviewer in dealt.reviewers:
                raise TeamError(f"{reviewer} reviewed {item}: adjudication is by someone else")
            if dealt.status not in ("disputed", "adjudicated"):
                raise TeamError(f"{item} is {dealt.status}, not disputed: nothing to adjudicate")
        elif reviewer not in dealt.reviewers:
            raise TeamError(f"{item} is not in {reviewer}'s queue")
        return self.decide(sha, verdict, note, reviewer=reviewer)

    def agreement_report(self, resamples: int = 1000) -> dict[str, Any] | None:
        """The report's agreement section (``None`` without a team review; without the
        ``evaluation`` extra, the counts only)."""
        from ..evaluation import agreement_section

        team = self.team()
        if team is None:
            return None
        counts = {s: 0 for s in ("pending", "settled", "disputed", "adjudicated")}
        for item in team.items.values():
            counts[item.status] += 1
        facts = {
            "reviewers": list(team.reviewers),
            "overlap": team.overlap,
            "blind": team.blind,
            "dealt": len(team.items),
            **counts,
        }
        return agreement_section(
            self.agreement(resamples=resamples), team=facts, resamples=resamples
        )

    def agreement(
        self, by: str | None = "media_type", *, resamples: int = 1000, seed: int = 0
    ) -> Agreement:
        """How far the team's reviewers agree (see :func:`resemble_nb.evaluation.agreement`):
        per media type and overall, the reviewer pairs, each reviewer against the
        adjudicated verdicts."""
        from ..evaluation import agreement

        team = self._team_or_raise()
        kinds = {i.sha256: i.media_type for i in self.ledger.items()}
        rows = [
            (sha, name, d.verdict, kinds.get(sha))
            for sha, item in team.items.items()
            for name, d in item.verdicts.items()
        ]
        import pandas as pd

        ratings = pd.DataFrame(rows, columns=["item", "reviewer", "verdict", "media_type"])
        adjudicated = {
            s: i.adjudication.verdict
            for s, i in team.items.items()
            if i.status == "adjudicated" and i.adjudication is not None
        }
        return agreement(
            ratings,
            categories=VERDICTS,
            by=by,
            adjudicated=adjudicated,
            resamples=resamples,
            seed=seed,
        )
