"""TEST-ONLY crash hook: kill the engine's process at a named point.

Set ``RESEMBLE_NB_CRASH_AT=<point>[:N]`` in the environment of a process running a
review (for example ``resemble-nb detect ...`` in a subprocess) and the engine sends
itself ``SIGKILL`` the N-th time (default: first) it reaches ``<point>``, exactly as a
killed kernel would die: no cleanup, no flush beyond what SQLite already committed.
Tests then run the review again and check that every item finishes with no duplicate
detect. Never set it outside tests.

Points (see :data:`POINTS`):

* ``before_send``: a file is about to be streamed (a secure upload, or a batch).
* ``after_upload``: a media token was received, nothing marked yet.
* ``after_mark_submitting``: the job is ``submitting`` in the ledger; no request sent.
* ``after_create_before_ledger``: the create request succeeded; the ledger does not know.
* ``after_submitted``: the ledger recorded the detect / batch uuid.
* ``mid_poll``: results were fetched but not yet written to the ledger.
"""

from __future__ import annotations

import os
import signal
import threading

__all__ = ["ENV_VAR", "POINTS", "CrashHook"]

ENV_VAR = "RESEMBLE_NB_CRASH_AT"
POINTS = frozenset(
    {
        "before_send",
        "after_upload",
        "after_mark_submitting",
        "after_create_before_ledger",
        "after_submitted",
        "mid_poll",
    }
)


class CrashHook:
    """Counts arrivals at crash points; kills the process at the configured one."""

    def __init__(self, spec: str | None = None) -> None:
        spec = os.environ.get(ENV_VAR) if spec is None else spec
        self.point: str | None = None
        self.nth = 1
        self._seen = 0
        self._lock = threading.Lock()
        if spec:
            point, _, count = spec.strip().partition(":")
            if point not in POINTS:
                raise ValueError(
                    f"{ENV_VAR}={spec!r}: unknown crash point {point!r}; "
                    f"points are {', '.join(sorted(POINTS))}"
                )
            self.point = point
            self.nth = int(count) if count else 1
            if self.nth < 1:
                raise ValueError(f"{ENV_VAR}={spec!r}: N must be 1 or more")

    def __call__(self, point: str) -> None:
        """Arrive at ``point`` (tests may subclass this to act there, e.g. edit a file)."""
        if self.point != point:
            return
        with self._lock:
            self._seen += 1
            hit = self._seen == self.nth
        if hit:  # pragma: no cover - the process ends here
            os.kill(os.getpid(), signal.SIGKILL)
