"""Whether an item's completed results already answer a request (issue 19).

Options either change the detection (they must match) or add an analysis beside it
(:data:`~resemble_nb.api.ANALYSIS_OPTIONS`). A request is answered by the item's
completed results made with the same detection options that together hold every
analysis asked for. When only analyses the API can add to an existing detect are
missing (:data:`~resemble_nb.api.ADDABLE_ANALYSES`), they are added to the latest such
detect; otherwise a new detect is needed. A result whose requested analysis never came
back (still pending when patience ran out) is *refreshed*: its detect is read again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from ..api import ADDABLE_ANALYSES, DetectOptions
from ..ledger import Job, Ledger

__all__ = ["UNFINISHED", "Completed", "Need", "job_options", "need_of"]

UNFINISHED = frozenset({"pending", "processing", "timed_out"})
"""Analysis states a later review (or ``case.refresh_analyses()``) fetches again."""

NeedKind = Literal["done", "add", "refresh", "new"]


@dataclass(frozen=True)
class Need:
    """What an item needs for a request.

    ``done``: answered by ``base`` (and the results before it). ``add``: ``missing``
    analyses are added to ``base``'s detect. ``refresh``: ``base``'s detect is read again
    for analyses not returned yet. ``new``: a detect for these options (the usual path).
    """

    kind: NeedKind
    base: Job | None = None
    missing: frozenset[str] = field(default_factory=frozenset)


_OPTIONS: dict[str, DetectOptions] = {}


def job_options(job: Job) -> DetectOptions:
    """The options a job was made with (checked again; unknown old names dropped)."""
    text = json.dumps(job.options, sort_keys=True, default=str)
    known = _OPTIONS.get(text)
    if known is not None:
        return known
    try:
        found = DetectOptions.build(job.options)
    except (ValueError, TypeError):
        found = DetectOptions.build()
    if len(_OPTIONS) < 4096:
        _OPTIONS[text] = found
    return found


def _unfinished(ledger: Ledger, job: Job) -> bool:
    result = ledger.result_for(job.id)
    if result is None:
        return False
    return any(a.get("status") in UNFINISHED for a in result.analyses.values())


@dataclass
class Completed:
    """The case's completed results, read once for a whole plan (not per item)."""

    jobs: dict[str, list[Job]]
    unfinished: frozenset[int]
    """Jobs (each item's latest) with an analysis not returned yet."""

    @classmethod
    def read(cls, ledger: Ledger) -> Completed:
        jobs: dict[str, list[Job]] = {}
        for job in ledger.jobs_in_state("completed"):
            if job.detect_uuid:
                jobs.setdefault(job.sha256, []).append(job)
        rows = ledger.analyses_rows().rows
        return cls(jobs, frozenset(r[1] for r in rows if r[3] in UNFINISHED))


def need_of(
    ledger: Ledger,
    sha256: str,
    media_type: str | None,
    options: DetectOptions,
    completed: Completed | None = None,
) -> Need:
    """What ``sha256`` needs from the API for ``options`` (reads only; ``completed``:
    the case's completed results read once, for many items)."""
    if completed is None:
        completed = Completed(
            {sha256: [j for j in ledger.jobs_for_item(sha256) if j.state == "completed"
                      and j.detect_uuid]},
            frozenset(),
        )  # fmt: skip
        check_unfinished = True
    else:
        check_unfinished = False
    dkey = options.detection_key_for(media_type)
    want = options.analyses_for(media_type)
    matching = [
        job
        for job in completed.jobs.get(sha256, ())
        if job_options(job).detection_key_for(media_type) == dkey
    ]
    if not matching:
        return Need("new")
    have: set[str] = set()
    for job in matching:
        have |= job_options(job).analyses_for(media_type)
    latest = matching[-1]
    missing = frozenset(want - have)
    if not missing:
        late = _unfinished(ledger, latest) if check_unfinished else (
            latest.id in completed.unfinished
        )  # fmt: skip
        return Need("refresh", latest) if late else Need("done", latest)
    if all(name in ADDABLE_ANALYSES for name in missing):
        return Need("add", latest, missing)
    return Need("new", latest, missing)
