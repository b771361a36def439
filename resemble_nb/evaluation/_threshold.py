"""A threshold you can defend: chosen on the case's own media of known truth, with its
uncertainty, or refused in plain words when there are too few of them.

With ``target_fpr`` the recommendation is the lowest threshold whose false-positive rate
is at most the target *with 95 % confidence* (the upper end of the Wilson interval of the
measured rate), so it catches as many fakes as that allows. With ``costs`` it is the
threshold with the lowest total cost of errors on the case's media. Either way, the
items are resampled (bootstrap) and the same rule applied to each resample: the spread of
the thresholds chosen says how firmly the data pin the threshold down.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._bootstrap import bootstrap
from ._metrics import MIN_PER_CLASS, GroupEvaluation
from ._rates import Z95, Rate, format_threshold, percent, wilson

__all__ = ["ThresholdEvidence", "ThresholdRecommendation", "recommend_threshold"]

IntArray = npt.NDArray[np.int64]
_COST_KEYS = ("false_positive", "false_negative")


def min_real_for(target_fpr: float) -> int:
    """How many known-real items it takes to show a false-positive rate <= the target.

    With none of them flagged, the Wilson 95 % upper bound is z²/(n + z²).

    >>> min_real_for(0.01)
    381
    """
    return math.ceil(Z95 * Z95 * (1 - target_fpr) / target_fpr - 1e-9)


def _max_false_positives(n_real: int, target_fpr: float) -> int:
    """The most false positives among ``n_real`` whose 95 % upper bound stays <= target."""
    k = -1
    while k + 1 <= n_real and wilson(k + 1, n_real)[1] <= target_fpr:
        k += 1
    if k < 0 and wilson(0, n_real)[1] <= target_fpr:
        k = 0
    return k


@dataclass(frozen=True)
class ThresholdRecommendation:
    """A recommended threshold and its evidence, or a refusal (``threshold is None``)."""

    threshold: float | None
    method: str
    group: str
    n_real: int
    n_fake: int
    target_fpr: float | None = None
    costs: dict[str, float] | None = None
    false_positive_rate: Rate | None = None
    recall: Rate | None = None
    precision: Rate | None = None
    threshold_ci: tuple[float, float] | None = None
    resamples: int = 0
    refusal: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when a threshold was recommended."""
        return self.threshold is not None

    def evidence(self) -> dict[str, Any]:
        """What the choice rests on, as plain JSON-ready values (stored with the choice)."""
        out: dict[str, Any] = {
            "method": self.method,
            "group": self.group,
            "n_real": self.n_real,
            "n_fake": self.n_fake,
            "resamples": self.resamples,
        }
        if self.target_fpr is not None:
            out["target_fpr"] = self.target_fpr
        if self.costs is not None:
            out["costs"] = dict(self.costs)
        for name in ("false_positive_rate", "recall", "precision"):
            rate: Rate | None = getattr(self, name)
            if rate is not None and rate.n:
                out[name] = {"k": rate.k, "n": rate.n, "low": rate.low, "high": rate.high}
        if self.threshold_ci is not None:
            out["threshold_ci"] = list(self.threshold_ci)
        if self.refusal:
            out["refusal"] = self.refusal
        return out

    def lines(self) -> list[str]:
        """The recommendation in plain words, one line each."""
        goal = (
            f"a false-positive rate of at most {percent(self.target_fpr or 0.0)}"
            if self.method == "target_fpr"
            else f"the lowest cost of errors (costs {self.costs})"
        )
        if self.threshold is None:
            return [f"No threshold recommended for {goal} ({self.group}).", self.refusal]
        out = [
            f"Recommended threshold {self.threshold:.3f} for {goal} ({self.group}: "
            f"{self.n_real} known real, {self.n_fake} known fake): flag scores ≥ "
            f"{self.threshold:.3f}."
        ]
        if self.false_positive_rate is not None:
            out.append(f"  false-positive rate (real media flagged): {self.false_positive_rate}")
        if self.recall is not None:
            out.append(f"  fakes caught (recall): {self.recall}")
        if self.precision is not None:
            out.append(f"  flagged media that are fake (precision): {self.precision}")
        if self.threshold_ci is not None:
            low, high = self.threshold_ci
            out.append(
                f"  how firm: resampling the media ({self.resamples:,} times) moves this "
                f"threshold between {low:.3f} and {high:.3f} (95%)"
            )
        out.extend(f"  note: {n}" for n in self.notes)
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        lines = self.lines()
        head = f"<p><b>{html.escape(lines[0])}</b></p>"
        rest = "".join(f"<li>{html.escape(line.strip())}</li>" for line in lines[1:])
        return f"<div class='rnb-threshold'>{head}<ul>{rest}</ul></div>"


