"""One item through ``/secure_uploads`` + ``POST /detect`` (large files, single-only options).

The media token lives in memory only, for the few moments between the upload and the
create request. A token is single-purpose (contract §11): every create attempt gets a
fresh upload, so no token is ever sent twice; one refused as a token (status code and
body fields, never the message's wording: :func:`token_refused`) is replaced once.
Every step is in the ledger before the next one starts:
``uploading`` -> ``submitting`` (with the upload name and the upload's request id) ->
create -> ``submitted`` (with the detect uuid and the create's request id).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from ..api import APIConnectionError, APIStatusError, AuthenticationError, MediaToken
from ._calls import CreateOutcomeUnknown, FatalAPIError, create, not_created, retry_after
from ._context import Context, Work, describe
from ._outcome import after_unknown_outcome
from ._poller import Poller
from ._sent import SentFile, new_content

__all__ = ["submit_single", "token_refused"]

logger = logging.getLogger("resemble_nb.engine")


TOKEN_FIELD = "media_token"


def token_refused(exc: APIStatusError) -> bool:
    """Whether a refused create may be the media token's fault (decided without wording).

    The docs say neither how an expired nor a used token is refused. A 400, 404, 410 or
    422 qualifies unless its body's ``errors`` names only other fields; 401 is the key,
    402 the wallet, 403 the plan. Nothing is billed on a refusal, so one fresh upload
    settles it.
    """
    if exc.status_code not in (400, 404, 410, 422):
        return False
    body = exc.body if isinstance(exc.body, Mapping) else {}
    fields = body.get("errors")
    if isinstance(fields, Mapping) and fields:
        return TOKEN_FIELD in fields
    return True


async def _upload(ctx: Context, work: Work) -> tuple[MediaToken, str | None, int]:
    """A fresh media token, and the SHA-256 and size of what the upload sent."""
    ctx.ledger.mark_uploading(work.job.id)
    ctx.show([work], "uploading")
    ctx.crash("before_send")
    async with ctx.gate.slot(work.size):
        with SentFile(work.path) as file:
            token: MediaToken = await ctx.api.secure_upload(file, filename=work.upload_name)
            sent, size = file.sent_sha256, file.sent_size
    ctx.count("uploads")
    ctx.crash("after_upload")
    return token, sent, size


def _stale(ctx: Context, token: MediaToken) -> bool:
    """Too old to send: expired, or older than about 55 minutes (tokens live an hour)."""
    return token.expired or token.age.total_seconds() > ctx.token_max_age


async def submit_single(ctx: Context, poller: Poller, work: Work) -> None:
    """Upload, create and hand the detect to the poller; failures end on this item only."""
    box = [work]  # the file may turn out to be new content: a new item's work
    try:
        await _submit(ctx, poller, box)
    except FatalAPIError:
        raise
    except AuthenticationError as exc:
        work = box[0]
        ctx.fail([work], f"{work.name}: the API key was refused ({describe(exc)})")
        raise FatalAPIError(describe(exc)) from exc
    except FileNotFoundError:
        work = box[0]
        ctx.fail([work], f"{work.path}: the file disappeared before it could be uploaded")
    except OSError as exc:
        work = box[0]
        ctx.fail([work], f"{work.path}: cannot be read ({describe(exc)})")
    except APIStatusError as exc:
        work = box[0]
        ctx.fail([work], f"{work.name}: refused by the API ({describe(exc)})")
    except APIConnectionError as exc:
        work = box[0]
        why = describe(exc)
        ctx.fail([work], f"{work.name}: not submitted: the API could not be reached ({why})")
    except Exception as exc:  # a bug or an unforeseen answer: this item only
        work = box[0]
        logger.exception("submitting %s failed", work.name)
        ctx.fail([work], f"{work.name}: {describe(exc)}")


async def _submit(ctx: Context, poller: Poller, box: list[Work]) -> None:
    work = box[0]
    unknown_outcomes = throttled = refusals = 0
    while True:
        # a token is single-purpose: every create attempt gets a fresh upload
        token, sent, size = await _upload(ctx, work)
        if sent is not None and sent != work.key:  # the file changed since intake
            moved = new_content(ctx, work, sent, size)
            if moved is None:
                return
            work = box[0] = moved
        if _stale(ctx, token):
            ctx.fail(
                [work],
                f"{work.name}: the media token had expired by the time it arrived "
                f"(expires {token.expires_at.isoformat()}); check the computer's clock",
            )
            return
        ctx.ledger.mark_submitting(
            work.job.id, {work.job.id: work.upload_name}, upload_request_id=token.request_id
        )
        ctx.refresh([work])
        ctx.show([work], "submitting")
        ctx.crash("after_mark_submitting")
        try:
            call = partial(ctx.creator.detect, media_token=token, options=ctx.options)
            detection = await create(call)
        except CreateOutcomeUnknown as unknown:
            unknown_outcomes += 1
            if await after_unknown_outcome(ctx, poller, [work], unknown, unknown_outcomes):
                continue
            return
        except (APIStatusError, APIConnectionError) as exc:
            if isinstance(exc, APIStatusError) and exc.status_code == 401:
                raise
            if not_created(exc) and throttled < ctx.create_attempts:
                throttled += 1  # refused before anything was made: wait, then a new token
                ctx.count("engine_retries")
                ctx.ledger.mark_pending(work.job.id, f"refused for now: {describe(exc)}")
                await ctx.sleep(ctx.backoff(throttled, retry_after(exc)))
                continue
            if not isinstance(exc, APIStatusError):
                raise
            if token_refused(exc) and refusals == 0:
                refusals += 1
                ctx.count("token_reuploads")
                ctx.ledger.mark_pending(work.job.id, "media token refused; uploading again")
                continue
            ctx.fail([work], f"{work.name}: the detect was refused ({describe(exc)})")
            return
        ctx.crash("after_create_before_ledger")
        ctx.ledger.mark_submitted(
            work.job.id, detect_uuid=detection.uuid, request_id=detection.request_id
        )
        ctx.refresh([work])
        ctx.submitted_now()
        ctx.count("detects_created")
        ctx.show([work], "submitted")
        ctx.crash("after_submitted")
        poller.watch(work, detection.uuid, detection)
        return
