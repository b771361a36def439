"""The case's plan and refresh verbs: what a review would send, and analyses fetched late.

``Case`` inherits :class:`PlanVerbs`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..api import AsyncClient, Client
    from ..engine import ReviewPlan
    from ..ledger import Ledger
    from ._run import CaseRun

__all__ = ["PlanVerbs"]


class PlanVerbs:
    """``plan()`` (what a review would send) and ``refresh_analyses()``."""

    ledger: Ledger

    if TYPE_CHECKING:  # provided by Case

        def review(
            self, paths_or_items: Any, client: Client | AsyncClient | None = None, **kw: Any
        ) -> CaseRun: ...

    def plan(
        self,
        paths_or_items: Any,
        *,
        strategy: str = "auto",
        force: bool = False,
        include: Any = None,
        recursive: bool = True,
        **detect_options: Any,
    ) -> ReviewPlan:
        """What ``case.review(paths_or_items, **detect_options)`` would do now, before any
        bill: items done, to fetch, to send; new detects, analyses added to existing
        detects; requests by endpoint. Nothing is sent and nothing is written.

        >>> case.plan(["evidence/"], intelligence=True)  # doctest: +SKIP
        ReviewPlan(6 items: 6 done, 6 to send: intelligence added to 6 existing detects; ...)

        Takes the arguments of :meth:`review` that decide what is sent.
        """
        from ..engine import plan_review

        return plan_review(
            self.ledger,
            paths_or_items,
            strategy=strategy,
            force=force,
            include=include,
            recursive=recursive,
            **detect_options,
        )

    def refresh_analyses(
        self, client: Client | AsyncClient | None = None, **review_options: Any
    ) -> pd.DataFrame:
        """Fetch the analyses a review asked for that the service had not returned (stored
        ``timed_out`` or pending): each such item's detect is read again; nothing is
        created. Blocks until done; returns those items' rows of ``case.results()``.

        Items whose files are no longer where they were seen are left as they are.
        ``review_options`` go to :meth:`review` (``poll_interval=``, ``display=``...).
        """
        from ..engine._satisfy import UNFINISHED

        rows = self.ledger.analyses_rows()
        jobs = sorted({row[1] for row in rows.rows if row[3] in UNFINISHED})
        groups: dict[str, tuple[dict[str, Any], list[Path]]] = {}
        shas: set[str] = set()
        for job_id in jobs:
            job = self.ledger.job(job_id)
            item = self.ledger.item(job.sha256)
            here = [p.path for p in item.paths if os.path.isfile(p.path)] if item else []
            if not here:
                continue
            key = repr(sorted(job.options.items()))
            groups.setdefault(key, (dict(job.options), []))[1].append(here[0])
            shas.add(job.sha256)
        review_options.setdefault("display", False)
        for options, paths in groups.values():
            self.review(paths, client, **review_options, **options).wait()
        from ..frames import results_frame

        frame = results_frame(self.ledger, include_skipped=False)
        chosen: pd.DataFrame = frame[frame["sha256"].isin(shas)].reset_index(drop=True)
        return chosen
