"""One item through ``/secure_uploads`` + ``POST /detect`` (large files, single-only options).

The media token lives in memory only, for the few moments between the upload and the
create request; it is re-made when older than about 55 minutes, and once more when the
server says it expired. Every step is in the ledger before the next one starts:
``uploading`` -> ``submitting`` (with the upload name) -> create -> ``submitted`` (with
the detect uuid).
"""

from __future__ import annotations

import logging
from functools import partial

from ..api import APIStatusError, AuthenticationError, MediaToken
from ._calls import CreateOutcomeUnknown, FatalAPIError, create, safely
from ._context import Context, Work, describe
from ._poller import Poller
from ._reconcile import find_existing

__all__ = ["adopt", "submit_single"]

logger = logging.getLogger("resemble_nb.engine")


def _expired_token(exc: APIStatusError) -> bool:
    return exc.status_code in (400, 401, 403) and "expired" in exc.message.lower()


async def _upload(ctx: Context, work: Work) -> MediaToken:
    ctx.ledger.mark_uploading(work.job.id)
    ctx.show([work], "uploading")
    async with ctx.gate.slot(work.size):
        token: MediaToken = await safely(
            ctx, lambda: ctx.api.secure_upload(work.path, filename=work.upload_name)
        )
    ctx.count("uploads")
    ctx.crash("after_upload")
    return token


def _stale(ctx: Context, token: MediaToken) -> bool:
    """Too old to send: expired, or older than about 55 minutes (tokens live an hour)."""
    return token.expired or token.age.total_seconds() > ctx.token_max_age


def adopt(ctx: Context, poller: Poller, work: Work, detect_uuid: str) -> None:
    """Record a detect that already exists for this job and follow it."""
    ctx.ledger.mark_submitted(work.job.id, detect_uuid=detect_uuid)
    ctx.refresh([work])
    ctx.show([work], "submitted")
    poller.watch(work, detect_uuid)


async def submit_single(ctx: Context, poller: Poller, work: Work) -> None:
    """Upload, create and hand the detect to the poller; failures end on this item only."""
    try:
        await _submit(ctx, poller, work)
    except FatalAPIError:
        raise
    except AuthenticationError as exc:
        ctx.fail([work], f"{work.name}: the API key was refused ({describe(exc)})")
        raise FatalAPIError(describe(exc)) from exc
    except FileNotFoundError:
        ctx.fail([work], f"{work.path}: the file disappeared before it could be uploaded")
    except OSError as exc:
        ctx.fail([work], f"{work.path}: cannot be read ({describe(exc)})")
    except APIStatusError as exc:
        ctx.fail([work], f"{work.name}: refused by the API ({describe(exc)})")
    except Exception as exc:  # a bug or an unforeseen answer: this item only
        logger.exception("submitting %s failed", work.name)
        ctx.fail([work], f"{work.name}: {describe(exc)}")


async def _submit(ctx: Context, poller: Poller, work: Work) -> None:
    token: MediaToken | None = None
    re_uploads = 0
    for attempt in range(1, ctx.create_attempts + 1):
        if token is None or _stale(ctx, token):
            token = await _upload(ctx, work)
            if _stale(ctx, token):
                ctx.fail(
                    [work],
                    f"{work.name}: the media token had expired by the time it arrived "
                    f"(expires {token.expires_at.isoformat()}); check the computer's clock",
                )
                return
        ctx.ledger.mark_submitting(work.job.id, {work.job.id: work.upload_name})
        ctx.refresh([work])
        ctx.show([work], "submitting")
        ctx.crash("after_mark_submitting")
        try:
            detection = await create(
                ctx, partial(ctx.creator.detect, media_token=token, options=ctx.options)
            )
        except CreateOutcomeUnknown as unknown:
            found = await find_existing(ctx, [work])
            if work.job.id in found:
                adopt(ctx, poller, work, found[work.job.id].uuid)
                return
            if ctx.options.get("zero_retention_mode"):
                ctx.fail(
                    [work],
                    f"{work.name}: the create request's outcome is unknown ({unknown}) and a "
                    "zero-retention detect cannot be looked up by name; check the Resemble "
                    "dashboard, then review with force=True if it is not there",
                )
                return
            ctx.ledger.mark_pending(work.job.id, f"outcome unknown, not found: {unknown}")
            ctx.show([work], "pending")
            if attempt == ctx.create_attempts:
                ctx.fail(
                    [work],
                    f"{work.name}: could not create the detect after {attempt} attempts "
                    f"(last: {unknown})",
                )
                return
            continue
        except APIStatusError as exc:
            if _expired_token(exc) and re_uploads == 0:
                re_uploads += 1
                ctx.count("token_reuploads")
                ctx.ledger.mark_pending(work.job.id, "media token expired; uploading again")
                token = None
                continue
            if exc.status_code == 401:
                raise
            ctx.fail([work], f"{work.name}: the detect was refused ({describe(exc)})")
            return
        ctx.crash("after_create_before_ledger")
        ctx.ledger.mark_submitted(work.job.id, detect_uuid=detection.uuid)
        ctx.refresh([work])
        ctx.submitted_now()
        ctx.count("detects_created")
        ctx.show([work], "submitted")
        ctx.crash("after_submitted")
        poller.watch(work, detection.uuid, detection)
        return
