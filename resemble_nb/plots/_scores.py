"""Case-wide plots: score distribution, ranking, triage progress."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from resemble_nb.ledger import DEFAULT_THRESHOLD
from resemble_nb.plots._style import (
    _MANY_NAMES,
    _MEDIA_TYPES,
    _SCORE_AXIS,
    _THRESHOLD_STYLE,
    BANDS,
    VERDICT_COLORS,
    VERDICTS,
    _axes,
    _band_index,
    _display_names,
    _items,
    _message,
    _outside_legend,
    _require,
    _scores,
    _threshold_text,
)


def score_distribution(
    results: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    ax: Axes | None = None,
    evidence: Any = None,
) -> Figure:
    """Scores of every item, one row per media type, coloured by Resemble's guidance.

    The guidance bands (``api.SCORE_BANDS``, the same for every media type) shade the
    background of each row, and every point takes the colour of the band it sits in, so
    a score of 0.37 is grey ("inconclusive") even when the API labelled it ``real``; the
    dashed line is the threshold at which items are flagged. With
    ``evidence=case.threshold_evidence()`` its legend shows the threshold's measured
    error rates.
    """
    _require(results, ("media_type", "score", "label"), "results")
    title = "Score distribution by media type"
    scored = results[results["score"].notna()]
    media = [m for m in _MEDIA_TYPES if (results["media_type"].astype("string") == m).any()]
    fig, ax = _axes(ax, (8.0, 1.6 + 0.9 * max(len(media), 1)))
    if results.empty:
        return _message(fig, ax, title, "No results yet")
    if scored.empty:
        return _message(fig, ax, title, f"No scores yet ({_items(len(results))}, none scored)")

    for lo, hi, _name, color in BANDS:
        ax.axvspan(lo, hi, color=color, alpha=0.12, linewidth=0)
    rng = np.random.default_rng(0)  # fixed jitter: the same frame draws the same figure
    rows = {m: len(media) - 1 - i for i, m in enumerate(media)}  # audio on top
    ypos = scored["media_type"].astype("string").map(rows).to_numpy(dtype=float, na_value=np.nan)
    jitter = rng.uniform(-0.28, 0.28, size=len(scored))
    scores = _scores(scored)
    band = _band_index(scores)
    for index, (lo, hi, reading, color) in enumerate(BANDS):
        mask = band == index
        if not mask.any():
            continue
        ax.scatter(
            scores[mask],
            ypos[mask] + jitter[mask],
            s=28,
            alpha=0.9,
            color=color,
            edgecolors="#333333",
            linewidths=0.4,
            label=f"{reading}, {lo:.1f}–{hi:.1f} ({int(mask.sum())})",
        )
    # The bands are named in the legend with their score range and count, never over the
    # plot (narrow axes made the names overprint each other). A point's colour is the band
    # of its score, whatever the threshold: a 0.75 is high-confidence synthetic even when
    # the threshold of 0.79 does not flag it.

    ax.axvline(threshold, label=_threshold_text(threshold, evidence), **_THRESHOLD_STYLE)

    ticks = []
    for m in media:
        of_type = results["media_type"].astype("string") == m
        n = int(of_type.sum())
        n_flag = int((results.loc[of_type, "score"] >= threshold).fillna(False).sum())
        ticks.append(f"{m}\n{_items(n)}, {n_flag} flagged")
    ax.set_yticks([rows[m] for m in media], ticks)
    ax.set_ylim(-0.6, len(media) - 0.4)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(_SCORE_AXIS)
    ax.set_ylabel("media type")
    missing = len(results) - len(scored)
    ax.set_title(title + (f"\n({_items(missing)} without a score not shown)" if missing else ""))
    _outside_legend(ax)
    return fig


def ranked_scores(
    results: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    ax: Axes | None = None,
    top: int = _MANY_NAMES,
) -> Figure:
    """The ``top`` highest-scoring items (40 by default) as named bars, highest first.

    Each bar carries the item's name (long names end in an ellipsis, shared names get a
    short hash) and the colour of the guidance band its score sits in; with more items
    than ``top`` the title says how many are not shown.
    """
    _require(results, ("name", "sha256", "score", "label"), "results")
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    title = "Items ranked by score"
    scored = results[results["score"].notna()]
    scored = scored.assign(_s=_scores(scored)).sort_values(
        ["_s", "name"], ascending=[False, True], kind="stable"
    )
    n = len(scored)
    shown = scored.head(top)
    k = len(shown)
    fig, ax = _axes(ax, (8.0, min(max(2.6, 1.5 + 0.26 * k), 12.5)) if k else (8.0, 3.0))
    if results.empty:
        return _message(fig, ax, title, "No results yet")
    if not n:
        return _message(fig, ax, title, f"No scores yet ({_items(len(results))}, none scored)")

    scores = shown["_s"].to_numpy(dtype=float)
    rank = np.arange(k, dtype=float)
    band = _band_index(scores)
    for index, (_lo, _hi, reading, color) in enumerate(BANDS):
        mask = band == index
        if not mask.any():
            continue
        ax.barh(
            rank[mask],
            scores[mask],
            height=0.75,
            color=color,
            edgecolor="#333333",
            linewidth=0.4,
            label=reading,
        )
    ax.axvline(threshold, label=_threshold_text(threshold), **_THRESHOLD_STYLE)
    size = "small" if k <= 25 else "x-small"
    ax.set_yticks(rank, _display_names(shown), fontsize=size)
    ax.set_ylim(k - 0.5, -0.5)  # highest score on top
    ax.set_xlim(0, 1.0)
    ax.set_xlabel(_SCORE_AXIS)
    flagged = int((scored["_s"] >= threshold).sum())
    sub = f"{flagged} of {n} at or above the threshold"
    if n > k:
        sub += f"; highest {k} shown"
    if len(results) > n:
        sub += f"; {len(results) - n} without a score"
    ax.set_title(f"{title}\n{sub}")
    _outside_legend(ax)
    return fig


def triage_progress(
    results: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD, ax: Axes | None = None
) -> Figure:
    """How far triage has got: verdict counts for all items and for flagged ones."""
    _require(results, ("verdict", "score"), "results")
    fig, ax = _axes(ax, (8.0, 2.6))
    title = "Triage progress"
    if results.empty:
        return _message(fig, ax, title, "No results yet")

    flagged = (results["score"] >= threshold).fillna(False).to_numpy(dtype=bool)
    groups = [("all items", np.ones(len(results), dtype=bool))]
    if flagged.any():
        groups.append((f"flagged\n(score ≥ {threshold:.2f})", flagged))
    verdicts = results["verdict"].astype("string")
    left = np.zeros(len(groups))
    for verdict in (*VERDICTS, "unreviewed"):
        is_v = verdicts.isna() if verdict == "unreviewed" else (verdicts == verdict).fillna(False)
        counts = np.array([int((is_v.to_numpy(dtype=bool) & m).sum()) for _, m in groups])
        bars = ax.barh(
            np.arange(len(groups)),
            counts,
            left=left,
            height=0.6,
            color=VERDICT_COLORS[verdict],
            edgecolor="#555555",
            linewidth=0.5,
            label=verdict.replace("_", " "),
        )
        text_color = "#222222" if verdict in ("unreviewed", "inconclusive") else "white"
        ax.bar_label(
            bars,
            labels=[str(c) if c else "" for c in counts],
            label_type="center",
            color=text_color,
            fontsize="small",
        )
        left += counts
    ax.set_yticks(np.arange(len(groups)), [g for g, _ in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, max(left.max(), 1))
    ax.set_xlabel("items")
    reviewed = int(verdicts.notna().sum())
    ax.set_title(
        f"{title}: {reviewed} of {len(results)} reviewed ({100 * reviewed / len(results):.0f}%)"
    )
    _outside_legend(ax)
    return fig
