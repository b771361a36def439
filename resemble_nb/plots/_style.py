"""Shared look of every plot: the label palette, bands, threshold line, helpers."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from resemble_nb._core.markup import image_uri
from resemble_nb.api import LABELS as LABELS  # the label scale, least to most synthetic
from resemble_nb.api import SCORE_BANDS, score_band
from resemble_nb.ledger import VERDICTS as _VERDICTS

#: One palette for the label scale, shared by plots, report and widgets.
LABEL_COLORS: dict[str, str] = {
    "real": "#1a9641",
    "likely_real": "#a6d96a",
    "uncertain": "#9e9e9e",
    "likely_fake": "#fdae61",
    "fake": "#d7191c",
}
#: Colour of an item that has a score but no label, or no result at all.
NO_LABEL_COLOR = "#d9d9d9"
#: Triage verdicts in the order they are drawn (the ledger's one list); ``None`` is
#: "not reviewed yet".
VERDICTS: tuple[str, ...] = _VERDICTS
VERDICT_COLORS: dict[str, str] = {
    "confirmed_fake": LABEL_COLORS["fake"],
    "needs_escalation": "#7b3294",
    "inconclusive": LABEL_COLORS["uncertain"],
    "confirmed_real": LABEL_COLORS["real"],
    "unreviewed": "#f2f2f2",
}
_MEDIA_TYPES = ("audio", "video", "image")
#: Resemble's score bands (``api.SCORE_BANDS``) as ``(low, high, reading, colour)``: each
#: band takes the colour of its step on the label scale, for plots, report and board.
BANDS: tuple[tuple[float, float, str, str], ...] = tuple(
    (b.low, b.high, b.reading, LABEL_COLORS[b.label.value]) for b in SCORE_BANDS
)
_THRESHOLD_STYLE: dict[str, Any] = {"color": "#222222", "linestyle": "--", "linewidth": 1.4}
_SCORE_AXIS = "score (0 = authentic, 1 = synthetic)"
_MANY_NAMES = 40


# --------------------------------------------------------------------------- helpers


class _NotebookFigure(Figure):
    """A plain Figure that also shows itself as PNG in Jupyter, with or without pyplot."""

    def _repr_png_(self) -> bytes:
        return figure_to_png(self)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.get_figure(root=True)
        if fig is None:
            raise ValueError("ax= must belong to a figure")
        return fig, ax
    fig = _NotebookFigure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} frame has no column(s) {', '.join(map(repr, missing))}; "
            f"pass the frame from case.{what}()"
        )


def _message(fig: Figure, ax: Axes, title: str, message: str) -> Figure:
    ax.set_title(title)
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=12,
        color="#555555",
        wrap=True,
    )
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig


def _label_colors(labels: pd.Series[Any], missing: str = NO_LABEL_COLOR) -> list[str]:
    return [LABEL_COLORS.get(str(v), missing) if pd.notna(v) else missing for v in labels]


def band_color(score: Any) -> str:
    """The colour of the guidance band ``score`` falls in (grey without a score)."""
    band = score_band(score)
    return NO_LABEL_COLOR if band is None else LABEL_COLORS[band.label.value]


def _band_index(scores: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.int_]]:
    """Index into ``BANDS`` of each score (``-1`` where there is none)."""
    tops = np.array([hi for _lo, hi, _r, _c in BANDS[:-1]])
    index = np.searchsorted(tops, scores, side="right")
    return np.where(np.isnan(scores), -1, index)


def _labels_present(labels: pd.Series[Any]) -> list[str | None]:
    """Labels that occur, in scale order, with ``None`` (no label) last."""
    seen = set(labels.dropna().astype(str))
    out: list[str | None] = [lab for lab in LABELS if lab in seen]
    if labels.isna().any():
        out.append(None)
    return out


def _label_mask(labels: pd.Series[Any], label: str | None) -> np.ndarray[Any, np.dtype[np.bool_]]:
    if label is None:
        return labels.isna().to_numpy(dtype=bool)
    return (labels.astype("string") == label).fillna(False).to_numpy(dtype=bool)


def _legend_name(label: str | None) -> str:
    return "no label" if label is None else label.replace("_", " ")


def _scores(frame: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    return frame["score"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _threshold_text(threshold: float, evidence: Any = None) -> str:
    """The threshold line's legend; with ``evidence`` (``case.threshold_evidence()``),
    its measured error rates beside it."""
    text = f"threshold {threshold:.2f}"
    if evidence is None:
        return text
    fpr, fnr = evidence.rates(threshold)
    parts = [
        f"{what} {100 * rate.value:.1f}% of {rate.n}"
        for rate, what in ((fpr, "real flagged"), (fnr, "fakes missed"))
        if rate.n
    ]
    return text + (f"\n(measured: {'; '.join(parts)})" if parts else "")


def _outside_legend(ax: Axes, handles: Sequence[Any] | None = None) -> None:
    kwargs: dict[str, Any] = {
        "loc": "upper left",
        "bbox_to_anchor": (1.01, 1.0),
        "frameon": False,
        "fontsize": "small",
    }
    if handles is not None:
        kwargs["handles"] = list(handles)
    ax.legend(**kwargs)


def _columns(
    ax: Axes,
    left: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    height: np.ndarray[Any, Any],
    **kwargs: Any,
) -> PolyCollection:
    """Many bars from 0 up to ``height`` as one collection (far faster than ax.bar)."""
    zeros = np.zeros_like(height)
    verts = np.stack(
        [
            np.column_stack(p)
            for p in ((left, zeros), (left, height), (right, height), (right, zeros))
        ],
        axis=1,
    )
    coll = PolyCollection(list(verts), **kwargs)
    ax.add_collection(coll, autolim=False)
    return coll


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _short(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _display_names(frame: pd.DataFrame) -> list[str]:
    """Names, disambiguated with a short hash where two items share one."""
    names = frame["name"].astype("string").fillna("(unnamed)")
    dup = names.duplicated(keep=False)
    shas = frame["sha256"].astype("string").fillna("")
    return [
        _short(str(n)) + (f" [{str(s)[:8]}]" if d else "")
        for n, s, d in zip(names, shas, dup, strict=True)
    ]


def figure_to_png(fig: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (white background, tight bounding box)."""
    buf = io.BytesIO()
    # Our own figures lay themselves out (constrained layout keeps outside legends in);
    # a figure of the caller's gets a tight box so nothing is cut off.
    tight = None if fig.get_layout_engine() is not None else "tight"
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight, facecolor="white")
    return buf.getvalue()


def figure_to_data_uri(fig: Figure, *, dpi: int = 100) -> str:
    """The figure as a ``data:image/png;base64,...`` URI, for HTML and widgets."""
    uri = image_uri(figure_to_png(fig, dpi=dpi))
    assert uri is not None  # matplotlib wrote a PNG
    return uri
