"""Exactly once: find a detect the server may already have made before making another.

A create request whose outcome is unknown (the connection dropped after sending, the
process was killed between the request and the ledger write) leaves its job
``submitting``. Before any new attempt the engine lists the team's detects and adopts
the one that matches.

**How a detect is matched.** Every file is uploaded under a name unique to its content
and options: ``<stem>.rnb-<12 hex><ext>`` (``speech.wav`` -> ``speech.rnb-3f2a9c1b0e4d.wav``;
the hex is the first 8 of the content's SHA-256 and 4 of the options key). A detect
matches a job when

* its ``filename`` equals the name the job's create request carried (``submit_name`` in
  the ledger), and
* it was created no earlier than :data:`CLOCK_SKEW` before the job was marked
  ``submitting`` (the mark is taken before the request leaves; the allowance covers a
  server clock behind ours), and
* no other job in the ledger already owns it.

If several match (only possible if the service itself duplicated a request), the
earliest is adopted.

**How the list is read.** The docs promise no order for ``GET /detect`` (contract §11),
so the walk (:mod:`._listing`) learns it from the pages it reads: newest first, oldest
first (read from the last page back) or neither (every page). It stops once every job
is matched, or once every detect made since the earliest mark has been seen, or after
:data:`MAX_PAGES` pages of 1,000. Only a *complete* walk may decide "not there": when
the bound is reached first, the job is left undecided and its caller fails it with
:func:`undecided_reason` (the file name it was sent under and when), instead of sending
it again and risking a second bill.

Zero-retention detects come back with a tokenised file name and cannot be matched: such
a job ends ``failed`` with a message asking to check the dashboard, rather than risking
a second bill.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import PurePath
from typing import Any

from ..api import Detection, DetectionPage
from ._context import Context, Work
from ._listing import walk

__all__ = ["CLOCK_SKEW", "MAX_PAGES", "Found", "find_existing", "undecided_reason", "upload_name"]

logger = logging.getLogger("resemble_nb.engine")

CLOCK_SKEW = timedelta(minutes=2)
MAX_PAGES = 200
"""At most this many list pages (of 1,000 detects) per reconcile: 200,000 detects."""


class Found(dict[int, Detection]):
    """The detect already on the server for each job (by job id) that has one.

    ``complete`` is ``True`` when the walk saw every detect made since the jobs' create
    requests: a job missing here then has no detect. When ``False``, a missing job is
    undecided: it may have one.
    """

    complete: bool = True
    pages: int = 0


def upload_name(name: str, sha256: str, options_key: str) -> str:
    """The file name a create request carries for this item and these options.

    >>> upload_name("speech.wav", "3f2a9c1b" + "0" * 56, "0e4d" + "0" * 12)
    'speech.rnb-3f2a9c1b0e4d.wav'
    """
    path = PurePath(name)
    stem = path.stem or "media"
    tag = f"{sha256[:8]}{options_key[:4]}"
    if len(tag) < 12:  # unusual keys: still stable and 12 characters
        tag = hashlib.sha256(f"{sha256}:{options_key}".encode()).hexdigest()[:12]
    return f"{stem}.rnb-{tag}{path.suffix.lower()}"


def _since(work: Work) -> datetime:
    marked = work.job.submitting_at or datetime.now(timezone.utc)
    return marked - CLOCK_SKEW


def undecided_reason(work: Work, found: Found) -> str:
    """Why a job whose detect may exist is not sent again, and how to check by hand."""
    name = work.job.submit_name or work.upload_name
    when = work.job.submitting_at
    sent = f" at {when.isoformat(timespec='seconds')}" if when else ""
    return (
        f"{work.name}: not sent again: a detect for it may already exist (a create request "
        f"went out{sent} under the file name {name!r}, and {found.pages} page(s) of the "
        "detect list did not settle whether it arrived); look for that file name in the "
        "Resemble dashboard or with client.list_detects(), then review again (it looks "
        "once more), or with force=True to send it anyway"
    )


async def find_existing(
    ctx: Context, works: Sequence[Work], *, max_pages: int | None = None
) -> Found:
    """The detect already on the server for each job in ``works`` (by job id), if any."""
    found = Found()
    wanted: dict[str, list[Work]] = {}
    for work in works:
        name = work.job.submit_name or work.upload_name
        wanted.setdefault(name, []).append(work)
    if not wanted:
        return found
    cutoff = min(_since(w) for w in works)
    candidates: dict[str, dict[str, Detection]] = {}
    ctx.count("reconcile_lists")

    def match(item: Mapping[str, Any]) -> bool:
        return item.get("filename") in wanted

    ours = {w.job.id for w in works}

    def take(page: DetectionPage, item: Mapping[str, Any]) -> None:
        det = page.parse(item)
        if det.filename is None or not det.uuid:
            return
        if det.created_at is not None and det.created_at < cutoff:
            return
        owner = ctx.ledger.job_for_detect(det.uuid)
        if owner is not None and owner.id not in ours:
            return  # another job's detect (the same content reviewed before)
        candidates.setdefault(det.filename, {})[det.uuid] = det

    def done() -> bool:
        return all(len(candidates.get(n, ())) >= len(g) for n, g in wanted.items())

    result = await walk(
        ctx,
        ctx.listing,
        since=cutoff,
        match=match,
        take=take,
        done=done,
        max_pages=MAX_PAGES if max_pages is None else max_pages,
    )
    found.pages = result.requests
    ctx.count("reconcile_pages", result.requests)
    for name, group in wanted.items():
        dets = sorted(
            candidates.get(name, {}).values(),
            key=lambda d: d.created_at or datetime.min.replace(tzinfo=timezone.utc),
        )
        total = len(dets)
        for work in sorted(group, key=lambda w: w.job.id):
            for det in dets:
                if det.created_at is not None and det.created_at < _since(work):
                    continue
                owner = ctx.ledger.job_for_detect(det.uuid)
                if owner is not None and owner.id != work.job.id:
                    continue
                found[work.job.id] = det
                dets.remove(det)
                if total > 1:
                    logger.warning(
                        "%s: %d detects carry its upload name; adopted the earliest (%s)",
                        work.name,
                        total,
                        det.uuid,
                    )
                break
    found.complete = result.complete or len(found) == len(works)
    ctx.count("reconciled", len(found))
    return found
