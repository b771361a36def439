"""The report's pictures of a flagged item, gathered from the case (issue 20 item 3).

An image: the file itself (when a copy that still is the item is here), with the
heatmap the service returned over it. A video: thumbnails at its most suspicious scored
frames (the board's cache makes them instant). Embedded exhibits: see
:func:`exhibit_media`, within :data:`EXHIBIT_EMBED_BYTES` each and
:data:`EXHIBITS_EMBED_TOTAL` per report; a larger one is named with where its file is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .._core.markup import media_uri
from ..media.limits import format_bytes
from ._base import CaseBase

__all__ = ["EXHIBITS_EMBED_TOTAL", "EXHIBIT_EMBED_BYTES", "embed_exhibits", "item_pictures"]

EXHIBIT_EMBED_BYTES = 8 * 1024**2
"""The largest exhibit clip embedded in the report as a player (bigger: named, beside it)."""
EXHIBITS_EMBED_TOTAL = 40 * 1024**2
"""At most this many bytes of exhibit clips are embedded in one report."""
_KEY_FRAMES = 8
_HEATMAPS = ("image_heatmap", "ifl_heatmap")


def _present(case: CaseBase, sha: str) -> tuple[Any, Path | None]:
    from ..widgets.inspector._server import servable

    item = case.ledger.item(sha)
    if item is None:
        return None, None
    for p in item.paths:
        if servable(p.path, item.size):  # still this item's bytes, and media
            return item, p.path
    return item, None


def _heatmap(case: CaseBase, sha: str) -> bytes | None:
    from ..report._analysis_view import richest

    _, _, _, job = richest(case.ledger, sha)
    if job is None:
        return None
    found = {a.name: a.data for a in case.ledger.artifacts_for(job)}
    return next((found[n] for n in _HEATMAPS if n in found), None)


def _frames(case: CaseBase, segments: pd.DataFrame, sha: str, path: Path) -> list[Any]:
    from ..widgets.inspector import cache_dir
    from ..widgets.inspector._frames import key_frames

    rows = segments[(segments["sha256"] == sha) & (segments["kind"] == "frame")]
    rows = rows[rows["score"].notna() & rows["start_s"].notna()]
    if rows.empty:
        return []
    top = rows.sort_values("score", ascending=False).head(_KEY_FRAMES)
    scored = [
        (float(r["start_s"]), float(r["score"]), None if pd.isna(r["label"]) else str(r["label"]))
        for r in top.to_dict("records")
    ]
    _, frames = key_frames(path, scored, cache=cache_dir(case.folder))
    return frames


def item_pictures(case: CaseBase, segments: pd.DataFrame) -> Callable[[str], str]:
    """``sha256 -> HTML``: the flagged item's picture for the report (``""`` if none)."""
    from ..report._pictures import image_with_heatmap_html, key_frames_html

    def picture(sha: str) -> str:
        try:
            item, path = _present(case, sha)
            if item is None:
                return ""
            if item.media_type == "image":
                data = path.read_bytes() if path is not None else None
                return image_with_heatmap_html(item.name, data, _heatmap(case, sha))
            if item.media_type == "video" and path is not None:
                return key_frames_html(item.name, _frames(case, segments, sha, path))
        except Exception:  # a picture is a courtesy: it never stops a report
            return ""
        return ""

    return picture


def embed_exhibits(rows: list[dict[str, Any]]) -> None:
    """Add each clip's player source (``media``, a sniffed ``data:`` URI) to ``rows``
    within the budget, or ``not_embedded`` saying why and where its file is."""
    left = EXHIBITS_EMBED_TOTAL
    for row in rows:
        if row["kind"] != "clip":
            continue
        path = Path(row["path"])
        row["video"] = path.suffix.lower() == ".mp4"
        where = f"its file is exhibits/{row['name']} in the case folder and the handover bundle"
        size = int(row.get("size") or 0)
        if size > EXHIBIT_EMBED_BYTES or size > left:
            budget = format_bytes(EXHIBIT_EMBED_BYTES if size > EXHIBIT_EMBED_BYTES else left)
            row["not_embedded"] = f"{format_bytes(size)}, over the {budget} left to embed; {where}"
            continue
        try:
            data = path.read_bytes()
        except OSError:
            row["not_embedded"] = f"not found here; {where}"
            continue
        uri = media_uri(data, row["video"])
        if uri is None:
            row["not_embedded"] = f"not a sound or video file a browser plays; {where}"
            continue
        row["media"] = uri
        left -= len(data)
