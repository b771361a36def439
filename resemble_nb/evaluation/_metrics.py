"""How well the scores separate known-fake from known-real items, for one group of items.

Point estimates are scikit-learn's (``roc_curve``, ``roc_auc_score``,
``precision_recall_curve``, ``average_precision_score``, ``confusion_matrix``,
``calibration_curve``); intervals come from :mod:`._bootstrap` (AUC, average precision,
curve bands) and from Wilson intervals (rates at one threshold).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._bootstrap import bootstrap
from ._rates import Rate

__all__ = ["CALIBRATION_BINS", "MIN_PER_CLASS", "GroupEvaluation", "evaluate_group"]

FloatArray = npt.NDArray[np.float64]
MIN_PER_CLASS = 10
"""Below this many known-real or known-fake items a group's numbers say little."""
CALIBRATION_BINS = 10


def _nan_pair() -> tuple[float, float]:
    return (math.nan, math.nan)


def _empty() -> FloatArray:
    return np.empty(0)


@dataclass(frozen=True)
class GroupEvaluation:
    """The measurements of one group (``"overall"`` or a media type)."""

    name: str
    threshold: float
    truth: npt.NDArray[np.bool_] = field(repr=False)
    """True for known fake, one per scored item with a known truth."""
    scores: FloatArray = field(repr=False)
    n_unscored: int = 0
    auc: float = math.nan
    auc_ci: tuple[float, float] = field(default_factory=_nan_pair)
    average_precision: float = math.nan
    average_precision_ci: tuple[float, float] = field(default_factory=_nan_pair)
    roc_fpr: FloatArray = field(default_factory=_empty, repr=False)
    roc_tpr: FloatArray = field(default_factory=_empty, repr=False)
    roc_thresholds: FloatArray = field(default_factory=_empty, repr=False)
    pr_precision: FloatArray = field(default_factory=_empty, repr=False)
    pr_recall: FloatArray = field(default_factory=_empty, repr=False)
    roc_band: tuple[FloatArray, FloatArray] | None = field(default=None, repr=False)
    pr_band: tuple[FloatArray, FloatArray] | None = field(default=None, repr=False)
    resamples: int = 0

    # -- counts ----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.truth)

    @property
    def n_fake(self) -> int:
        return int(self.truth.sum())

    @property
    def n_real(self) -> int:
        return self.n - self.n_fake

    @property
    def both_classes(self) -> bool:
        return self.n_fake > 0 and self.n_real > 0

    # -- at the threshold ------------------------------------------------------------------
    def confusion(self) -> npt.NDArray[np.int64]:
        """``[[TN, FP], [FN, TP]]`` at the threshold (rows: truth real, fake), as sklearn."""
        from sklearn.metrics import confusion_matrix

        flagged = self.scores >= self.threshold
        matrix: npt.NDArray[np.int64] = confusion_matrix(
            self.truth, flagged, labels=[False, True]
        ).astype(np.int64)
        return matrix

    @property
    def counts(self) -> dict[str, int]:
        (tn, fp), (fn, tp) = self.confusion().tolist()
        return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}

    def _rate(self, hits: str, others: str) -> Rate:
        """``hits`` of ``hits`` + ``others`` (two cells of the confusion matrix)."""
        c = self.counts
        return Rate(c[hits], c[hits] + c[others])

    @property
    def false_positive_rate(self) -> Rate:
        """Known-real items flagged, of all known-real items."""
        return self._rate("fp", "tn")

    @property
    def false_negative_rate(self) -> Rate:
        """Known-fake items missed, of all known-fake items."""
        return self._rate("fn", "tp")

    @property
    def recall(self) -> Rate:
        """Known-fake items flagged, of all known-fake items (the true-positive rate)."""
        return self._rate("tp", "fn")

    @property
    def precision(self) -> Rate:
        """Known-fake items among the flagged ones."""
        return self._rate("tp", "fp")

    def at(self, threshold: float) -> GroupEvaluation:
        """The same group measured at another threshold (curves and intervals unchanged)."""
        return dataclasses.replace(self, threshold=float(threshold))

    # -- calibration -----------------------------------------------------------------------
    def calibration(self, bins: int = CALIBRATION_BINS) -> dict[str, FloatArray]:
        """Per non-empty score bin: mean score, share known fake, count, Wilson interval.

        The bins and the first two columns are scikit-learn's ``calibration_curve``
        (uniform bins).
        """
        keys = ("mean_score", "fraction_fake", "n", "low", "high")
        if not self.n:
            return {k: _empty() for k in keys}
        from sklearn.calibration import calibration_curve

        fraction, mean = calibration_curve(self.truth, self.scores, n_bins=bins)
        edges = np.linspace(0.0, 1.0, bins + 1)
        ids = np.searchsorted(edges[1:-1], self.scores)  # scikit-learn's binning
        n = np.bincount(ids, minlength=bins)
        fakes = np.bincount(ids, weights=self.truth.astype(float), minlength=bins)
        used = n > 0
        bounds = [Rate(int(k), int(t)) for k, t in zip(fakes[used], n[used], strict=True)]
        return {
            "mean_score": np.asarray(mean, dtype=float),
            "fraction_fake": np.asarray(fraction, dtype=float),
            "n": n[used].astype(float),
            "low": np.array([b.low for b in bounds]),
            "high": np.array([b.high for b in bounds]),
        }

    # -- words -----------------------------------------------------------------------------
    def notes(self) -> list[str]:
        """Plain-words caveats about this group's sample."""
        out = []
        if not self.n:
            return ["no scored items with a known truth"]
        if not self.both_classes:
            missing = "real" if self.n_fake else "fake"
            out.append(f"no item known to be {missing}: curves and AUC cannot be measured")
        for count, what in ((self.n_real, "real"), (self.n_fake, "fake")):
            if 0 < count < MIN_PER_CLASS:
                out.append(
                    f"only {count} known {what}: rates measured on them are rough "
                    f"(see how wide the intervals are)"
                )
        if self.n_unscored:
            out.append(f"{self.n_unscored} item(s) with a known truth have no score yet")
        return out


