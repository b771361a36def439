"""Many small items through one ``POST /detect/batch`` (at most 50 files / 500 MB).

Files are streamed from disk under their upload names (see
:func:`~resemble_nb.engine._reconcile.upload_name`), in job order, so the batch's
``detect_uuids`` line up with the jobs, and hashed as they stream
(:class:`~resemble_nb.engine._sent.SentFile`): a file that changed since intake is
recorded as the content that was sent. What goes wrong lands on the items concerned:

* 402: the wallet cannot cover the batch (nothing was created): its items fail with
  the reason; other batches go on.
* another refusal of the request (400...): the batch is split and its items go one by
  one through the single path, so a bad file fails alone and the rest go on.
* an unknown outcome: reconcile, adopt what exists, send the rest again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack
from functools import partial

from ..api import APIStatusError, Batch, PaymentRequiredError
from ._calls import CreateOutcomeUnknown, FatalAPIError, create
from ._context import Context, Work, describe
from ._outcome import adopt, after_unknown_outcome
from ._poller import Poller
from ._reconcile import find_existing, undecided_reason
from ._sent import SentFile, new_content

__all__ = ["submit_batch"]

logger = logging.getLogger("resemble_nb.engine")

Fallback = Callable[[Sequence[Work]], Awaitable[None]]


def _files_text(works: Sequence[Work]) -> str:
    return f"{len(works)} file{'' if len(works) == 1 else 's'}"


async def submit_batch(
    ctx: Context, poller: Poller, works: Sequence[Work], fallback: Fallback
) -> None:
    """Send ``works`` as one batch; follow its detects, or settle every item otherwise."""
    works = sorted(works, key=lambda w: w.job.id)
    for attempt in range(1, ctx.create_attempts + 1):
        ids = [w.job.id for w in works]
        ctx.ledger.mark_submitting(ids, {w.job.id: w.upload_name for w in works})
        ctx.refresh(works)
        ctx.show(works, "submitting")
        ctx.crash("after_mark_submitting")
        try:
            ctx.crash("before_send")
            async with ctx.gate.slot(sum(w.size for w in works)):
                # each file streams from disk under its upload name, in job order,
                # hashed as it goes (what was sent is what is recorded)
                with ExitStack() as stack:
                    opened = [stack.enter_context(SentFile(w.path)) for w in works]
                    files = [(w.upload_name, f) for w, f in zip(works, opened, strict=True)]
                    call = partial(ctx.api.detect_batch, files, options=ctx.options)
                    batch: Batch = await create(call)
                    sent = [(f.sent_sha256, f.sent_size) for f in opened]
        except CreateOutcomeUnknown as unknown:
            works = await after_unknown_outcome(ctx, poller, works, unknown, attempt)
            if not works:
                return
            continue
        except PaymentRequiredError as exc:
            for work in works:
                ctx.fail(
                    [work],
                    f"{work.name}: not analysed: the wallet cannot cover its batch of "
                    f"{_files_text(works)} ({describe(exc)})",
                )
            return
        except OSError:
            # a file vanished or cannot be read: send them one by one so it fails alone
            ctx.ledger.mark_pending(ids, "a file of the batch could not be read")
            ctx.show(works, "pending")
            await fallback(works)
            return
        except APIStatusError as exc:
            if exc.status_code == 401:
                for work in works:
                    ctx.fail([work], f"{work.name}: the API key was refused ({describe(exc)})")
                raise FatalAPIError(describe(exc)) from exc
            if exc.status_code in (400, 413, 415, 422) and len(works) > 1:
                logger.info("batch refused (%s); sending its items one by one", describe(exc))
                ctx.count("batch_splits")
                ctx.ledger.mark_pending(ids, f"batch refused: {describe(exc)}")
                ctx.show(works, "pending")
                await fallback(works)
                return
            for work in works:
                ctx.fail([work], f"{work.name}: the batch was refused ({describe(exc)})")
            return
        ctx.crash("after_create_before_ledger")
        ctx.submitted_now()
        ctx.count("batches_created")
        ctx.count("detects_created", len(works))
        sent_as = _as_sent(ctx, works, sent)
        whole = len(sent_as) == len(works)  # else: match the rest by name
        works = sent_as
        ids = [w.job.id for w in works]
        assign = whole and len(batch.detect_uuids) == len(works)
        with ctx.ledger.transaction():  # submitted, with the detects it made: one commit
            ctx.ledger.mark_submitted(ids, batch_uuid=batch.uuid, request_id=batch.request_id)
            if assign:
                ctx.ledger.assign_detects(dict(zip(ids, batch.detect_uuids, strict=True)))
        if assign:
            ctx.refresh(works)
            ctx.show(works, "submitted")
            ctx.crash("after_submitted")
            poller.watch_batch(batch, works)
            return
        await _resolve_uneven(ctx, poller, batch, works)
        return


def _as_sent(ctx: Context, works: list[Work], sent: Sequence[tuple[str | None, int]]) -> list[Work]:
    """The batch's works as sent: a file that changed since intake is its new content."""
    out: list[Work] = []
    for work, (sha, size) in zip(works, sent, strict=True):
        if sha is None or sha == work.key:
            out.append(work)
            continue
        moved = new_content(ctx, work, sha, size)
        if moved is None:  # that content is already reviewed: its detect stays unowned
            logger.warning("%s: its new content already has a job in this case", work.path)
            continue
        ctx.ledger.mark_submitting(moved.job.id, {moved.job.id: moved.upload_name})
        out.append(dataclasses.replace(moved, job=ctx.ledger.job(moved.job.id)))
    return out


async def _resolve_uneven(
    ctx: Context, poller: Poller, batch: Batch, works: Sequence[Work]
) -> None:
    """The batch answer does not list one detect per file: find each by its name."""
    ctx.refresh(works)
    found = await find_existing(ctx, works)
    for work in works:
        if work.job.id in found:
            adopt(ctx, poller, work, found[work.job.id].uuid)
        elif not found.complete:
            ctx.fail([work], undecided_reason(work, found))
        else:
            ctx.fail(
                [work],
                f"{work.name}: batch {batch.uuid} created no detect for this file",
            )
