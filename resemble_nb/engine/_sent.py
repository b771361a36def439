"""What was sent is what is recorded: hash the bytes as they stream out.

A file can change between intake (where its SHA-256 made it an item) and the moment it
is uploaded. :class:`SentFile` is the open file handed to the api layer's streaming
upload: it hashes exactly the bytes read from it, from the start to the end, without a
second read or a copy in memory. When that hash differs from the intake hash,
:func:`new_content` makes the content that was sent a new item (with the path) and a
job for it, and the old item ends ``failed`` with a reason saying the file changed
under it; the run's summary lists that reason like any other.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
from typing import Any

from ..ledger import JobSpec
from ..media import MediaItem
from ._context import Context, Work
from ._state import ItemStatus

__all__ = ["SentFile", "changed_reason", "new_content"]

logger = logging.getLogger("resemble_nb.engine")


class SentFile(io.FileIO):
    """A file opened for reading that hashes what is read from it.

    :attr:`sent_sha256` is the SHA-256 of the whole file as read in order from its start
    (a rewind for a resend starts over), or ``None`` if it was not read that way.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(os.fspath(path), "rb")
        self._reset()

    def _reset(self) -> None:
        self._hash = hashlib.sha256()
        self._bytes = 0
        self._clean = True
        self._eof = False

    def _take(self, data: Any, asked: int) -> None:
        if data:
            self._hash.update(data)
            self._bytes += len(data)
        elif asked != 0:
            self._eof = True

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self._take(data, -1 if size is None else size)
        return data

    def readall(self) -> bytes:
        data = super().readall()
        self._take(data, -1)
        self._eof = True
        return data

    def readinto(self, buffer: Any) -> int:
        n = super().readinto(buffer)
        self._take(memoryview(buffer)[: n or 0], len(buffer))
        return n or 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        where = super().seek(offset, whence)
        if where == 0:
            self._reset()
        elif where != self._bytes:
            self._clean = False
        return where

    @property
    def sent_sha256(self) -> str | None:
        """The hash of what was read, if the whole file was read from its start."""
        return self._hash.hexdigest() if self._clean and self._eof else None

    @property
    def sent_size(self) -> int:
        return self._bytes


def changed_reason(work: Work, sent: str) -> str:
    """The old item's reason: its file changed between intake and upload."""
    return (
        f"{work.path}: the file changed after it was inspected (SHA-256 {work.key[:12]}... "
        f"then, {sent[:12]}... when sent); what was sent is recorded as a new item "
        f"{sent[:12]}... with this path, and this content was not analysed"
    )


def new_content(ctx: Context, work: Work, sent: str, size: int) -> Work | None:
    """Make the content that was sent a new item and job; end the old item ``failed``.

    Returns the new item's work, ``pending`` in the ledger, or ``None`` when that
    content already has a job in flight or done in this case (nothing more to send).
    """
    ctx.count("changed_files")
    item = MediaItem(
        sha256=sent,
        size=size,
        media_type=work.item.media_type,
        mime=work.item.mime,
        extension=work.item.extension,
        duration=None,
        paths=(work.path,),
    )
    ledger = ctx.ledger
    known = ledger.job_for(sent, ctx.options_key)
    ledger.add_items([item])
    reason = changed_reason(work, sent)
    logger.warning("%s", reason)
    ctx.fail([work], reason)
    if known is not None and known.state != "failed":
        return None
    spec = JobSpec(sent, ctx.options_key, work.job.strategy, ctx.source, options=dict(ctx.options))
    job, _ = ledger.ensure_jobs([spec])[0]
    if job.state != "pending":
        ledger.mark_pending(job.id)
        job = ledger.job(job.id)
    moved = dataclasses.replace(work, item=item, job=job)
    ctx.tracker.add(
        [ItemStatus(key=sent, name=item.name, media_type=item.media_type, state="pending")]
    )
    return moved