def _columns(group: GroupEvaluation) -> tuple[npt.NDArray[np.float64], IntArray, IntArray]:
    """Candidate thresholds (highest first) and TP/FP when flagging at each one.

    Column 0 flags nothing (threshold above every score); column k flags the k highest
    distinct scores.
    """
    order = np.argsort(-group.scores, kind="stable")
    ranked, fake = group.scores[order], group.truth[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    tp = np.r_[0, np.cumsum(np.add.reduceat(fake.astype(np.int64), starts))]
    fp = np.r_[0, np.cumsum(np.add.reduceat((~fake).astype(np.int64), starts))]
    top = float(ranked[0]) if len(ranked) else 1.0
    above_all = min(1.0, float(np.nextafter(top, np.inf)))
    return np.r_[above_all, ranked[starts]], tp.astype(np.int64), fp.astype(np.int64)


def _refuse(
    group: GroupEvaluation, method: str, reason: str, **extra: Any
) -> ThresholdRecommendation:
    return ThresholdRecommendation(
        None, method, group.name, group.n_real, group.n_fake, refusal=reason, **extra
    )


def recommend_threshold(
    group: GroupEvaluation,
    *,
    target_fpr: float | None = 0.01,
    costs: Mapping[str, float] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> ThresholdRecommendation:
    """Recommend a threshold for one group (see the module's docstring for the rules)."""
    if costs is not None:
        return _by_costs(group, costs, resamples, seed)
    if target_fpr is None or not 0.0 < target_fpr < 1.0:
        raise ValueError(f"target_fpr must be between 0 and 1, not {target_fpr!r}")
    method = "target_fpr"
    n_real = group.n_real
    needed = min_real_for(target_fpr)
    if n_real < needed:
        best = wilson(0, n_real)[1] if n_real else 1.0
        return _refuse(
            group,
            method,
            f"Too few media known to be real to say this: showing a false-positive rate of "
            f"{percent(target_fpr)} or less takes at least {needed} of them (even with none "
            f"flagged, 95% confidence), and {group.name} has {n_real}. With {n_real}, the "
            f"most that can be shown is a rate under {percent(best)}. Import more known-real "
            "media, or ask for a higher target_fpr.",
            target_fpr=target_fpr,
        )
    limit = _max_false_positives(n_real, target_fpr)
    thresholds, _tp, fp = _columns(group)
    column = int(np.flatnonzero(fp <= limit).max())
    threshold = float(thresholds[column])
    notes = []
    if column == 0:
        notes.append("even the highest scores include known-real media: nothing can be flagged")
    ci = None
    if resamples and group.n_fake:

        def pick(tp_b: IntArray, fp_b: IntArray) -> int:
            return int(np.flatnonzero(fp_b <= limit).max())

        picked = bootstrap(group.truth, group.scores, resamples=resamples, seed=seed, picker=pick)
        values = np.minimum(np.asarray(picked.picked), 1.0)
        low, high = np.percentile(values, [2.5, 97.5])
        ci = (float(low), float(high))
    if group.n_fake < MIN_PER_CLASS:
        notes.append(f"only {group.n_fake} known fake: the share of fakes caught is rough")
    return _recommendation(group, threshold, method, ci, resamples, notes, target_fpr=target_fpr)


def _recommendation(
    group: GroupEvaluation,
    threshold: float,
    method: str,
    ci: tuple[float, float] | None,
    resamples: int,
    notes: list[str],
    **extra: Any,
) -> ThresholdRecommendation:
    at = group.at(threshold)
    return ThresholdRecommendation(
        threshold,
        method,
        group.name,
        group.n_real,
        group.n_fake,
        false_positive_rate=at.false_positive_rate,
        recall=at.recall,
        precision=at.precision,
        threshold_ci=ci,
        resamples=resamples if ci else 0,
        notes=notes,
        **extra,
    )


def _by_costs(
    group: GroupEvaluation, costs: Mapping[str, float], resamples: int, seed: int
) -> ThresholdRecommendation:
    unknown = set(costs) - set(_COST_KEYS)
    if unknown or not set(_COST_KEYS) <= set(costs):
        raise ValueError(
            "costs must give 'false_positive' and 'false_negative', e.g. "
            "{'false_positive': 1, 'false_negative': 5}"
        )
    c_fp, c_fn = float(costs["false_positive"]), float(costs["false_negative"])
    if c_fp < 0 or c_fn < 0 or c_fp + c_fn == 0:
        raise ValueError("costs must be >= 0 and not both 0")
    method = "costs"
    clean = {"false_positive": c_fp, "false_negative": c_fn}
    if group.n_real < MIN_PER_CLASS or group.n_fake < MIN_PER_CLASS:
        return _refuse(
            group,
            method,
            f"Too few media of known truth to weigh the errors: it takes at least "
            f"{MIN_PER_CLASS} known real and {MIN_PER_CLASS} known fake, and {group.name} "
            f"has {group.n_real} real and {group.n_fake} fake.",
            costs=clean,
        )
    thresholds, tp, fp = _columns(group)
    n_fake = group.n_fake

    def pick(tp_b: IntArray, fp_b: IntArray) -> int:
        return int(np.argmin(c_fp * fp_b + c_fn * (n_fake - tp_b)))

    threshold = float(thresholds[pick(tp, fp)])
    ci = None
    if resamples:
        picked = bootstrap(group.truth, group.scores, resamples=resamples, seed=seed, picker=pick)
        low, high = np.percentile(np.minimum(np.asarray(picked.picked), 1.0), [2.5, 97.5])
        ci = (float(low), float(high))
    notes = [
        "costs are weighed on this case's mix of real and fake media; a different mix "
        "moves the best threshold"
    ]
    return _recommendation(group, threshold, method, ci, resamples, notes, costs=clean)


class ThresholdEvidence:
    """Measured error rates at any threshold, for captions beside a threshold control.

    Built once from ``case.ground_truth()``; :meth:`caption` is cheap (numpy over the
    items of known truth), so a slider can call it on every move.
    """

    def __init__(self, truth: Any, scores: Any) -> None:
        self.truth = np.asarray(truth).astype(bool)
        self.scores = np.asarray(scores, dtype=np.float64)

    @property
    def n_real(self) -> int:
        return int((~self.truth).sum())

    @property
    def n_fake(self) -> int:
        return int(self.truth.sum())

    def rates(self, threshold: float) -> tuple[Rate, Rate]:
        """False-positive and false-negative rates at ``threshold``."""
        flagged = self.scores >= threshold
        fp = int((flagged & ~self.truth).sum())
        fn = int((~flagged & self.truth).sum())
        return Rate(fp, self.n_real), Rate(fn, self.n_fake)

    def caption(self, threshold: float) -> str:
        """One line: the threshold's measured error rates, or why there are none."""
        if not len(self.truth):
            return (
                "No media of known truth in this case, so this threshold's error rates are "
                "unknown (import labels with case.import_labels or confirm verdicts)."
            )
        fpr, fnr = self.rates(threshold)
        parts = []
        for rate, what in ((fpr, "real media flagged"), (fnr, "fakes missed")):
            if rate.n:
                parts.append(
                    f"{what} {percent(rate.value)} (95% CI {percent(rate.low)}–"
                    f"{percent(rate.high)}, {rate.k} of {rate.n})"
                )
            else:
                parts.append(f"{what}: unknown (none of known truth)")
        at = format_threshold(threshold)
        return f"At {at}, measured on this case: " + "; ".join(parts) + "."

    def __repr__(self) -> str:
        return f"ThresholdEvidence({self.n_real} known real, {self.n_fake} known fake)"
