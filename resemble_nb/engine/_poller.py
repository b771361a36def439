"""Polite polling: learn which detects finished with as few requests as possible.

Each round, cheapest first:

1. **Batch status.** One ``GET /detect/batch/{uuid}`` per open batch (when there are
   only a few) says whether any of its files finished; nothing is fetched for a batch
   that shows no progress.
2. **List pages.** When three or more detects may be finished, ``GET /detect`` pages
   (up to 1,000 a page) harvest them all at once, read in the order the list was seen
   to have (:mod:`._listing`: newest first, oldest first from the last page, or, when
   it has none, only if reading it whole is cheaper than single GETs).
3. **Single GETs** only for stragglers: detects the list did not show, or when only
   one or two are outstanding.

A detect is finished when it is *settled* (:mod:`._analyses`): its status is terminal
and every analysis its options asked for (intelligence, watermark, source tracing of
fake audio) is completed or failed. One that completed while an analysis still runs is
*lagging*: it is asked about again each round, at the round's polite pace, until the
run's patience ends; then it is stored with that analysis ``timed_out`` (said in words),
for a later review or ``case.refresh_analyses()`` to fetch.

Rounds are timed to the work. Until a detect has been seen finished, they start about a
second apart and stretch to ten seconds while nothing finishes. Once one has, the time it
took (the shortest seen: the service's latency, give or take a round) says when each
later detect can be ready: the next round aims there, and a detect that is late is asked
about again after 0.3 s, then backing off (x1.5) to the usual pace. So the last results
are collected within about 0.3 s of being ready, without polling blindly meanwhile.
Results are written to the ledger in one transaction per round.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..api import (
    AuthenticationError,
    Batch,
    Detection,
    DetectionPage,
    NotFoundError,
    PermissionDeniedError,
)
from ..ledger import InvalidTransition, ResultRecord, SegmentRecord
from ._analyses import analyses_of, settled, timed_out
from ._context import Context, Work, describe
from ._harvest import result_of
from ._listing import PAGE_SIZE, walk
from ._reconcile import CLOCK_SKEW
from ._visuals import Visuals, fetch_visuals, url_visuals

__all__ = ["Poller"]

logger = logging.getLogger("resemble_nb.engine")

LIST_MIN = 3
"""From this many possibly-finished detects on, one list page beats single GETs."""
BATCH_GET_MAX = 4
"""Up to this many open batches, their status is asked before listing."""
MAX_LIST_PAGES = 20
UNORDERED_GETS_PER_PAGE = 10
"""An unordered list is read whole only when that costs a page per 10 detects waited for."""
LATE_STEP = 0.3
"""After a detect's expected time, it is asked about again this soon (then backing off)."""


@dataclass
class _Batch:
    uuid: str
    works: list[Work]
    finished_seen: int = 0
    open: bool = True
    uuids: list[str] = field(default_factory=list)


