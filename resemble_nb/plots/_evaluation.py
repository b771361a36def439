"""How reliable the scores are: ROC and precision-recall with bands, confusion matrix,
calibration, and score distributions split by truth (``case.evaluate()``'s result).

The plots read the evaluation only through its DataFrame accessors (``roc()``,
``bands()``, ``pr()``, ``calibration()``, ``confusion()``, ``scores()``, ``summary()``),
so this layer does not import :mod:`resemble_nb.evaluation`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from resemble_nb.plots._style import (
    _SCORE_AXIS,
    _THRESHOLD_STYLE,
    LABEL_COLORS,
    _axes,
    _message,
    _outside_legend,
)

__all__ = [
    "GROUP_COLORS",
    "calibration_curve",
    "confusion_matrix",
    "pr_curve",
    "roc_curve",
    "truth_distribution",
]

#: One colour per evaluation group.
GROUP_COLORS: dict[str, str] = {
    "overall": "#222222",
    "audio": "#1f77b4",
    "video": "#7b3294",
    "image": "#e08214",
}
_TRUTH_COLORS = {"real": LABEL_COLORS["real"], "fake": LABEL_COLORS["fake"]}
_CHANCE: dict[str, Any] = {"color": "#999999", "linestyle": ":", "linewidth": 1.0}


class EvaluationLike(Protocol):
    """What the plots need from ``case.evaluate()``."""

    @property
    def threshold(self) -> float: ...

    def summary(self) -> pd.DataFrame: ...
    def roc(self) -> pd.DataFrame: ...
    def pr(self) -> pd.DataFrame: ...
    def bands(self) -> pd.DataFrame: ...
    def calibration(self) -> pd.DataFrame: ...
    def confusion(self, group: str = "overall") -> pd.DataFrame: ...
    def scores(self) -> pd.DataFrame: ...


def _color(group: str, i: int) -> str:
    fallback = ("#4d4d4d", "#1b9e77", "#d95f02", "#7570b3")
    return GROUP_COLORS.get(group, fallback[i % len(fallback)])


def _pick(groups: list[str], wanted: list[str] | str | None) -> list[str]:
    if wanted is None:
        return groups
    chosen = [wanted] if isinstance(wanted, str) else list(wanted)
    missing = [g for g in chosen if g not in groups]
    if missing:
        raise ValueError(f"no group {missing[0]!r} in this evaluation (have {', '.join(groups)})")
    return chosen


def _sizes(evaluation: EvaluationLike) -> dict[str, str]:
    summary = evaluation.summary()
    return {
        str(row["group"]): f"{int(row['n_real'])} real, {int(row['n_fake'])} fake"
        for _, row in summary.iterrows()
    }


def _square(ax: Axes, xlabel: str, ylabel: str) -> None:
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal", adjustable="box")
    ax.grid(True, color="#eeeeee", linewidth=0.8)


def _curves(
    evaluation: EvaluationLike,
    ax: Axes,
    curves: pd.DataFrame,
    groups: list[str] | str | None,
    xy: tuple[str, str],
    band_columns: tuple[str, str],
    label: Callable[[str, pd.Series], str],
    mark: Callable[[pd.Series, str], None],
) -> None:
    """One stepped curve a group (columns ``xy`` of ``curves``) over its bootstrap band,
    labelled by ``label(name, summary_row)``; ``mark`` adds the group's own marks."""
    names = _pick(list(dict.fromkeys(curves["group"])), groups)
    bands = evaluation.bands()
    summary = evaluation.summary().set_index("group")
    low, high = band_columns
    for i, name in enumerate(names):
        color = _color(name, i)
        band = bands[bands["group"] == name]
        if not band.empty:
            ax.fill_between(band["x"], band[low], band[high], color=color, alpha=0.15)
        curve = curves[curves["group"] == name]
        row = summary.loc[name]
        ax.plot(
            curve[xy[0]],
            curve[xy[1]],
            color=color,
            linewidth=1.8,
            drawstyle="steps-post",
            label=label(name, row),
        )
        mark(row, color)
    ax.plot([], [], "o", color="#555555", label=f"at threshold {evaluation.threshold:.2f}")


