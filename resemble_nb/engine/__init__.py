"""The review engine: every file analysed exactly once, fast, resumable, in the background.

It owns running a review: plan, claim, upload, submit, poll and reconcile, at one shared
rate, on its own event loop, writing every step to the ledger. It must not import
ipywidgets or render anything: views watch a run's traits and events from above.

>>> run = case.review(["evidence/"], client=client)    # doctest: +SKIP
>>> run.wait().progress                                 # doctest: +SKIP
Progress(total=7, counts={'completed': 5, 'failed': 1, 'skipped': 1})

What it guarantees (see DESIGN.md):

* Content is identity: the same bytes under two paths are one item, analysed once.
* Every state change is in the case ledger before the next step; a killed process
  resumes where it stopped, and a create request whose outcome is unknown is reconciled
  against the server (:mod:`._reconcile`) instead of being sent twice.
* One client-side rate limiter for every request (:mod:`._limits`), bounded uploads,
  polling that harvests many results per request (:mod:`._poller`).
* Every item handed to a review ends ``completed``, ``failed`` (with the reason),
  ``skipped`` (with the reason) or ``cancelled``.

Test hook: ``RESEMBLE_NB_CRASH_AT`` (see :mod:`._crash`), for crash tests only.
"""

from __future__ import annotations

from ._calls import FatalAPIError
from ._crash import ENV_VAR as CRASH_ENV_VAR
from ._crash import POINTS as CRASH_POINTS
from ._dryrun import plan_review
from ._limits import DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_MAX_UPLOADS, DEFAULT_RATE
from ._plan import ReviewPlan
from ._reconcile import upload_name
from ._state import LIVE, STATES, TERMINAL, ItemStatus, Progress, RunEvent, State
from .run import Run

__all__ = [
    "CRASH_ENV_VAR",
    "CRASH_POINTS",
    "DEFAULT_MAX_UPLOADS",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_RATE",
    "LIVE",
    "STATES",
    "TERMINAL",
    "FatalAPIError",
    "ItemStatus",
    "Progress",
    "ReviewPlan",
    "Run",
    "RunEvent",
    "State",
    "plan_review",
    "upload_name",
]