class Poller:
    """Watches submitted detects until each is completed, failed or given up on."""

    def __init__(self, ctx: Context, *, interval: tuple[float, float] = (1.0, 10.0)) -> None:
        self.ctx = ctx
        self.min_interval, self.max_interval = interval
        self._interval = self.min_interval
        self._works: dict[str, Work] = {}  # detect uuid -> work, still watched
        self._since: dict[str, float] = {}  # detect uuid -> monotonic time watched from
        self._batch_of: dict[str, _Batch] = {}  # detect uuid -> its open batch
        self._batches: dict[str, _Batch] = {}
        self._ready: set[str] = set()  # known finished, not yet fetched
        self._lagging: set[str] = set()  # detect finished, a requested analysis not yet
        self._lag_since: dict[str, float] = {}  # detect uuid -> first seen lagging
        self._poke = asyncio.Event()
        self._closing = False
        self._latency: float | None = None  # shortest watch-to-finished time seen
        self._late_step = LATE_STEP  # grows while expected detects are late
        self.rounds = 0

    # -- feeding ----------------------------------------------------------------------------
    @property
    def watching(self) -> int:
        return len(self._works)

    def watch(self, work: Work, detect_uuid: str, first: Detection | None = None) -> None:
        """Follow one detect (a single create, or an adopted one)."""
        if first is not None and settled(first, self.ctx.options_of(work)):
            if not url_visuals(first):
                self._finish([(work, first)])
                return
            self._ready.add(detect_uuid)  # its heatmap is fetched in the loop
        self._add(work, detect_uuid)
        self._poke.set()

    def watch_batch(self, batch: Batch, works: Sequence[Work]) -> None:
        """Follow a batch's detects; ``works`` in the order their files were sent."""
        tracked = _Batch(batch.uuid, list(works), uuids=list(batch.detect_uuids))
        self._batches[batch.uuid] = tracked
        for work, uuid in zip(works, batch.detect_uuids, strict=False):
            self._add(work, uuid)
            self._batch_of[uuid] = tracked
        if batch.done:
            self._ready.update(batch.detect_uuids)
            tracked.open = False
        self._poke.set()

    def _add(self, work: Work, uuid: str) -> None:
        self._works[uuid] = work
        self._since[uuid] = time.monotonic()
        self.ctx.submitted_now()

    def close(self) -> None:
        """No more submissions: :meth:`run` returns once everything watched is settled."""
        self._closing = True
        self._poke.set()

    # -- the loop ---------------------------------------------------------------------------
    async def run(self) -> None:
        next_at = time.monotonic() + self._interval
        while True:
            if not self._works:
                if self._closing:
                    return
                self._poke.clear()
                await self._poke.wait()
                self._interval = self.min_interval
                next_at = self._aim(time.monotonic())
                continue
            now = time.monotonic()
            if self._ready:  # known finished: fetch them now
                next_at = min(next_at, now + 0.02)
            if now < next_at:
                self._poke.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._poke.wait(), timeout=next_at - now)
                continue
            await self._safe_round()
            next_at = self._aim(time.monotonic())

    def _aim(self, now: float) -> float:
        """When the next round starts: the usual pace, or sooner where the latency seen so
        far says a detect will be ready (and soon again for one that is late)."""
        at = now + self._interval
        if self._latency is None or not self._since:
            return at
        due = min(since + self._latency for since in self._since.values())
        if due > now:  # the next detect to be ready: aim at it
            self._late_step = LATE_STEP
            return min(at, due)
        return min(at, now + self._late_step)  # late: ask again soon, backing off

    async def _safe_round(self) -> None:
        try:
            finished = await self._round()
        except (AuthenticationError, PermissionDeniedError) as exc:
            self._give_up(list(self._works), f"the API refused to show results ({describe(exc)})")
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("polling round failed: %s", describe(exc))
            self.ctx.count("poll_errors")
            finished = 0
        self._interval = (
            self.min_interval if finished else min(self.max_interval, self._interval * 1.5)
        )
        if not finished:
            self._late_step = min(self.max_interval, self._late_step * 1.5)
        self._expire()

    async def _round(self) -> int:
        self.rounds += 1
        ctx = self.ctx
        maybe: set[str] = {u for u in self._works if u not in self._batch_of} | self._lagging
        open_batches = [b for b in self._batches.values() if b.open]
        if len(open_batches) <= BATCH_GET_MAX:
            for tracked in open_batches:
                status = await ctx.api.get_batch(tracked.uuid)
                ctx.count("batch_polls")
                pending = [u for u in tracked.uuids if u in self._works]
                done = (status.completed_count or 0) + (status.failed_count or 0)
                if status.done:
                    self._ready.update(pending)
                    self._close_batch(tracked)
                elif done > tracked.finished_seen:
                    maybe.update(pending)
                    tracked.finished_seen = done
        else:
            for tracked in open_batches:
                maybe.update(u for u in tracked.uuids if u in self._works)
        wanted = (maybe | self._ready) & self._works.keys()
        if not wanted:
            return 0
        seen: dict[str, Detection] = {}
        if len(wanted) >= LIST_MIN:
            seen = await self._list(wanted)
        for uuid in sorted(wanted - seen.keys()):
            try:
                seen[uuid] = await ctx.api.get_detect(uuid)
                ctx.count("detect_polls")
            except NotFoundError as exc:
                work = self._works.get(uuid)
                if work is not None:
                    self._forget(uuid)
                    ctx.fail(
                        [work],
                        f"{work.name}: detect {uuid} no longer exists on the server "
                        f"({describe(exc)})",
                        detect_uuid=uuid,
                    )
        self._realign(seen)
        over = {
            u
            for u, d in seen.items()
            if u in self._works and settled(d, ctx.options_of(self._works[u]))
        }
        lagging = {u for u, d in seen.items() if u in self._works and d.done} - over
        now = time.monotonic()
        for uuid in lagging:
            self._lag_since.setdefault(uuid, now)
        waited = {u for u in lagging if now - self._lag_since[u] >= ctx.analysis_patience}
        over |= waited  # stored with what lags marked timed_out: a later review fetches it
        lagging -= waited
        self._ready -= lagging  # polled again at the round's pace, not at once
        self._lagging |= lagging
        finished = [(self._works[u], seen[u]) for u in sorted(over)]
        running = [self._works[u] for u in seen if u in self._works and u not in over]
        if finished:
            ctx.crash("mid_poll")
            visuals = await fetch_visuals((d for _, d in finished), ctx.api.base_url)
            self._finish(finished, visuals)
        if running:
            ctx.show([w for w in running if _state(ctx, w) == "submitted"], "processing")
        return len(finished)

    async def _list(self, wanted: set[str]) -> dict[str, Detection]:
        """Harvest ``wanted`` from list pages, whatever the list's order (see _listing)."""
        ctx = self.ctx
        listing = ctx.listing
        page_size = min(PAGE_SIZE, max(50, 2 * len(wanted)))
        budget = MAX_LIST_PAGES
        if listing.order == "unordered":  # only a scan of everything finds them
            page_size = PAGE_SIZE
            pages = math.ceil(listing.total / page_size)
            budget = min(MAX_LIST_PAGES, len(wanted) // UNORDERED_GETS_PER_PAGE)
            if budget < pages:
                return {}  # single GETs cost less than reading every page
        seen: dict[str, Detection] = {}

        def match(item: Mapping[str, Any]) -> bool:
            return item.get("uuid") in wanted

        def take(page: DetectionPage, item: Mapping[str, Any]) -> None:
            seen[str(item["uuid"])] = page.parse(item)

        result = await walk(
            ctx,
            listing,
            since=self._cutoff(),
            match=match,
            take=take,
            done=lambda: len(seen) >= len(wanted),
            max_pages=budget,
            page_size=page_size,
        )
        ctx.count("list_polls", result.requests)
        return seen

    def _realign(self, seen: dict[str, Detection]) -> None:
        """Trust the server's file name over the position of a batch's ``detect_uuids``.

        A batch's detects were matched to its files by position, which the contract does
        not promise. Every file went up under a name unique to its content and options,
        so a detect whose ``filename`` names another file of the same batch belongs to
        that file. Tokenised names (zero retention) match nothing and keep the position.
        """
        moved: dict[int, str] = {}
        for uuid, det in seen.items():
            work, tracked = self._works.get(uuid), self._batch_of.get(uuid)
            if work is None or tracked is None or not det.filename:
                continue
            if det.filename == work.upload_name:
                continue
            owner = next((w for w in tracked.works if w.upload_name == det.filename), None)
            if owner is not None:
                self._works[uuid] = owner
                moved[owner.job.id] = uuid
        if moved:
            logger.info("batch detects listed out of file order: matched %d by name", len(moved))
            self.ctx.count("batch_realigned", len(moved))
            self.ctx.ledger.assign_detects(moved)

    def _cutoff(self) -> datetime | None:
        marks = [w.job.submitting_at for w in self._works.values() if w.job.submitting_at]
        if self.ctx.first_submit is not None:
            marks.append(self.ctx.first_submit)
        return (min(marks) - CLOCK_SKEW) if marks else None

    # -- settling ---------------------------------------------------------------------------
    def _finish(
        self,
        finished: Iterable[tuple[Work, Detection]],
        visuals: Mapping[str, Visuals] | None = None,
    ) -> None:
        ctx = self.ctx
        entries: list[tuple[Work, ResultRecord, Sequence[SegmentRecord]]] = []
        now = time.monotonic()
        for work, det in finished:
            since = self._since.get(det.uuid)
            if since is not None:
                took = now - since
                self._latency = took if self._latency is None else min(self._latency, took)
            self._forget(det.uuid)
            if det.completed:
                options = ctx.options_of(work)
                record, segments = result_of(det, options)
                analyses = timed_out(analyses_of(det, options), ctx.analysis_patience)
                fetched = (visuals or {}).get(det.uuid)
                if fetched is not None:
                    record = _with_visuals(record, fetched)
                    if fetched.reason is not None:
                        analyses["heatmap"] = {"status": "failed", "reason": fetched.reason}
                if analyses:
                    record = dataclasses.replace(record, analyses=analyses)
                entries.append((work, record, segments))
            else:
                why = det.error_message or "no reason given"
                ctx.fail(
                    [work],
                    f"{work.name}: the analysis failed on the server: {why}",
                    detect_uuid=det.uuid,
                )
        if entries:
            self._complete(entries)

    def _complete(self, entries: list[tuple[Work, ResultRecord, Sequence[SegmentRecord]]]) -> None:
        ctx = self.ctx
        try:
            ctx.ledger.complete_many((w.job.id, r, s) for w, r, s in entries)
        except (InvalidTransition, ValueError):
            for work, record, segments in entries:  # one by one, so one bad row stays alone
                try:
                    ctx.ledger.mark_completed(work.job.id, record, segments)
                except ValueError:  # a raw body the ledger refuses to store
                    plain = dataclasses.replace(record, raw=None)
                    ctx.ledger.mark_completed(work.job.id, plain, segments)
                except InvalidTransition:
                    logger.debug("job %s already ended; result not stored", work.job.id)
        for work, record, _ in entries:
            ctx.count("completed")
            ctx.show([work], "completed", label=record.label, score=record.score)

    async def settle(self, work: Work, det: Detection) -> None:
        """Store ``det`` for ``work`` now (a detect read again, with an analysis added)."""
        visuals = await fetch_visuals([det], self.ctx.api.base_url)
        self._finish([(work, det)], visuals)

    def _forget(self, uuid: str) -> None:
        self._lag_since.pop(uuid, None)
        self._works.pop(uuid, None)
        self._since.pop(uuid, None)
        self._ready.discard(uuid)
        self._lagging.discard(uuid)
        tracked = self._batch_of.pop(uuid, None)
        if tracked is not None and not any(u in self._works for u in tracked.uuids):
            self._close_batch(tracked)

    def _close_batch(self, tracked: _Batch) -> None:
        tracked.open = False
        if not any(u in self._works for u in tracked.uuids):
            self._batches.pop(tracked.uuid, None)

    def _expire(self) -> None:
        limit = self.ctx.poll_timeout
        now = time.monotonic()
        late = [u for u, since in self._since.items() if now - since > limit]
        if late:
            minutes = limit / 60
            self._give_up(
                late,
                f"still processing after {minutes:.0f} min; review again later to fetch "
                "the result (nothing will be submitted twice)",
            )

    def _give_up(self, uuids: Sequence[str], reason: str) -> None:
        """Stop watching: the jobs end cancelled with their detect uuid kept (resumable)."""
        works = [self._works[u] for u in uuids if u in self._works]
        for uuid in uuids:
            self._forget(uuid)
        for work in works:
            self.ctx.cancel([work], f"{work.name}: {reason}")


def _with_visuals(record: ResultRecord, fetched: Visuals) -> ResultRecord:
    """``record`` with the fetched heatmaps beside its inline ones."""
    if record.analysis is None or not fetched.artifacts:
        return record
    kept = {a.name: a for a in record.analysis.artifacts}
    kept.update((a.name, a) for a in fetched.artifacts)
    analysis = dataclasses.replace(record.analysis, artifacts=tuple(kept[n] for n in sorted(kept)))
    return dataclasses.replace(record, analysis=analysis)


def _state(ctx: Context, work: Work) -> str | None:
    status = ctx.tracker.get(work.key)
    return status.state if status is not None else None
