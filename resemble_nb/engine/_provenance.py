"""At intake, read each new item's own C2PA manifest once and record it in the ledger.

Content is identity: an item whose provenance was read before (under any path, in any
run) is not read again. The reading runs on a worker thread and never fails intake: a
broken file or a library error becomes that item's state and reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from ..ledger import Ledger
from ..media import MediaItem
from ..media.provenance import Provenance, provenance_tool, read_provenance

__all__ = ["record_provenance"]


def _read(items: Sequence[MediaItem]) -> list[tuple[str, Provenance, str | None]]:
    tool = provenance_tool()
    out = []
    for item in items:
        path = next((Path(p) for p in item.paths if Path(p).is_file()), None)
        reading = (
            read_provenance(path)
            if path is not None
            else Provenance(
                "Unreadable",
                f"{item.paths[0].name if item.paths else item.sha256[:12]}: "
                "no path to it is present here",
                summary="Could not be read: no path to the file is present here.",
            )
        )
        out.append((item.sha256, reading, tool))
    return out


async def record_provenance(ledger: Ledger, items: Sequence[MediaItem]) -> int:
    """Read and record the provenance of the items not read before; return how many."""
    available = provenance_tool() is not None
    todo = set(ledger.provenance_to_read((i.sha256 for i in items), available=available))
    fresh = [i for i in items if i.sha256 in todo]
    if not fresh:
        return 0
    readings = await asyncio.get_running_loop().run_in_executor(None, _read, fresh)
    return ledger.add_provenance(readings)