def _banded_finish(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    _square(ax, xlabel, ylabel)
    ax.set_title(title + "\nshaded: 95% bootstrap band")
    _outside_legend(ax)


def roc_curve(
    evaluation: EvaluationLike, *, groups: list[str] | str | None = None, ax: Axes | None = None
) -> Figure:
    """ROC curves with 95 % bootstrap bands, and each curve's point at the threshold."""
    title = "ROC: fakes caught against real media flagged"
    fig, ax = _axes(ax, (7.5, 5.5))
    roc = evaluation.roc()
    if roc.empty:
        return _message(fig, ax, title, "Needs media known to be real and known to be fake")
    sizes = _sizes(evaluation)
    ax.plot([0, 1], [0, 1], label="chance", **_CHANCE)

    def label(name: str, row: pd.Series) -> str:
        ci = f" ({row['auc_low']:.2f}–{row['auc_high']:.2f})" if pd.notna(row["auc_low"]) else ""
        return f"{name}: AUC {row['auc']:.3f}{ci}; {sizes[name]}"

    def mark(row: pd.Series, color: str) -> None:
        ax.plot(row["fpr"], row["recall"], "o", color=color, markeredgecolor="white", ms=7)

    _curves(evaluation, ax, roc, groups, ("fpr", "tpr"), ("tpr_low", "tpr_high"), label, mark)
    _banded_finish(
        ax, title, "false-positive rate (real media flagged)", "true-positive rate (fakes caught)"
    )
    return fig


def pr_curve(
    evaluation: EvaluationLike, *, groups: list[str] | str | None = None, ax: Axes | None = None
) -> Figure:
    """Precision-recall curves with 95 % bootstrap bands; dotted: the share of fakes."""
    title = "Precision and recall"
    fig, ax = _axes(ax, (7.5, 5.5))
    pr = evaluation.pr()
    if pr.empty:
        return _message(fig, ax, title, "Needs media known to be real and known to be fake")

    def label(name: str, row: pd.Series) -> str:
        return f"{name}: average precision {row['average_precision']:.3f}"

    def mark(row: pd.Series, color: str) -> None:
        share = row["n_fake"] / row["n"] if row["n"] else np.nan
        ax.axhline(share, color=color, linestyle=":", linewidth=1.0)
        if pd.notna(row["precision"]):
            ax.plot(row["recall"], row["precision"], "o", color=color, markeredgecolor="white")

    bands = ("precision_low", "precision_high")
    _curves(evaluation, ax, pr, groups, ("recall", "precision"), bands, label, mark)
    ax.plot([], [], color="#555555", linestyle=":", label="share of fakes (no skill)")
    _banded_finish(ax, title, "recall (fakes caught)", "precision (flagged media that are fake)")
    return fig


def confusion_matrix(
    evaluation: EvaluationLike, *, group: str = "overall", ax: Axes | None = None
) -> Figure:
    """The confusion matrix at the threshold: counts and each row's share."""
    fig, ax = _axes(ax, (5.2, 4.2))
    matrix = evaluation.confusion(group)
    counts = matrix.to_numpy(dtype=float)
    title = f"At threshold {evaluation.threshold:.2f} ({group})"
    if counts.sum() == 0:
        return _message(fig, ax, title, "No media of known truth")
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    ax.imshow(shares, cmap="Greys", vmin=0.0, vmax=1.6)
    words = [["correctly not flagged", "false positive"], ["missed fake", "correctly flagged"]]
    for r in range(2):
        for c in range(2):
            ax.text(
                c,
                r,
                f"{int(counts[r, c])}\n{100 * shares[r, c]:.1f}% of {int(totals[r, 0])}"
                f"\n{words[r][c]}",
                ha="center",
                va="center",
                fontsize="small",
                color="white" if shares[r, c] > 0.8 else "#222222",
            )
    ax.set_xticks([0, 1], ["not flagged", "flagged"])
    ax.set_yticks([0, 1], ["known real", "known fake"])
    ax.set_xlabel(f"score ≥ {evaluation.threshold:.2f}?")
    ax.set_title(title)
    return fig


def calibration_curve(
    evaluation: EvaluationLike,
    *,
    groups: list[str] | str | None = "overall",
    ax: Axes | None = None,
) -> Figure:
    """Share of known fakes per score bin, with 95 % Wilson intervals; the diagonal is a
    score that reads as a probability."""
    title = "Calibration: does a score of 0.8 mean 80% fake?"
    fig, ax = _axes(ax, (7.0, 5.2))
    cal = evaluation.calibration()
    if cal.empty:
        return _message(fig, ax, title, "No media of known truth")
    names = _pick(list(dict.fromkeys(cal["group"])), groups)
    ax.plot([0, 1], [0, 1], label="perfectly calibrated", **_CHANCE)
    for i, name in enumerate(names):
        part = cal[cal["group"] == name]
        color = _color(name, i)
        err = np.vstack([part["fraction_fake"] - part["low"], part["high"] - part["fraction_fake"]])
        ax.errorbar(
            part["mean_score"],
            part["fraction_fake"],
            yerr=err,
            fmt="o-",
            color=color,
            capsize=3,
            label=f"{name} ({int(part['n'].sum())} media, 10 bins)",
        )
        for x, y, n in zip(part["mean_score"], part["fraction_fake"], part["n"], strict=True):
            ax.annotate(f"{int(n)}", (x, y), textcoords="offset points", xytext=(4, -10),
                        fontsize="x-small", color=color)  # fmt: skip
    _square(ax, "mean score in the bin", "share known fake")
    ax.set_title(title + "\nnumbers: media per bin; bars: 95% interval")
    _outside_legend(ax)
    return fig


def truth_distribution(
    evaluation: EvaluationLike,
    *,
    threshold: float | None = None,
    group: str | None = None,
    bins: int = 40,
    ax: Axes | None = None,
) -> Figure:
    """Scores of known-real and known-fake media, with the threshold and its measured rates."""
    title = "Scores of media of known truth"
    fig, ax = _axes(ax, (8.0, 3.8))
    scores = evaluation.scores()
    if group is not None:
        scores = scores[scores["group"] == group]
    if scores.empty:
        return _message(fig, ax, title, "No media of known truth")
    t = evaluation.threshold if threshold is None else float(threshold)
    edges = list(np.linspace(0.0, 1.0, bins + 1))
    labels = {}
    for truth in ("real", "fake"):
        values = scores.loc[scores["truth"] == truth, "score"].to_numpy(dtype=float)
        if not len(values):
            continue
        if truth == "real":
            k, what = int((values >= t).sum()), "flagged"
        else:
            k, what = int((values < t).sum()), "missed"
        labels[truth] = f"known {truth} ({len(values)}): {k} {what} at {t:.2f}"
        ax.hist(
            values,
            bins=edges,
            color=_TRUTH_COLORS[truth],
            alpha=0.55,
            edgecolor="white",
            linewidth=0.5,
            label=labels[truth],
        )
    ax.axvline(t, label=f"threshold {t:.2f}", **_THRESHOLD_STYLE)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(_SCORE_AXIS)
    ax.set_ylabel("media")
    ax.set_title(title + (f" ({group})" if group else ""))
    _outside_legend(ax)
    return fig
