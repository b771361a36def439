"""A review, step by step: intake -> ledger -> plan -> resume -> submit -> poll.

* **Intake** finds and inspects the files (worker threads) and records items, damaged
  items and skipped files in the ledger.
* **Plan** (:mod:`._plan`) decides for each item: nothing (its completed results
  answer the request: same detection options, every analysis asked for), an analysis
  added to its existing detect, its detect read again (an analysis not returned
  before), following (submitted before), reconciling (a create request may have
  reached the server), or a new detect. ``case.plan`` says the same before a review.
* **Resume** finishes what an earlier run (or a killed process) left: batches without
  detect uuids are looked up, ``submitting`` jobs reconciled, submitted ones followed.
* **Submit** routes items (``auto``: batches for small files, secure upload + detect
  for large files or single-only options), a few uploads at a time.
* **Poll** runs alongside from the start (see :mod:`._poller`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..api import (
    ANALYSIS_OPTIONS,
    MAX_BATCH_BYTES,
    MAX_BATCH_FILES,
    MAX_DIRECT_UPLOAD_BYTES,
    DetectOptions,
    NotFoundError,
)
from ..ledger import JobSpec
from ..media import Include, MediaItem, Route, plan_batches, route
from ._addons import add_analyses, reread
from ._batch import submit_batch
from ._calls import FatalAPIError
from ._context import Context, Work, describe
from ._intake import Inputs, Intake, case_files, intake, replaced_paths
from ._outcome import adopt
from ._plan import Decision, ReviewPlan, classify, summarize
from ._poller import Poller
from ._provenance import record_provenance
from ._reconcile import find_existing, undecided_reason, upload_name
from ._satisfy import Completed, job_options, need_of
from ._single import submit_single

__all__ = ["ReviewSpec", "run_review"]

logger = logging.getLogger("resemble_nb.engine")


@dataclass
class ReviewSpec:
    inputs: Inputs
    strategy: str = "auto"
    force: bool = False
    include: Include = None
    recursive: bool = True
    poll_interval: tuple[float, float] = (1.0, 10.0)


@dataclass
class _Plan:
    review: ReviewPlan = field(default_factory=ReviewPlan)
    submit: list[Work] = field(default_factory=list)
    reconcile: list[Work] = field(default_factory=list)
    watch: list[Work] = field(default_factory=list)
    batches: dict[str, list[Work]] = field(default_factory=dict)
    add: list[tuple[Work, str]] = field(default_factory=list)
    reread: list[tuple[Work, str]] = field(default_factory=list)


async def run_review(ctx: Context, spec: ReviewSpec) -> None:
    """Take every input to a terminal state (the caller sweeps up after a cancel)."""
    found = await intake(
        spec.inputs,
        ctx.tracker,
        include=spec.include,
        recursive=spec.recursive,
        leave_out=case_files(ctx.ledger.path),
    )
    ledger = ctx.ledger
    ctx.replaced.extend(
        replaced_paths(ledger, [*found.items, *(item for item, _ in found.damaged)])
    )
    ledger.add_items([*found.items, *(item for item, _ in found.damaged)])
    # the files' own C2PA manifests are read on a worker thread while the review goes on
    # (nothing below needs them); the review ends only once they are recorded
    provenance = asyncio.create_task(  # noqa: RUF006 - awaited in the finally below
        record_provenance(ledger, [*found.items, *(item for item, _ in found.damaged)]),
        name="resemble_nb-provenance",
    )
    try:
        await _review_found(ctx, spec, found)
    finally:
        await provenance


async def _review_found(ctx: Context, spec: ReviewSpec, found: Intake) -> None:
    ledger = ctx.ledger
    if found.skipped:
        ledger.record_skips(found.skipped)
    found.show(ctx.tracker)
    if not found.items and not found.damaged:
        return
    preflight: BaseException | None = None
    completed = Completed.read(ledger) if not spec.force else None
    if spec.force or not all(_settled(ctx, item, completed) for item in found.items):
        try:  # one cheap read: is the key good, and is this the sandbox?
            await ctx.api.list_detects(1, 10)
        except Exception as exc:
            preflight = exc
    ctx.source = "sandbox" if ctx.api.is_sandbox else "api"
    plan = _plan(ctx, found.items, found.damaged, spec)
    if ctx.on_plan is not None:
        ctx.on_plan(plan.review)
    if preflight is not None:
        _refuse(ctx, plan, preflight)
        return
    poller = Poller(ctx, interval=spec.poll_interval)
    poller_task = asyncio.create_task(poller.run(), name="resemble_nb-poller")
    try:
        await _resume(ctx, poller, plan)
        for work, base in plan.reread:
            await reread(ctx, poller, work, base)
        for work, base in plan.add:
            await add_analyses(ctx, poller, work, base)
        await _submit_all(ctx, poller, plan.submit)
        poller.close()
        await poller_task
    finally:
        if not poller_task.done():
            poller_task.cancel()
            await asyncio.gather(poller_task, return_exceptions=True)


def _settled(ctx: Context, item: MediaItem, completed: Completed | None) -> bool:
    """Whether the item needs nothing from the API for these options."""
    job = ctx.ledger.job_for(item.sha256, ctx.job_key(item.sha256, item.media_type))
    if job is not None and job.state == "failed" and job.detect_uuid is not None:
        return True
    if job is not None and job.state not in ("completed", "failed", "skipped", "cancelled"):
        return False
    need = need_of(ctx.ledger, item.sha256, item.media_type, ctx.options, completed)
    return need.kind == "done"


def _route(item: MediaItem, ctx: Context, strategy: str) -> Route:
    return route(item, ctx.options, strategy, batch_file_max_bytes=MAX_DIRECT_UPLOAD_BYTES)  # type: ignore[arg-type]


def _plan(
    ctx: Context,
    items: Sequence[MediaItem],
    damaged: Sequence[tuple[MediaItem, str]],
    spec: ReviewSpec,
) -> _Plan:
    ledger = ctx.ledger
    routes = [_route(item, ctx, spec.strategy) for item in items]
    decisions = classify(ledger, ctx.options, items, routes, damaged, force=spec.force)
    plan = _Plan(review=summarize(decisions))
    everything: list[tuple[MediaItem, Route | None, str | None]] = []
    for d in decisions:
        if d.by_need or d.kind == "refresh":
            _from_results(ctx, d, plan)
        else:
            everything.append((d.item, d.route, d.damage))
    keys = [ctx.job_key(item.sha256, item.media_type) for item, _r, _d in everything]
    specs = [
        JobSpec(
            item.sha256,
            key,
            r.strategy if r is not None and r.strategy is not None else "single",
            ctx.source,
            options=dict(ctx.options),
        )
        for (item, r, _), key in zip(everything, keys, strict=True)
    ]
    for (item, r, damage), key, (job, _created) in zip(
        everything, keys, ledger.ensure_jobs(specs, force=spec.force), strict=True
    ):
        work = Work(
            item=item,
            job=job,
            route=r.strategy if r is not None and r.strategy is not None else "single",
            upload_name=upload_name(item.name, item.sha256, key),
        )
        state = job.state
        if state == "completed":
            result = ledger.result_for(job.id)
            ctx.show(
                [work],
                "completed",
                label=result.label if result else None,
                score=result.score if result else None,
            )
            continue
        if state == "failed" and job.detect_uuid is not None:
            ctx.show([work], "failed", error=job.error or "the analysis failed")
            continue
        local = damage is not None or (r is not None and r.strategy is None)
        if local and state not in ("submitting", "submitted"):
            _end_locally(ctx, work, damage, r)
            continue
        if state == "submitted" or (state == "cancelled" and job.detect_uuid):
            if job.detect_uuid is not None:
                plan.watch.append(work)
                continue
            if job.batch_uuid is not None:
                plan.batches.setdefault(job.batch_uuid, []).append(work)
                continue
        if state == "cancelled" and job.batch_uuid and not job.detect_uuid:
            plan.batches.setdefault(job.batch_uuid, []).append(work)
            continue
        if job.attempts > 0 and job.detect_uuid is None:
            plan.reconcile.append(work)
            continue
        if state != "pending":
            ledger.mark_pending(job.id)
            ctx.refresh([work])
        plan.submit.append(work)
    return plan


def _from_results(ctx: Context, d: Decision, plan: _Plan) -> None:
    """An item its completed results answer: shown as done, an analysis added to its
    detect, or its detect read again for analyses not returned yet."""
    need = d.need
    assert need is not None and need.base is not None
    base = need.base
    base_uuid = base.detect_uuid
    assert base_uuid is not None
    item = d.item
    if d.kind == "done":
        result = ctx.ledger.result_for(base.id)
        work = Work(item=item, job=base, route="single", upload_name=base.submit_name or "")
        ctx.show(
            [work],
            "completed",
            label=result.label if result else None,
            score=result.score if result else None,
        )
        return
    held = job_options(base)
    if d.kind == "add":  # the base's options with the missing analyses added
        wanted = {k: v for k, v in ctx.options.analysis().items() if k in ANALYSIS_OPTIONS and v}
        options = DetectOptions.build({**held, **wanted}).analysis()
        force = False
    else:
        options, force = held.analysis(), True  # the same options, read again
    key = options.key_for(item.media_type)
    spec = JobSpec(item.sha256, key, "single", ctx.source, options=dict(options))
    ((job, _created),) = ctx.ledger.ensure_jobs([spec], force=force)
    work = Work(
        item=item,
        job=job,
        route="single",
        upload_name=upload_name(item.name, item.sha256, key),
        options=options,
    )
    if job.state in ("submitting", "submitted"):  # an earlier run stopped half-way: the
        ctx.ledger.mark_cancelled(job.id, "stopped before its answer was stored")  # detect
        job = ctx.ledger.job(job.id)  # exists, so only the report is asked for again
    if job.state != "pending":
        ctx.ledger.mark_pending(job.id)
        ctx.refresh([work])
    ctx.show([work], "pending")
    (plan.add if d.kind == "add" else plan.reread).append((work, base_uuid))


def _end_locally(ctx: Context, work: Work, damage: str | None, r: Route | None) -> None:
    """Items no request will be sent for: damaged media (failed), no route (skipped)."""
    ledger = ctx.ledger
    job = work.job
    if job.state != "pending":
        ledger.mark_pending(job.id)
    if damage is not None:
        reason = f"{damage} (not sent for analysis)"
        ledger.mark_failed(job.id, reason)
        ctx.show([work], "failed", error=reason)
    else:
        reason = r.reason if r is not None else "no upload path can take it"
        ledger.mark_skipped(job.id, reason)
        ctx.show([work], "skipped", error=reason)
    ctx.refresh([work])


def _refuse(ctx: Context, plan: _Plan, exc: BaseException) -> None:
    """The API cannot be reached or refuses the key: settle everything, send nothing."""
    why = describe(exc)
    for work in [*plan.submit, *plan.reconcile]:
        ctx.fail([work], f"{work.name}: not submitted: the API cannot be used ({why})")
    for work in [*plan.watch, *(w for ws in plan.batches.values() for w in ws)]:
        ctx.cancel([work], f"{work.name}: result not fetched: the API cannot be used ({why})")


async def _resume(ctx: Context, poller: Poller, plan: _Plan) -> None:
    ledger = ctx.ledger
    for work in plan.watch:
        assert work.job.detect_uuid is not None
        if work.job.state != "submitted":
            ledger.mark_submitted(work.job.id, detect_uuid=work.job.detect_uuid)
            ctx.refresh([work])
        ctx.show([work], "submitted")
        poller.watch(work, work.job.detect_uuid)
    for batch_uuid, works in plan.batches.items():
        try:
            await _resume_batch(ctx, poller, batch_uuid, works, plan)
        except Exception as exc:  # cannot look now: keep them resumable
            for work in works:
                ctx.cancel(
                    [work], f"{work.name}: batch {batch_uuid} could not be read ({describe(exc)})"
                )
    if plan.reconcile:
        try:
            found = await find_existing(ctx, plan.reconcile)
        except Exception as exc:  # cannot tell whether they exist: send nothing
            for work in plan.reconcile:
                ctx.fail(
                    [work],
                    f"{work.name}: not sent again: could not check whether an earlier attempt "
                    f"reached the server ({describe(exc)}); review again to retry",
                )
            return
        for work in plan.reconcile:
            det = found.get(work.job.id)
            if det is not None:
                _adopt_any(ctx, poller, work, det.uuid)
            elif not found.complete:  # it may exist: never risk a second bill
                ctx.fail([work], undecided_reason(work, found))
            else:
                if work.job.state != "pending":
                    ledger.mark_pending(work.job.id, "not found on the server; sending again")
                    ctx.refresh([work])
                plan.submit.append(work)


def _adopt_any(ctx: Context, poller: Poller, work: Work, detect_uuid: str) -> None:
    """Adopt a detect for a job in any non-final state (walking the allowed moves)."""
    ledger = ctx.ledger
    state = ledger.job(work.job.id).state
    if state == "failed":
        ledger.mark_pending(work.job.id)
        state = "pending"
    if state in ("pending", "uploading"):
        ledger.mark_submitting(work.job.id, {work.job.id: work.job.submit_name or work.upload_name})
    adopt(ctx, poller, work, detect_uuid)


async def _resume_batch(
    ctx: Context, poller: Poller, batch_uuid: str, works: list[Work], plan: _Plan
) -> None:
    """Jobs whose batch was created but whose detect uuids were never recorded."""
    try:
        batch = await ctx.api.get_batch(batch_uuid)
    except NotFoundError:
        batch = None
    sent = ctx.ledger.jobs_in_batch(batch_uuid)
    if batch is not None and len(batch.detect_uuids) == len(sent):
        by_job = {job.id: uuid for job, uuid in zip(sent, batch.detect_uuids, strict=True)}
        for work in works:
            _adopt_any(ctx, poller, work, by_job[work.job.id])
        return
    plan.reconcile.extend(works)


async def _submit_all(ctx: Context, poller: Poller, works: Sequence[Work]) -> None:
    batched = sorted((w for w in works if w.route == "batch"), key=lambda w: w.job.id)
    units: deque[tuple[str, list[Work]]] = deque(
        ("batch", group)
        for group in plan_batches(batched, max_files=MAX_BATCH_FILES, max_bytes=MAX_BATCH_BYTES)
    )
    units.extend(("single", [w]) for w in works if w.route == "single")
    fatal: list[str] = []

    async def singles(group: Sequence[Work]) -> None:
        for work in group:
            await submit_single(ctx, poller, work)

    async def worker() -> None:
        while units and not fatal:
            kind, group = units.popleft()
            try:
                if kind == "batch":
                    await submit_batch(ctx, poller, group, singles)
                else:
                    await singles(group)
            except FatalAPIError as exc:
                fatal.append(str(exc))
            except Exception as exc:  # a bug or an unforeseen answer: these items only
                logger.exception("sending %d item(s) failed", len(group))
                for work in group:
                    ctx.fail([work], f"{work.name}: not submitted ({describe(exc)})")

    count = min(ctx.gate.max_uploads, max(1, len(units)))
    await asyncio.gather(*(worker() for _ in range(count)))
    if fatal:
        left = [w for _, group in units for w in group]
        for work in left:
            ctx.fail([work], f"{work.name}: not submitted: the API key was refused ({fatal[0]})")
