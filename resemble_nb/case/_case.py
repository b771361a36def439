"""A case: one folder holding a review's ledger, browser uploads and reports.

>>> import resemble_nb as rnb
>>> case = rnb.Case("cases/acme")                         # doctest: +SKIP
>>> run = case.review(["evidence/"], client=rnb.connect())  # doctest: +SKIP
>>> case.results()                                         # doctest: +SKIP
>>> case.decide("call.wav", "confirmed_fake", note="voice clone")  # doctest: +SKIP
>>> case.report()                                          # doctest: +SKIP

The folder holds ``case.db`` (the SQLite ledger), ``uploads/`` (files uploaded from
the browser) and ``reports/``. Paths inside the folder are stored relative to it, so a
copied case folder opens elsewhere with everything in it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core.closing import Closing
from ..ledger import Decision, ReadOnlyLedgerError, Verdict
from ._asking import AskingVerbs, sync_client_or_none
from ._base import CASE_DB
from ._custody import CustodyVerbs
from ._evidence import EvidenceVerbs
from ._plan import PlanVerbs
from ._review import ReviewVerbs
from ._team import TeamVerbs, TeamView

if TYPE_CHECKING:
    from ..api import Client
    from ..widgets import TriageBoard

__all__ = ["CASE_DB", "Case"]


class Case(ReviewVerbs, AskingVerbs, EvidenceVerbs, CustodyVerbs, PlanVerbs, TeamVerbs, Closing):
    """A case folder and its ledger: what was reviewed, the results, the decisions.

    Args:
        folder: The case folder (created if missing, with ``uploads/`` and ``reports/``),
            or a team's case on PostgreSQL, ``postgresql://USER@HOST:PORT/DB?case=NAME``
            (the ``postgresql`` extra).
        name: A display name for reports (default: the folder's name); remembered in the
            ledger. An existing case keeps its name: opening it with another ``name=``
            raises (rename it on purpose with :meth:`rename`, a signed event).
        workdir: For a PostgreSQL case, the local folder for its uploads and reports
            (default: a folder named after the case in the current directory).

    Raises:
        resemble_nb.ledger.CaseNameError: The case exists under another name.
        resemble_nb.ledger.LedgerError: The folder holds a file that is not a case
            ledger, or one written by a newer resemble_nb.
    """

    @staticmethod
    def exists(folder: str | os.PathLike[str]) -> bool:
        """Whether ``folder`` already holds a case (so ``name=`` must be its own)."""
        return (Path(os.fspath(folder)).expanduser() / CASE_DB).is_file()

    def rename(self, name: str, *, reviewer: str | None = None) -> Case:
        """Give the case a new display name, on purpose: a chained event signed by
        ``reviewer`` (default: the one reviewer rule, see :meth:`decide`).

        Returns the case, so calls chain: ``rnb.Case(folder).rename("Op. Echo II")``.

        Raises:
            ValueError: ``name`` is empty.
            ReadOnlyLedgerError: the case cannot be written.
        """
        new = str(name).strip()
        if not new:
            raise ValueError("a case's name cannot be empty")
        if self.ledger.read_only:
            raise ReadOnlyLedgerError(f"{self.ledger.path}: the case is read-only; not renamed")
        old = self.name
        if new == old:
            return self
        who = self.ledger.actor(reviewer)  # the one reviewer rule
        # signed by ``who``'s key inside its write (the ledger's event signer), or not written
        self.ledger.record_event("case_renamed", {"from": old, "to": new, "reviewer": who})
        self.ledger.set_meta("name", new)
        self.ledger.set_meta("name_chosen", "1")
        return self

    # -- deciding ---------------------------------------------------------------------------
    def decide(
        self,
        item: str | os.PathLike[str],
        verdict: Verdict | str,
        note: str = "",
        reviewer: str | None = None,
    ) -> Decision:
        """Record a triage decision about an item, at once (append-only).

        Args:
            item: The item's sha256 (or a unique prefix), file name, or path.
            verdict: ``confirmed_fake``, ``confirmed_real``, ``needs_escalation`` or
                ``inconclusive``.
            note: Free text kept with the decision.
            reviewer: Who decided (default: ``RESEMBLE_NB_REVIEWER``, else the name
                confirmed on the triage board, else the logged-in user, said in a
                warning: the one rule for every signed write).

        Returns:
            The stored :class:`~resemble_nb.ledger.Decision`.
        """
        return self.ledger.decide(  # signed by its reviewer's key before it commits
            self.item_key(item),
            verdict,  # type: ignore[arg-type]
            note,
            reviewer=reviewer,
        )

    # -- views ------------------------------------------------------------------------------
    def triage(
        self, client: Client | None = None, *, adjudicate: bool = False, **filters: Any
    ) -> TriageBoard:
        """The triage board: look, listen, decide (``threshold=``, ``labels=``...).

        ``client``: the account that reviewed the items, for the analysis panel's
        questions and feedback (default: the client this process reviewed the case with,
        else ``connect()`` when first needed). In a team review (see :meth:`assign`),
        ``reviewer="ana"`` shows ana's queue only (blind: never another's verdict), and
        ``adjudicate=True`` the disputes she may settle (never one she reviewed).
        """
        from ..widgets import TriageBoard
        from ..widgets._analysis_panel import AnalysisPanel
        from ..widgets._threshold_caption import ThresholdCaption
        from ._analysis import CaseAnalysis

        team = self.team()
        name = filters.get("reviewer")
        if adjudicate or (team is not None and name in team.reviewers):
            if team is None or not name:
                raise ValueError("adjudicate=True needs a team review and reviewer='name'")
            if team.hide_scores:  # no score or label to filter by
                from ..api import LABELS

                filters.update(threshold=0.0, labels=list(LABELS))
            view = TeamView(self, str(name), adjudicate=adjudicate)
            board = TriageBoard(view, **filters)
            if adjudicate:  # how far the reviewers agree, beside the dispute
                from ..widgets._agreement_panel import AgreementPanel

                board.add_panel(
                    AgreementPanel(
                        lambda: self.agreement(resamples=200).table,
                        lambda: self.ledger.chain_head().seq,
                    )
                )
            if not team.hide_scores:  # no feedback panel: it speaks of the case's verdict
                board.add_panel(ThresholdCaption(self, lambda: self.threshold))
            return board
        board = TriageBoard(self, **filters)
        # the case's threshold, not the board's score filter: filtering rewrites no caption
        board.add_panel(ThresholdCaption(self, lambda: self.threshold))
        board.add_panel(AnalysisPanel(CaseAnalysis(self, sync_client_or_none(client))))
        return board

    def report(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        reviewer: str | None = None,
        exhibits: bool = True,
        **options: Any,
    ) -> Path:
        """Write the self-contained HTML report, signed; return its path.

        The report carries a custody appendix and a signed manifest (the chain head, every
        item's hash, result and verdict), so ``resemble-nb verify REPORT.html`` can check it
        offline; the case records that it was written.

        Args:
            path: Where to write it (default ``reports/<case name>.html`` in the folder).
            reviewer: Who signs it (default: ``RESEMBLE_NB_REVIEWER``, else the logged-in
                user).
            exhibits: Cut an exhibit around each flagged sound or video item's most
                suspicious moment (once; later reports reuse it) and show it.
            **options: Passed to :func:`resemble_nb.report.render_report`.
        """
        from ..report import render_report
        from ..report._analysis_view import for_report
        from ._custody import prepare_report, report_custody
        from ._pictures import item_pictures

        target = Path(path) if path is not None else self.reports / f"{_slug(self.name)}.html"
        options.setdefault("threshold", self.threshold)
        threshold = float(options["threshold"])
        key = None
        if not self.ledger.read_only:  # its writes come first: exhibits, the signer's key
            key = prepare_report(self, threshold=threshold, reviewer=reviewer, exhibits=exhibits)
        with self.ledger.snapshot():  # every read below sees the case as of one commit
            if "reliability" not in options:
                options["reliability"] = self._reliability(threshold)
            if "agreement" not in options:
                options["agreement"] = self.agreement_report()
            analysis, methods = for_report(self.ledger)
            options.setdefault("analysis", analysis)
            options.setdefault("analysis_methods", methods)
            results, segments, decisions = self.results(), self.segments(), self.decisions()
            options.setdefault("pictures", item_pictures(self, segments))
            name = self.name
            custody = None if key is None else report_custody(self, key)

        def render(**extra: Any) -> Path:
            return Path(
                render_report(
                    results, segments, decisions, path=target, case_name=name,
                    **extra, **options,
                )
            )  # fmt: skip

        if custody is None:  # nothing can be signed or recorded: say so in the report
            meta = dict(options.pop("case_meta", None) or {})
            meta["custody"] = "not signed or recorded: the case was read-only"
            return render(case_meta=meta)
        result = render(custody=custody.context, seal=custody.seal)
        custody.record(result)
        return result


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return slug or "report"