def evaluate_group(
    name: str,
    truth: Any,
    scores: Any,
    *,
    threshold: float,
    resamples: int = 1000,
    seed: int = 0,
    n_unscored: int = 0,
) -> GroupEvaluation:
    """Measure one group; curves and AUC only when it holds both real and fake items."""
    y = np.asarray(truth).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    base = GroupEvaluation(name, float(threshold), y, s, n_unscored=n_unscored)
    if not (y.any() and (~y).any()):
        return base
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_curve,
        roc_auc_score,
        roc_curve,
    )

    fpr, tpr, thresholds = roc_curve(y, s)
    precision, recall, _ = precision_recall_curve(y, s)
    boot = bootstrap(y, s, resamples=resamples, seed=seed) if resamples else None
    return dataclasses.replace(
        base,
        auc=float(roc_auc_score(y, s)),
        average_precision=float(average_precision_score(y, s)),
        roc_fpr=np.asarray(fpr, dtype=float),
        roc_tpr=np.asarray(tpr, dtype=float),
        roc_thresholds=np.asarray(thresholds, dtype=float),
        pr_precision=np.asarray(precision, dtype=float),
        pr_recall=np.asarray(recall, dtype=float),
        auc_ci=_interval(boot.auc) if boot else _nan_pair(),
        average_precision_ci=_interval(boot.ap) if boot else _nan_pair(),
        roc_band=(boot.roc_low, boot.roc_high) if boot else None,
        pr_band=(boot.pr_low, boot.pr_high) if boot else None,
        resamples=resamples,
    )


def _interval(samples: FloatArray) -> tuple[float, float]:
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)
