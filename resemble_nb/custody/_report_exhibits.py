"""The report's exhibits: one clip per flagged item around its most suspicious moment.

Each is cut once (a later report reuses it), recorded with its lineage, and shown in the
report's custody appendix with a picture: a spectrogram for a sound clip, a frame for a
video clip or a still.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resemble_nb._core.markup import image_uri
from resemble_nb.ledger import Ledger

from ._errors import CustodyError
from .exhibits import cut_exhibit

__all__ = ["exhibit_picture", "flagged_exhibits"]

_MARGIN_S = 1.0
_THUMB_PX = 360


def _top_moment(segments: pd.DataFrame, sha: str) -> tuple[float, float] | None:
    rows = segments[(segments["sha256"] == sha) & segments["score"].notna()]
    rows = rows[rows["kind"].isin(["window", "frame"])]
    if rows.empty:
        return None
    top = rows.loc[rows["score"].astype(float).idxmax()]
    start = float(top["start_s"])
    end = float(top["end_s"]) if pd.notna(top.get("end_s")) else start
    return max(0.0, start - _MARGIN_S), max(end, start) + _MARGIN_S


def flagged_exhibits(
    ledger: Ledger,
    results: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    flagged: Any,
    folder: Path,
    limit: int = 20,
) -> list[str]:
    """Cut (or reuse) an exhibit for each flagged sound or video item; return any problems.

    ``flagged(row) -> bool`` says which rows are flagged (the report's own rule).
    """
    have = {e.source_sha256 for e in ledger.exhibits() if e.kind == "clip"}
    problems: list[str] = []
    rows: list[Mapping[Hashable, Any]] = [
        row
        for row in results.sort_values("score", ascending=False, na_position="last").to_dict(
            "records"
        )
        if row.get("media_type") in ("audio", "video") and flagged(row)
    ]
    for row in rows[:limit]:
        sha = str(row["sha256"])
        if sha in have:
            continue
        moment = _top_moment(segments, sha)
        if moment is None:
            continue
        start, end = moment
        duration = row.get("duration")
        if duration is not None and pd.notna(duration):
            end = min(end, float(duration))
        item = ledger.item(sha)
        present = [p.path for p in item.paths if p.path.is_file()] if item else []
        if not present or end <= start:
            continue
        try:
            cut_exhibit(
                ledger,
                sha256=sha,
                source=present[0],
                source_name=str(row["name"]),
                media_type=str(row["media_type"]),
                start=start,
                end=end,
                folder=folder,
            )
        except CustodyError as exc:
            problems.append(str(exc))
    return problems


def _png_uri(data: bytes) -> str | None:
    return image_uri(data)


def _spectrogram(path: Path) -> str | None:
    import av
    from matplotlib.figure import Figure

    from resemble_nb.plots import figure_to_data_uri

    with av.open(str(path)) as container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            return None
        rate = int(stream.rate or 16000)
        chunks = [frame.to_ndarray().astype(np.float32) for frame in container.decode(stream)]
    if not chunks:
        return None
    samples = np.concatenate([c.reshape(c.shape[0], -1).mean(axis=0) for c in chunks])
    fig = Figure(figsize=(4.2, 1.6))
    ax = fig.add_subplot()
    with np.errstate(divide="ignore"):  # silence is -inf dB: drawn as the floor colour
        ax.specgram(samples, Fs=rate, NFFT=512, noverlap=384, cmap="magma")
    ax.set_xlabel("seconds into the clip", fontsize=7)
    ax.set_ylabel("Hz", fontsize=7)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    return figure_to_data_uri(fig, dpi=90)


def _frame(path: Path) -> str | None:
    from PIL import Image

    if path.suffix.lower() == ".png":
        image = Image.open(path)
    else:
        import av

        with av.open(str(path)) as container:
            stream = next((s for s in container.streams if s.type == "video"), None)
            if stream is None:
                return None
            frame = next(container.decode(stream), None)
            if frame is None:
                return None
            image = frame.to_image()
    image.thumbnail((_THUMB_PX, _THUMB_PX))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return _png_uri(buffer.getvalue())


def exhibit_picture(path: Path, kind: str) -> str | None:
    """A small picture of an exhibit for the report, or ``None`` (never raises)."""
    try:
        if not path.is_file():
            return None
        if kind == "clip" and path.suffix.lower() == ".wav":
            return _spectrogram(path)
        return _frame(path)
    except Exception:  # a picture is a courtesy: its absence must never stop a report
        return None
