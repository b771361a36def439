"""A stratified bootstrap of ROC/PR statistics, vectorised with numpy.

Known-fake and known-real items are resampled separately (with replacement, each class
keeping its size, as pROC does by default), so every resample has both classes. A
resample is represented by how often it drew each distinct score: sorting happens once,
and AUC, average precision and the curves of all resamples are sums and cumulative sums
over a (resamples x distinct scores) count matrix, a block of resamples at a time.

The per-resample statistics are exactly scikit-learn's ``roc_auc_score`` and
``average_precision_score`` on the resampled data (tests check it). The bands are drawn
through ``cuts`` thresholds spread over the distinct scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["GRID", "BootstrapResult", "ap_from_counts", "auc_from_counts", "bootstrap"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Where the bands are read: false-positive rate (ROC) and recall (PR), 0..1.
GRID: FloatArray = np.linspace(0.0, 1.0, 101)
Picker = Callable[["npt.NDArray[np.int64]", "npt.NDArray[np.int64]"], int]
"""``(TP, FP) -> column`` of one resample; column k flags the k highest distinct scores."""


@dataclass(frozen=True)
class BootstrapResult:
    """The statistics of every resample, and the curve bands (2.5 % and 97.5 %)."""

    auc: FloatArray
    ap: FloatArray
    roc_low: FloatArray
    roc_high: FloatArray
    pr_low: FloatArray
    pr_high: FloatArray
    picked: FloatArray | None
    """Per resample, the threshold a picker chose (``None`` without a picker)."""


def auc_from_counts(pos: Any, neg: Any) -> FloatArray:
    """ROC AUC per row from counts per distinct score, HIGHEST score first (ties count 1/2)."""
    p = np.asarray(pos, dtype=np.float64)
    n = np.asarray(neg, dtype=np.float64)
    n1, n0 = p.sum(axis=-1), n.sum(axis=-1)
    fp = np.cumsum(n, axis=-1)  # negatives at or above each score
    misordered = np.einsum("...g,...g->...", p, fp) - 0.5 * np.einsum("...g,...g->...", p, n)
    out: FloatArray = 1.0 - misordered / (n1 * n0)
    return out


def ap_from_counts(pos: Any, neg: Any) -> FloatArray:
    """Average precision per row (scikit-learn's step-wise sum), HIGHEST score first."""
    p = np.asarray(pos, dtype=np.float64)
    tp = np.cumsum(p, axis=-1)
    flagged = tp + np.cumsum(np.asarray(neg, dtype=np.float64), axis=-1)
    precision = tp / np.maximum(flagged, 1.0)
    out: FloatArray = np.einsum("...g,...g->...", p, precision) / p.sum(axis=-1)
    return out


def bootstrap(
    truth: Any,
    scores: Any,
    *,
    resamples: int = 1000,
    seed: int = 0,
    cuts: int = 256,
    picker: Picker | None = None,
) -> BootstrapResult:
    """Resample the known-fake and known-real items ``resamples`` times.

    Args:
        truth: 1 (or True) for known fake, 0 for known real.
        scores: The detector's scores, same length.
        resamples: How many resamples.
        seed: Seed of the random draws (the same seed gives the same result).
        cuts: Thresholds the bands are computed through.
        picker: Chooses one threshold per resample from its TP/FP counts (see
            :data:`Picker`); the chosen thresholds are returned in ``picked``.

    Raises:
        ValueError: One of the two classes is empty, or ``resamples`` < 1.
    """
    y = np.asarray(truth).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        raise ValueError("the bootstrap needs both known-fake and known-real items")
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, not {resamples}")
    order = np.argsort(-s, kind="stable")
    ranked, fake = s[order], y[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    # column k of TP/FP: the k highest distinct scores flagged (k = 0: nothing flagged)
    thresholds = np.r_[np.inf, ranked[starts]]
    cut_cols = np.unique(np.linspace(0, len(starts), min(cuts, len(starts)) + 1).round())
    cut_cols = cut_cols.astype(np.int64)
    group = np.cumsum(np.r_[True, ranked[1:] != ranked[:-1]]) - 1  # distinct score, per item
    pos_group, neg_group = group[fake], group[~fake]
    g_count = len(starts)
    rng = np.random.default_rng(seed)

    auc = np.empty(resamples)
    ap = np.empty(resamples)
    roc = np.empty((resamples, len(GRID)))
    pr = np.empty((resamples, len(GRID)))
    picked = np.empty(resamples) if picker is not None else None
    tp = np.zeros(g_count + 1, dtype=np.int64)
    fp = np.zeros(g_count + 1, dtype=np.int64)
    for r in range(resamples):
        pos = np.bincount(pos_group[rng.integers(0, n1, size=n1)], minlength=g_count)
        neg = np.bincount(neg_group[rng.integers(0, n0, size=n0)], minlength=g_count)
        np.cumsum(pos, out=tp[1:])
        np.cumsum(neg, out=fp[1:])
        auc[r] = 1.0 - (int(pos @ fp[1:]) - 0.5 * int(pos @ neg)) / (n1 * n0)
        hit = np.flatnonzero(pos)
        precision = tp[1:][hit] / (tp[1:][hit] + fp[1:][hit])
        ap[r] = float(np.einsum("i,i->", pos[hit].astype(np.float64), precision)) / n1
        tpr, fpr = tp[cut_cols] / n1, fp[cut_cols] / n0
        flagged = tp[cut_cols] + fp[cut_cols]
        prec = np.where(flagged > 0, tp[cut_cols] / np.maximum(flagged, 1), 1.0)
        roc[r] = np.interp(GRID, fpr, tpr)
        pr[r] = np.interp(GRID, tpr, prec)
        if picker is not None and picked is not None:
            picked[r] = thresholds[picker(tp, fp)]
    roc_low, roc_high = np.percentile(roc, [2.5, 97.5], axis=0)
    pr_low, pr_high = np.percentile(pr, [2.5, 97.5], axis=0)
    return BootstrapResult(auc, ap, roc_low, roc_high, pr_low, pr_high, picked)
