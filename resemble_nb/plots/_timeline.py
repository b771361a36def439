"""One item's timeline: audio windows, video frames and face segments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from resemble_nb.ledger import DEFAULT_THRESHOLD
from resemble_nb.plots._style import (
    _THRESHOLD_STYLE,
    LABEL_COLORS,
    NO_LABEL_COLOR,
    _axes,
    _columns,
    _label_colors,
    _labels_present,
    _legend_name,
    _message,
    _outside_legend,
    _require,
    _scores,
    _threshold_text,
)


def _resolve_item(segments: pd.DataFrame, item: str) -> tuple[str | None, str]:
    """(sha256, display name) for ``item``, given as a sha256 or a file name."""
    shas = segments["sha256"].astype("string")
    if (shas == item).any():
        names = segments.loc[shas == item, "name"].dropna()
        return item, str(names.iloc[0]) if len(names) else item
    by_name = segments.loc[(segments["name"].astype("string") == item).fillna(False), "sha256"]
    found = list(dict.fromkeys(str(s) for s in by_name.dropna()))
    if len(found) > 1:
        short = ", ".join(s[:12] for s in found)
        raise ValueError(f"{item!r} names {len(found)} different items ({short}); pass the sha256")
    return (found[0] if found else None), item


_WINDOW_FILL = "#cfd8dc"


def timeline(
    segments: pd.DataFrame,
    item: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    ax: Axes | None = None,
) -> Figure:
    """One item's scores over time: audio windows, video frames and face segments.

    ``item`` is the item's sha256 or its file name. Audio windows are drawn as flat
    steps over their start..end seconds (the fill shows the window's label), video
    frames as a line of points at their timestamps, face segments as small diamonds.
    """
    _require(
        segments,
        ("sha256", "name", "track", "kind", "start_s", "end_s", "score", "label"),
        "segments",
    )
    sha, name = _resolve_item(segments, item)
    fig, ax = _axes(ax, (9.0, 3.6))
    title = f"Timeline: {name}"
    if sha is None:
        return _message(
            fig,
            ax,
            title,
            "No time-based scores for this item\n(images, pending and failed items have none)",
        )
    rows = segments[(segments["sha256"].astype("string") == sha)]
    rows = rows[rows["start_s"].notna() & rows["score"].notna()]
    if rows.empty:
        return _message(fig, ax, title, "No time-based scores for this item")

    kind = rows["kind"].astype("string")
    track = rows["track"].astype("string")
    windows = rows[(kind == "window").fillna(False).to_numpy()]
    frames = rows[((kind == "frame") & (track != "audio")).fillna(False).to_numpy()]
    faces = rows[(kind == "segment").fillna(False).to_numpy()]
    handles: list[Any] = []

    ax.axhspan(threshold, 1.02, color=LABEL_COLORS["fake"], alpha=0.05, linewidth=0)
    if len(windows):
        start = windows["start_s"].to_numpy(dtype=float)
        end = windows["end_s"].fillna(windows["start_s"]).to_numpy(dtype=float)
        score = _scores(windows)
        _columns(
            ax,
            start,
            np.maximum(end, start + 1e-3),
            score,
            linewidths=0,
            alpha=0.45,
            # the API labels whole items, not windows: unlabelled windows get the track's tint
            facecolors=_label_colors(windows["label"], missing=_WINDOW_FILL),
        )
        ax.hlines(score, start, end, color="#263238", linewidth=2.0)
        handles.append(
            Line2D([], [], color="#263238", linewidth=2.0, label=f"audio windows ({len(windows)})")
        )
    if len(frames):
        frames = frames.sort_values("start_s")
        ts = frames["start_s"].to_numpy(dtype=float)
        ax.plot(ts, _scores(frames), color="#1f4e79", linewidth=1.0, zorder=3)
        ax.scatter(
            ts,
            _scores(frames),
            s=30 if len(frames) <= 120 else 10,
            color=_label_colors(frames["label"]),
            edgecolors="#1f4e79",
            linewidths=0.9 if len(frames) <= 120 else 0.4,
            zorder=4,
        )
        handles.append(
            Line2D(
                [],
                [],
                color="#1f4e79",
                marker="o",
                markerfacecolor="white",
                label=f"video frames ({len(frames)})",
            )
        )
    if len(faces):
        ax.scatter(
            faces["start_s"].to_numpy(dtype=float),
            _scores(faces),
            s=14,
            marker="D",
            color="#555555",
            alpha=0.7,
            linewidths=0,
            zorder=5,
        )
        handles.append(
            Line2D(
                [],
                [],
                color="#555555",
                marker="D",
                linestyle="",
                markersize=4,
                label=f"face segments ({len(faces)})",
            )
        )
    handles.append(Line2D([], [], label=_threshold_text(threshold), **_THRESHOLD_STYLE))
    ax.axhline(threshold, **_THRESHOLD_STYLE)
    handles += [
        Patch(color=LABEL_COLORS.get(lab or "", NO_LABEL_COLOR), label=_legend_name(lab))
        for lab in _labels_present(
            pd.concat([windows["label"].dropna(), frames["label"], faces["label"]])
        )
    ]

    t_end = float(np.nanmax(rows["end_s"].fillna(rows["start_s"]).to_numpy(dtype=float)))
    ax.set_xlim(0, max(t_end, 0.1) * 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("score (1 = synthetic)")
    ax.set_title(f"{title}\n{sha[:16]}…", fontsize="medium")
    _outside_legend(ax, handles)
    return fig
