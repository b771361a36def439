"""A review running in the background: :class:`Run`.

One daemon thread owns one asyncio event loop that does all the work (HTTP, ledger
writes); the caller's thread (a notebook kernel) stays free. ``case.review(...)``
returns a started :class:`Run` at once::

    run = case.review(["evidence/"], client=client, intelligence=True)
    run.progress            # Progress(total=20, counts={'completed': 12, ...})
    run.wait()              # only where a cell must block (Run All, scripts)
    run.results()           # this run's rows of case.results() (added by the case)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from ..api import AsyncClient, Client, DetectOptions
from ..ledger import LIVE_STATES, InvalidTransition, Lease, Ledger
from ..ledger._lease import HEARTBEAT_S
from ..media import Include, check_strategy
from ._clients import EngineClients, make_clients
from ._context import Context, describe
from ._crash import CrashHook
from ._limits import (
    DEFAULT_MAX_UPLOAD_BYTES,
    DEFAULT_MAX_UPLOADS,
    DEFAULT_RATE,
    RateLimiter,
    UploadGate,
)
from ._pipeline import ReviewSpec, run_review
from ._plan import ReviewPlan
from ._state import ItemStatus, Progress, RunEvent, Tracker

__all__ = ["Run"]

logger = logging.getLogger("resemble_nb.engine")
_RunT = TypeVar("_RunT", bound="Run")


class Run:
    """A review of some media, running on its own thread. Thread-safe to read and cancel.

    Made by :meth:`resemble_nb.Case.review`; see there for the arguments. Nothing here
    holds the API key or a media token in a public attribute or repr.

    Attributes:
        started_at: When the run started (UTC). ``finished_at``: when it ended, or ``None``.
        error: The exception that stopped the run early (a bug, not an item's failure),
            or ``None``. Item failures are on the items, never here.
    """

    def __init__(
        self,
        ledger: Ledger,
        inputs: Any,
        client: Client | AsyncClient,
        *,
        strategy: str = "auto",
        force: bool = False,
        include: Include = None,
        recursive: bool = True,
        rate_limit: float = DEFAULT_RATE,
        max_uploads: int = DEFAULT_MAX_UPLOADS,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        poll_interval: tuple[float, float] = (1.0, 10.0),
        poll_timeout: float = 3600.0,
        analysis_patience: float = 600.0,
        lease: Lease | None = None,
        **detect_options: Any,
    ) -> None:
        # Checked once, here in the caller's thread; carried down as it is.
        options = DetectOptions.build(detect_options).analysis()
        check_strategy(strategy, options)
        if not (isinstance(rate_limit, (int, float)) and math.isfinite(rate_limit)) or (
            rate_limit <= 0
        ):
            raise ValueError(
                f"rate_limit must be a positive number of requests/s, not {rate_limit}"
            )
        if max_uploads < 1 or max_upload_bytes < 1:
            raise ValueError("max_uploads and max_upload_bytes must be at least 1")
        if not isinstance(client, (Client, AsyncClient)):
            raise TypeError(
                f"client must be a resemble_nb Client (rnb.connect()), not {type(client).__name__}"
            )
        self._ledger = ledger
        self._client = client
        self._options = options
        self._options_key = options.key
        self._spec = ReviewSpec(
            inputs=inputs,
            strategy=strategy,
            force=force,
            include=include,
            recursive=recursive,
            poll_interval=poll_interval,
        )
        self._rate = rate_limit
        self._max_uploads = max_uploads
        self._max_upload_bytes = max_upload_bytes
        self._poll_timeout = poll_timeout
        self._patience = analysis_patience
        self._plan: ReviewPlan | None = None
        self._planned = threading.Event()
        self._crash = CrashHook()
        self._lease = lease
        self.lease_lost = False
        self._tracker = Tracker()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancel_requested = False
        self._ctx: Context | None = None
        self._clients: EngineClients | None = None
        self._thread = threading.Thread(target=self._main, name="resemble_nb-review", daemon=True)
        self.started_at: datetime | None = None
        self.finished_at: datetime | None = None
        self.error: BaseException | None = None
        self._started_monotonic = 0.0
        self._ended_monotonic: float | None = None

    # -- control ------------------------------------------------------------------------------
    def start(self: _RunT) -> _RunT:
        """Start working in the background (once); returns at once."""
        with self._lock:
            if self.started_at is None:
                self.started_at = datetime.now(timezone.utc)
                self._started_monotonic = time.monotonic()
                self._thread.start()
        return self

    def wait(self: _RunT, timeout: float | None = None) -> _RunT:
        """Block until every item is in a terminal state.

        Interrupting the wait (Ctrl-C, or the notebook's stop button) leaves the review
        running in the background; call :meth:`cancel` to stop it.

        Raises:
            TimeoutError: Still running after ``timeout`` seconds (the run goes on).
        """
        if self.started_at is None:
            self.start()
        if not self._done.wait(timeout):
            raise TimeoutError(f"the review is still running after {timeout} s: {self!r}")
        return self

    def cancel(self) -> None:
        """Stop the run: items not finished end ``cancelled``. Safe from any thread.

        Detects already submitted keep their uuid in the ledger, so the next review of
        the same items fetches their results instead of submitting them again.
        """
        with self._lock:
            self._cancel_requested = True
            loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed: the run has ended
                loop.call_soon_threadsafe(task.cancel)

    # -- reading ------------------------------------------------------------------------------
    @property
    def plan(self) -> ReviewPlan | None:
        """What this run decided to do before it sent anything (``None`` until planned):
        the same as ``case.plan(...)`` said beforehand."""
        return self._plan

    def wait_for_plan(self, timeout: float | None = None) -> ReviewPlan | None:
        """Block until the run has planned (or ended without a plan); return the plan."""
        if self.started_at is None:
            self.start()
        for event in (self._planned, self._done):
            if event.is_set():
                break
        else:
            self._planned.wait(timeout)
        return self._plan

    def _planned_now(self, plan: ReviewPlan) -> None:
        self._plan = plan
        self._planned.set()
        self._tracker.note(str(plan))

    @property
    def done(self) -> bool:
        """Whether the run has ended (every item terminal)."""
        return self._done.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel_requested

    @property
    def progress(self) -> Progress:
        """Counts by state over this run's items."""
        return self._tracker.progress()

    def items(self) -> list[ItemStatus]:
        """A snapshot of every item of the run."""
        return self._tracker.snapshot()

    def subscribe(self, callback: Callable[[RunEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` from the engine thread on every change.

        Callbacks must be quick and must not block; an exception they raise is logged
        and ignored. Returns a function that unsubscribes.
        """
        return self._tracker.subscribe(callback)

    @property
    def source(self) -> str:
        """``"sandbox"`` when the run talks to the local sandbox, else ``"api"``."""
        ctx = self._ctx
        if self._client.is_sandbox or (ctx is not None and ctx.source == "sandbox"):
            return "sandbox"
        return "api"

    @property
    def replaced_files(self) -> list[tuple[str, str, str]]:
        """Paths whose file changed since an earlier review of the case: (path, sha256 of
        the item it held then, sha256 of the item it holds now). Both items are kept."""
        return list(self._ctx.replaced) if self._ctx is not None else []

    @property
    def elapsed(self) -> float:
        """Seconds since the start (to the end, once ended)."""
        if self.started_at is None:
            return 0.0
        end = self._ended_monotonic if self._ended_monotonic is not None else time.monotonic()
        return end - self._started_monotonic

    def stats(self) -> dict[str, Any]:
        """Counters for benchmarks and curiosity: requests sent by status, 429s, waits..."""
        out: dict[str, Any] = {}
        clients = self._clients
        if clients is not None:
            responses = dict(clients.transport.responses)
            out["requests"] = clients.transport.limiter.requests
            out["responses"] = responses
            out["rate_limited"] = responses.get(429, 0)
            out["limiter_waits"] = clients.transport.limiter.waits
        if self._ctx is not None:
            out.update(self._ctx.stats)
        return out

    @property
    def ledger(self) -> Ledger:
        """The case ledger this run writes to."""
        return self._ledger

    def __repr__(self) -> str:
        progress = self.progress
        state = ""
        if self.started_at is None:
            state = " (not started)"
        elif self.cancelled and not self.done:
            state = " (cancelling)"
        replaced = len(self.replaced_files)
        if replaced:  # said, never silent: the path now holds a new item beside the old one
            state += (
                f"; {replaced} file{'' if replaced == 1 else 's'} changed since an earlier "
                "review (both items kept: run.replaced_files)"
            )
        return f"Run: {progress.describe()}{state}"

    # -- the engine thread ----------------------------------------------------------------------
    def _main(self) -> None:
        try:
            asyncio.run(self._amain())
        except BaseException as exc:  # a bug: report it on the run, settle every item
            self.error = exc
            logger.exception("the review stopped on an unexpected error")
        finally:
            try:
                self._sweep()
            except Exception:  # pragma: no cover - the ledger itself failed
                logger.exception("could not settle the run's items")
            if self._lease is not None:
                try:
                    self._lease.release()
                except Exception:  # pragma: no cover - the ledger itself failed
                    logger.exception("could not release the case's lease")
            self.finished_at = datetime.now(timezone.utc)
            self._ended_monotonic = time.monotonic()
            self._done.set()
            self._planned.set()
            self._tracker.finish()

    async def _amain(self) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            if self._cancel_requested:
                return
        limiter = RateLimiter(self._rate)
        clients = make_clients(self._client, limiter)
        self._clients = clients
        ctx = Context(
            ledger=self._ledger,
            tracker=self._tracker,
            clients=clients,
            limiter=limiter,
            gate=UploadGate(self._max_uploads, self._max_upload_bytes),
            options=self._options,
            options_key=self._options_key,
            crash=self._crash,
            poll_timeout=self._poll_timeout,
            analysis_patience=self._patience,
            on_plan=self._planned_now,
        )
        self._ctx = ctx
        heart = asyncio.create_task(self._heartbeat(), name="resemble_nb-lease")
        try:
            await run_review(ctx, self._spec)
        except asyncio.CancelledError:
            if not self._cancel_requested:
                raise
        finally:
            heart.cancel()
            await asyncio.shield(clients.aclose())

    async def _heartbeat(self) -> None:
        """Keep the case's lease; if another process took it over, stop sending at once."""
        lease = self._lease
        if lease is None:
            return
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            try:
                ours = lease.beat()
            except Exception:  # a busy ledger: try again at the next beat
                logger.warning("could not refresh the case's lease", exc_info=True)
                continue
            if not ours:
                logger.error("another process took over this case's review; stopping")
                self.lease_lost = True
                self.cancel()
                return

    def _job_of(self, key: str) -> Any:
        """The item's job for this run's options (its media type's key, or the run-wide
        one a case recorded before keys were per media type)."""
        if len(key) != 64:
            return None
        item = self._ledger.item(key)
        media = item.media_type if item is not None else None
        job = self._ledger.job_for(key, self._options.key_for(media))
        return job if job is not None else self._ledger.job_for(key, self._options_key)

    def _sweep(self) -> None:
        """After the loop: every item not terminal ends cancelled (or failed on a bug)."""
        cancelled = self._cancel_requested and self.error is None
        for key in self._tracker.unfinished():
            status = self._tracker.get(key)
            name = status.name if status is not None else key
            job = self._job_of(key)
            if cancelled:
                reason = f"{name}: cancelled before it finished"
                if job is not None and job.detect_uuid:
                    reason += "; its detect was submitted: review again to fetch the result"
            else:
                why = describe(self.error) if self.error is not None else "unknown cause"
                reason = f"{name}: the review stopped early ({why})"
            resumable = job is not None and (
                bool(job.detect_uuid) or job.state in ("submitting", "submitted")
            )
            final = "cancelled" if cancelled or resumable else "failed"
            if job is not None and job.state in LIVE_STATES:
                try:
                    if final == "cancelled":
                        self._ledger.mark_cancelled(job.id, reason)
                    else:
                        self._ledger.mark_failed(job.id, reason)
                except InvalidTransition:  # pragma: no cover - raced with a final write
                    pass
            self._tracker.move([key], final, error=reason)  # type: ignore[arg-type]
