"""What every step of a run shares: the ledger, the board, the clients, the limits.

Every state change goes through :class:`Context`: the ledger first (committed), then
the board that views read. So what a view shows is never ahead of what a crash keeps.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from ..api import (
    MAX_RETRY_AFTER,
    APIConnectionError,
    APIStatusError,
    AsyncClient,
    DetectOptions,
    retry_delay,
)
from ..ledger import InvalidTransition, Job, Ledger
from ..media import MediaItem
from ._clients import EngineClients
from ._crash import CrashHook
from ._limits import RateLimiter, UploadGate
from ._plan import job_key
from ._state import State, Tracker

__all__ = ["Context", "Listing", "Order", "Work", "describe"]

logger = logging.getLogger("resemble_nb.engine")


Order = Literal["newest", "oldest", "unordered"]


@dataclass
class Listing:
    """What a run has learned about the team's ``GET /detect``: its order and its size."""

    order: Order | None = None
    total: int = 0


@dataclass
class Work:
    """One media item of this run and the job that analyses it."""

    item: MediaItem
    job: Job
    route: Literal["batch", "single"]
    upload_name: str
    options: DetectOptions | None = None
    """The options this job's result answers, when not the run's (an analysis added to
    an earlier detect, or a detect read again for analyses not returned yet)."""

    @property
    def key(self) -> str:
        return self.item.sha256

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def path(self) -> Path:
        return self.item.path

    @property
    def size(self) -> int:
        return self.item.size


def describe(exc: BaseException) -> str:
    """A short, secret-free account of what went wrong."""
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"
    if isinstance(exc, APIConnectionError):
        return exc.message
    if isinstance(exc, OSError):
        return f"{exc.strerror or type(exc).__name__}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass
class Context:
    """The run's shared state. Lives on the engine's event loop."""

    ledger: Ledger
    tracker: Tracker
    clients: EngineClients
    limiter: RateLimiter
    gate: UploadGate
    options: DetectOptions
    options_key: str
    crash: CrashHook
    source: Literal["api", "sandbox"] = "api"
    poll_timeout: float = 3600.0
    analysis_patience: float = 600.0
    """Seconds an analysis may lag its completed detect before the item is stored with
    it ``timed_out`` (fetched by a later review or ``case.refresh_analyses()``)."""
    token_max_age: float = 55 * 60.0
    create_attempts: int = 5
    rng: random.Random = field(default_factory=random.Random)
    first_submit: datetime | None = None
    stats: dict[str, int] = field(default_factory=dict)
    on_submitted: Callable[[Sequence[Work]], None] | None = None
    on_plan: Callable[[Any], None] | None = None
    """Called with the run's :class:`~._plan.ReviewPlan` before anything is sent."""
    listing: Listing = field(default_factory=Listing)
    replaced: list[tuple[str, str, str]] = field(default_factory=list)
    """(path, the item it held at an earlier review, the item it holds now)."""

    def job_key(self, sha256: str, media_type: str | None) -> str:
        """The options key of this item's job: the options that change its media type's
        analysis (:meth:`DetectOptions.key_for`). A case whose job was recorded under the
        run-wide key (before keys were per media type) keeps it: never analysed twice."""
        return job_key(self.ledger, self.options, self.options_key, sha256, media_type)

    @property
    def api(self) -> AsyncClient:
        return self.clients.api

    @property
    def creator(self) -> AsyncClient:
        """The client for create requests (it never retries by itself)."""
        return self.clients.creator

    def options_of(self, work: Work) -> DetectOptions:
        """The options ``work``'s result answers (its own, else the run's)."""
        return work.options if work.options is not None else self.options

    def count(self, what: str, n: int = 1) -> None:
        self.stats[what] = self.stats.get(what, 0) + n

    def submitted_now(self) -> None:
        if self.first_submit is None:
            self.first_submit = datetime.now(timezone.utc)

    # -- moving items (ledger first, then the board) --------------------------------------
    def show(self, works: Iterable[Work], state: State, **kwargs: Any) -> None:
        self.tracker.move([w.key for w in works], state, **kwargs)

    def refresh(self, works: Iterable[Work]) -> None:
        works = list(works)
        jobs = self.ledger.jobs_by_id(work.job.id for work in works)  # one read, not one each
        for work in works:
            work.job = jobs[work.job.id] if work.job.id in jobs else self.ledger.job(work.job.id)

    def fail(self, works: Sequence[Work], reason: str, *, detect_uuid: str | None = None) -> None:
        """End ``works`` as failed with ``reason`` (which names the file)."""
        live = [w for w in works if not self._terminal(w)]
        if not live:
            return
        ids = [w.job.id for w in live]
        try:
            self.ledger.mark_failed(ids, reason, detect_uuid=detect_uuid)
        except InvalidTransition:
            for w in live:  # one by one: a job another path already ended stays as it is
                try:
                    self.ledger.mark_failed(w.job.id, reason, detect_uuid=detect_uuid)
                except InvalidTransition:
                    logger.debug("job %s already ended; not failing it", w.job.id)
        self.count("failed", len(live))
        self.show(live, "failed", error=reason)

    def cancel(self, works: Sequence[Work], reason: str) -> None:
        live = [w for w in works if not self._terminal(w)]
        if not live:
            return
        for w in live:
            try:
                self.ledger.mark_cancelled(w.job.id, reason)
            except InvalidTransition:
                logger.debug("job %s already ended; not cancelling it", w.job.id)
        self.show(live, "cancelled", error=reason)

    def _terminal(self, work: Work) -> bool:
        status = self.tracker.get(work.key)
        return status is not None and status.terminal

    # -- waiting --------------------------------------------------------------------------
    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """The API layer's wait before attempt ``attempt + 1`` (its backoff, its Retry-After
        rule); a ``Retry-After`` longer than it honours is waited for up to its cap."""
        delay = retry_delay(attempt - 1, retry_after, self.rng)
        return MAX_RETRY_AFTER if delay is None else delay

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
