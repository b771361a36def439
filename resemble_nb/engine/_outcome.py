"""After a create request whose outcome is unknown: one way, for single detects and batches.

The request may have made its detect(s). Look them up (:func:`find_existing`), adopt what
exists, and send again only what is provably not there; an item whose fate cannot be
told (an incomplete lookup, a zero-retention detect that cannot be found by name, too
many attempts) ends ``failed`` with a reason that says how to check, never sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._calls import CreateOutcomeUnknown
from ._context import Context, Work
from ._poller import Poller
from ._reconcile import find_existing, undecided_reason

__all__ = ["adopt", "after_unknown_outcome"]


def adopt(ctx: Context, poller: Poller, work: Work, detect_uuid: str) -> None:
    """Record a detect that already exists for this job and follow it."""
    ctx.ledger.mark_submitted(work.job.id, detect_uuid=detect_uuid)
    ctx.refresh([work])
    ctx.show([work], "submitted")
    poller.watch(work, detect_uuid)


async def after_unknown_outcome(
    ctx: Context,
    poller: Poller,
    works: Sequence[Work],
    unknown: CreateOutcomeUnknown,
    attempt: int,
) -> list[Work]:
    """Settle ``works`` after ``unknown``; return those to send again (maybe none).

    ``attempt`` counts the create requests made for them so far.
    """
    found = await find_existing(ctx, works)
    for work in works:
        if work.job.id in found:
            adopt(ctx, poller, work, found[work.job.id].uuid)
    rest = [w for w in works if w.job.id not in found]
    if not rest:
        return []
    if not found.complete:  # they may exist: never risk a second bill
        for work in rest:
            ctx.fail([work], undecided_reason(work, found))
        return []
    if ctx.options.get("zero_retention_mode"):
        for work in rest:
            ctx.fail(
                [work],
                f"{work.name}: the create request's outcome is unknown ({unknown}) and a "
                "zero-retention detect cannot be looked up by name; check the Resemble "
                "dashboard, then review with force=True if it is not there",
            )
        return []
    ctx.ledger.mark_pending([w.job.id for w in rest], f"outcome unknown, not found: {unknown}")
    ctx.show(rest, "pending")
    if attempt >= ctx.create_attempts:
        for work in rest:
            ctx.fail(
                [work],
                f"{work.name}: could not create the detect after {attempt} attempts "
                f"(last: {unknown})",
            )
        return []
    return rest
