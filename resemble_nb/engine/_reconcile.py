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
earliest is adopted. Listing walks ``GET /detect`` pages (newest first, up to 1,000 a
page) and stops at the first detect older than the earliest mark.

Zero-retention detects come back with a tokenised file name and cannot be matched: such
a job ends ``failed`` with a message asking to check the dashboard, rather than risking
a second bill.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import PurePath

from ..api import Detection
from ._calls import safely
from ._context import Context, Work

__all__ = ["CLOCK_SKEW", "MAX_PAGES", "find_existing", "upload_name"]

logger = logging.getLogger("resemble_nb.engine")

CLOCK_SKEW = timedelta(minutes=2)
MAX_PAGES = 50


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


async def find_existing(ctx: Context, works: Sequence[Work]) -> dict[int, Detection]:
    """The detect already on the server for each job in ``works`` (by job id), if any."""
    wanted: dict[str, list[Work]] = {}
    for work in works:
        name = work.job.submit_name or work.upload_name
        wanted.setdefault(name, []).append(work)
    if not wanted:
        return {}
    cutoff = min(_since(w) for w in works)
    page_size = 1000 if len(works) > 50 else 100
    candidates: dict[str, list[Detection]] = {}
    page = 1
    ctx.count("reconcile_lists")
    while True:
        result = await safely(ctx, partial(ctx.api.list_detects, page, page_size))
        oldest: datetime | None = None
        for det in result.items:
            if det.filename in wanted:
                candidates.setdefault(det.filename, []).append(det)
            if det.created_at is not None and (oldest is None or det.created_at < oldest):
                oldest = det.created_at
        done = not result.items or page >= result.num_pages
        if done or (oldest is not None and oldest < cutoff) or page >= MAX_PAGES:
            break
        page += 1
    found: dict[int, Detection] = {}
    for name, group in wanted.items():
        dets = sorted(
            candidates.get(name, []),
            key=lambda d: d.created_at or datetime.min.replace(tzinfo=timezone.utc),
        )
        for work in sorted(group, key=lambda w: w.job.id):
            for det in dets:
                if det.created_at is not None and det.created_at < _since(work):
                    continue
                owner = ctx.ledger.job_for_detect(det.uuid)
                if owner is not None and owner.id != work.job.id:
                    continue
                found[work.job.id] = det
                dets.remove(det)
                if len(candidates.get(name, [])) > 1:
                    logger.warning(
                        "%s: %d detects carry its upload name; adopted the earliest (%s)",
                        work.name,
                        len(candidates[name]),
                        det.uuid,
                    )
                break
    ctx.count("reconciled", len(found))
    return found
