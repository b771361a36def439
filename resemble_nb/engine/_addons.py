"""Answers from a detect that already exists: an analysis added to it, or a second read.

* **Add** (:func:`add_analyses`): the request differs from a completed result only by
  analyses the API can add to an existing detect (contract §5.1: ``POST /intelligence``
  with ``detect_id`` and the media as a fresh ``media_token``). No detect is created.
  The new job's result is the detect read again (``GET``), with the added report beside
  it; a report the service refuses is kept as a failed analysis with its reason.
* **Refresh** (:func:`reread`): a completed result whose requested analysis was not
  returned within the run's patience: its detect is read again, nothing is created.

Each is a job of its own (the chain records every answer), whose detect is the earlier
one, so results, board and report show it like any other.
"""

from __future__ import annotations

import logging
from typing import Any

from ..api import APIConnectionError, APIStatusError, Detection, Intelligence, MediaToken
from ._context import Context, Work, describe
from ._poller import Poller
from ._sent import SentFile

__all__ = ["NOT_AN_ANSWER", "add_analyses", "reread"]

NOT_AN_ANSWER = frozenset({401, 402, 403, 429})
"""Refusals that say nothing about the media: the job fails (a later review asks again)
instead of the report being kept as failed."""

logger = logging.getLogger("resemble_nb.engine")


async def _token(ctx: Context, work: Work) -> MediaToken:
    ctx.ledger.mark_uploading(work.job.id)
    ctx.show([work], "uploading")
    async with ctx.gate.slot(work.size):
        with SentFile(work.path) as file:
            token: MediaToken = await ctx.api.secure_upload(file, filename=work.upload_name)
    ctx.count("uploads")
    return token


def _merged(det: Detection, added: dict[str, Any]) -> Detection:
    raw = dict(det.raw)
    raw.update(added)
    return Detection.from_json(raw, det.source)


async def add_analyses(ctx: Context, poller: Poller, work: Work, base_uuid: str) -> None:
    """Add the missing analyses (intelligence) to detect ``base_uuid`` for ``work``."""
    try:
        token = await _token(ctx, work)
        ctx.ledger.mark_submitting(
            work.job.id, {work.job.id: work.upload_name}, upload_request_id=token.request_id
        )
        ctx.show([work], "submitting")
        block: dict[str, Any]
        try:
            report: Intelligence = await ctx.creator.intelligence(
                media_token=token, detect_id=base_uuid, media_type=work.item.media_type
            )
            block = dict(report.raw)
            block.setdefault("status", report.status or "completed")
            ctx.count("intelligence_added")
        except APIStatusError as exc:
            if exc.status_code in NOT_AN_ANSWER:
                raise  # the account, the wallet or the rate: nothing was made; next review
            # the report itself failed: kept as a failed analysis, with the service's reason
            block = {"status": "failed", "error_message": describe(exc), "description": None}
        ctx.ledger.mark_submitted(work.job.id, detect_uuid=base_uuid)
        ctx.refresh([work])
        det = await ctx.api.get_detect(base_uuid)
    except (APIStatusError, APIConnectionError, OSError) as exc:
        ctx.fail(
            [work], f"{work.name}: the intelligence report could not be added ({describe(exc)})"
        )
        return
    await poller.settle(work, _merged(det, {"intelligence": block}))


async def reread(ctx: Context, poller: Poller, work: Work, base_uuid: str) -> None:
    """Read detect ``base_uuid`` again for ``work`` (analyses not returned before)."""
    ledger = ctx.ledger
    ledger.mark_submitting(work.job.id, {work.job.id: work.upload_name})
    ledger.mark_submitted(work.job.id, detect_uuid=base_uuid)
    ctx.refresh([work])
    ctx.show([work], "submitted")
    poller.watch(work, base_uuid)
